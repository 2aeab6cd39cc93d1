"""Prospective detection on incoming counts: GLR (Poisson, NB2) and CUSUM detectors, ARL-calibrated thresholds, Bayesian online changepoint detection and ``monitor`` for a CountSeries."""

from .glr import cusum_path, glr_path

__all__ = ["cusum_path", "glr_path"]

from .arl import ARLCalibration, calibrate_threshold  # noqa: E402
from .bocpd import bocpd_negbin, bocpd_poisson  # noqa: E402

__all__ += ["ARLCalibration", "calibrate_threshold", "bocpd_poisson", "bocpd_negbin"]

from .api import monitor  # noqa: E402
from .resumption import resumption  # noqa: E402

__all__ += ["monitor", "resumption"]
