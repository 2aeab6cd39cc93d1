"""Number and date formatting shared by reports, narrative sentences and the CLI."""

from __future__ import annotations

import math

__all__ = ["fmt_num", "fmt_ci", "fmt_p", "fmt_date", "fmt_rate_ci", "plural"]


def fmt_num(x, digits: int = 2) -> str:
    """``3.1`` style numbers; integers without decimals; ``n/a`` for missing."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    x = float(x)
    if x.is_integer() and abs(x) < 1e12:
        return f"{int(x):,d}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}"


def fmt_ci(lo, hi, digits: int = 2, level: float = 0.95) -> str:
    """``95% CI 1.20-3.40``."""
    return f"{round(level * 100):d}% CI {fmt_num(lo, digits)}-{fmt_num(hi, digits)}"


def fmt_rate_ci(rate, lo, hi, digits: int = 2) -> str:
    """``2.10 (95% CI 1.20-3.40)``."""
    return f"{fmt_num(rate, digits)} ({fmt_ci(lo, hi, digits)})"


def fmt_p(p) -> str:
    """p-values the way journals print them: ``p < 0.001``, ``p = 0.043``."""
    if p is None or not math.isfinite(p):
        return "p = n/a"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}"


def fmt_date(d) -> str:
    """``28 January 2024``."""
    import pandas as pd  # here: the changepoint command formats no dates and needs no pandas

    if d is None or d is pd.NaT:
        return "n/a"
    d = pd.Timestamp(d)
    return f"{d.day} {d.strftime('%B %Y')}"


def plural(n, word: str, plural_word: str | None = None) -> str:
    """``1 change``, ``3 changes``."""
    n_int = int(n)
    return f"{n_int:,d} {word if n_int == 1 else (plural_word or word + 's')}"
