"""Prospective detection on incoming counts: GLR (Poisson, NB2) and CUSUM detectors."""

from .glr import cusum_path, glr_path

__all__ = ["cusum_path", "glr_path"]

from .arl import ARLCalibration, calibrate_threshold  # noqa: E402
from .bocpd import bocpd_poisson  # noqa: E402

__all__ += ["ARLCalibration", "calibrate_threshold", "bocpd_poisson"]
