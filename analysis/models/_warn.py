"""Warnings that point at the caller's line, not at the inside of analysis.models."""

from __future__ import annotations

import os
import sys
import warnings

_PKG = os.path.dirname(os.path.abspath(__file__))


def warn(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` with the stack level of the first frame outside this package."""
    f = sys._getframe(0)
    level = 1
    while f is not None and os.path.abspath(f.f_code.co_filename).startswith(_PKG):
        f = f.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
