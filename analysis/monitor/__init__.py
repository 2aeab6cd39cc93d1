"""Prospective detection on incoming counts: GLR (Poisson, NB2) and CUSUM detectors."""

from .glr import cusum_path, glr_path

__all__ = ["cusum_path", "glr_path"]
