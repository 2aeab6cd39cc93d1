"""Argument types shared by the subcommands, so that one option is checked one way.

``changepoints`` and ``panel`` take the same search options (``--penalty``,
``--min-size``, ``--max-changes``, ...); both use these functions, so a bad value gets the
same message and the same exit code (2, argparse's usage error) from either command.
"""

from __future__ import annotations

import argparse

PENALTY_NAMES = ("aic", "bic", "sic", "mbic", "hq")


def penalty(value: str):
    """``aic``, ``bic``, ``sic``, ``mbic``, ``hq`` or a finite number >= 0."""
    v = value.strip().lower()
    if v in PENALTY_NAMES:
        return v
    try:
        x = float(v)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--penalty must be aic, bic, sic, mbic, hq or a non-negative number, not {value!r}") from None
    if not (x >= 0 and x != float("inf")):
        raise argparse.ArgumentTypeError(f"--penalty must be a finite number >= 0, not {value!r}")
    return x


def positive_int(value: str) -> int:
    try:
        v = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {value!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {value!r}")
    return v


def nonneg_int(value: str) -> int:
    try:
        v = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, not {value!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, not {value!r}")
    return v


def probability(value: str) -> float:
    try:
        v = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a probability in (0, 1), not {value!r}") from None
    if not 0 < v < 1:
        raise argparse.ArgumentTypeError(f"expected a probability in (0, 1), not {value!r}")
    return v


def positive_float(value: str) -> float:
    try:
        v = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, not {value!r}") from None
    if not (v > 0 and v != float("inf")):
        raise argparse.ArgumentTypeError(f"expected a finite positive number, not {value!r}")
    return v


def window(value: str) -> str:
    """``START:END`` as ``normalize --window`` takes it (inclusive ISO days)."""
    from ..normalize.bins import parse_window
    try:
        parse_window(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def scheduler(value: str) -> str:
    """``local``, ``sequential`` or a Dask scheduler address (``tcp://host:port``,
    ``host:port``, ``tls://...``, ``inproc://...``)."""
    v = value.strip()
    if v in ("local", "sequential"):
        return v
    if "://" in v:
        proto, _, rest = v.partition("://")
        if proto in ("tcp", "tls", "inproc", "ucx", "ws", "wss") and rest:
            return v
    else:
        host, sep, port = v.rpartition(":")
        if sep and host and port.isdigit():
            return v
    raise argparse.ArgumentTypeError(
        f"--scheduler must be 'local', 'sequential' or a Dask scheduler address such as "
        f"tcp://10.0.0.5:8786, not {value!r}")


def min_size_for(cost: str, min_size: int | None) -> int:
    """The minimum segment length a search uses: as given, else 2 for normal-meanvar
    (a variance needs two points) and 1 for the other costs."""
    if min_size is not None:
        return min_size
    return 2 if cost == "normal-meanvar" else 1
