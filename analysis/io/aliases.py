"""Place-name aliases: spellings of one place that no general key rule joins.

A CSV (or Parquet) with columns ``alias, place`` and optionally ``note`` and
``source_url``; :func:`read_aliases` returns the mapping ``alias -> place`` that
:func:`analysis.normalize.dedupe` and :func:`analysis.normalize.normalize` take as
``aliases=``.
"""

from __future__ import annotations

from ..schema import InputError
from ._csv import load_table

__all__ = ["read_aliases"]


def read_aliases(path) -> dict:
    """Read an alias table.

    Parameters
    ----------
    path : str, os.PathLike or pandas.DataFrame

    Returns
    -------
    dict
        ``alias -> place``, in file order.

    Raises
    ------
    InputError
        Naming file, row and column: a missing ``alias`` or ``place`` column, an unknown
        column, a blank cell, an alias given twice.

    Examples
    --------
    >>> import pandas as pd
    >>> read_aliases(pd.DataFrame({"alias": ["Rumaylan"], "place": ["Rumalyn"]}))
    {'Rumaylan': 'Rumalyn'}
    """
    raw = load_table(path)
    cols = list(raw.columns)
    file = raw.file
    for need in ("alias", "place"):
        if need not in cols:
            raise InputError(f"an alias table needs the column {need!r} (has {cols})", file=file, column=need)
    extra = sorted(set(cols) - {"alias", "place", "note", "source_url"})
    if extra:
        raise InputError(f"unknown column(s) {extra} in an alias table; allowed: alias, place, note, "
                         "source_url", file=file, column=extra[0])
    out: dict = {}
    alias, place = raw.column("alias").to_pylist(), raw.column("place").to_pylist()
    for i, (a, p) in enumerate(zip(alias, place)):
        row = i + 2
        for name, v in (("alias", a), ("place", p)):
            if v is None or not str(v).strip():
                raise InputError(f"blank {name}", file=file, row=row, column=name)
        a = str(a).strip()
        if a in out:
            raise InputError(f"alias {a!r} given twice", file=file, row=row, column="alias")
        out[a] = str(p).strip()
    return out
