"""The ledger: what became of every input row.

One row per input row (report or tally) with the columns of
:data:`analysis.schema.LEDGER_COLUMNS`:

``file``, ``row``
    where the row came from (``_file``/``_row`` of the canonical frame; missing for
    frames built in memory);
``table``
    ``reports`` or ``tallies``;
``record_id``
    ``report_id`` or ``tally_id``;
``status``
    ``counted`` (the row founded an incident or a tally interval that is counted),
    ``merged`` (a duplicate folded into ``incident_id``) or ``excluded``;
``incident_id``
    the incident (reports) or the tally statement (tallies) the row ended in;
``reason``
    a readable reason for ``merged`` and ``excluded`` rows (and notes on counted ones,
    such as a date interval clipped to the window).

With ``measure="fatalities"`` (:func:`analysis.normalize.normalize`) the ledger also has
``fatalities`` (what each counted row's incident adds to the series; blank for merged
and excluded rows) and, where the source gives a range (UCDP GED ``low``/``high``),
``fatalities_low`` and ``fatalities_high``.

Conservation
------------
For reports, the number of ``counted`` rows equals the number of incidents in the
series, and the sum of the series' counts equals it exactly (for every allocation
rule and for each imputation): :meth:`Ledger.check_conservation` asserts this. For a
fatality series the sum of the series equals the sum of ``fatalities`` over the counted
rows (and the band columns ``count_low``/``count_high`` those of the range).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..schema import LEDGER_COLUMNS, LEDGER_STATUSES

__all__ = ["Ledger", "ledger_frame", "MEASURE_COLUMNS"]

#: Optional ledger columns of a fatality series (kept after the standard columns).
MEASURE_COLUMNS = ("fatalities", "fatalities_low", "fatalities_high")


def ledger_frame(*, file=None, row=None, table="reports", record_id=None, status=None,
                 incident_id=None, reason=None, n=None) -> pd.DataFrame:
    """A ledger table from column arrays (scalars broadcast, None gives missing values)."""
    cols = dict(file=file, row=row, table=table, record_id=record_id, status=status,
                incident_id=incident_id, reason=reason)
    if n is None:
        n = next(len(v) for v in cols.values() if v is not None and not isinstance(v, str))
    out = {}
    for k, v in cols.items():
        if v is None:
            v = np.full(n, None, dtype=object)
        elif isinstance(v, str):
            v = np.full(n, v, dtype=object)
        if k == "row":
            out[k] = pd.array(pd.to_numeric(pd.Series(np.asarray(v, dtype=object) if not isinstance(v, pd.Series)
                                                      else v.to_numpy(object)), errors="coerce"), dtype="Int64")
        elif isinstance(v, pd.Series) and v.dtype == "str":
            out[k] = v.reset_index(drop=True)
        else:
            out[k] = pd.Series(np.asarray(v, dtype=object) if not isinstance(v, pd.Series) else v.to_numpy(object),
                               dtype="str")
    return pd.DataFrame(out, columns=list(LEDGER_COLUMNS))


@dataclass(frozen=True)
class Ledger:
    """The fate of every input row (see the module notes).

    Parameters
    ----------
    table : pandas.DataFrame
        Columns :data:`analysis.schema.LEDGER_COLUMNS`.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.normalize import normalize
    >>> reports = pd.DataFrame({"report_id": ["r1", "r2", "r3"], "date": ["2024-01-03", "2024-01-03", "2024-01-20"],
    ...                         "country": "X", "location": ["a", "a", "b"], "source": ["news", "wire", "news"]})
    >>> ledger = normalize(reports, freq="W").ledger
    >>> ledger.counts()
    {'counted': 2, 'merged': 1, 'excluded': 0}
    >>> ledger.table.loc[ledger.table["status"] == "merged", ["record_id", "incident_id"]].values.tolist()
    [['r2', 'r1']]
    """

    table: pd.DataFrame

    def __post_init__(self):
        t = self.table
        missing = [c for c in LEDGER_COLUMNS if c not in t.columns]
        if missing:
            raise ValueError(f"ledger table lacks columns {missing}")
        bad = ~t["status"].isin(LEDGER_STATUSES)
        if bad.any():
            raise ValueError(f"ledger status must be one of {LEDGER_STATUSES}; "
                             f"found {sorted(set(t.loc[bad, 'status'].astype(str)))}")
        cols = list(LEDGER_COLUMNS) + [c for c in MEASURE_COLUMNS if c in t.columns]
        object.__setattr__(self, "table", t[cols].reset_index(drop=True))

    @classmethod
    def concat(cls, *parts: pd.DataFrame) -> "Ledger":
        parts = [p for p in parts if p is not None and len(p)]
        if not parts:
            return cls(ledger_frame(n=0, table=None))
        return cls(pd.concat(parts, ignore_index=True))

    def __len__(self) -> int:
        return len(self.table)

    def counts(self, table: str | None = None) -> dict[str, int]:
        """Rows per status (optionally for one table)."""
        t = self.table if table is None else self.table[self.table["table"] == table]
        vc = t["status"].value_counts()
        return {s: int(vc.get(s, 0)) for s in LEDGER_STATUSES}

    def excluded_by_reason(self, table: str | None = None) -> dict[str, int]:
        """Excluded rows per reason category (the text before the first colon)."""
        t = self.table if table is None else self.table[self.table["table"] == table]
        ex = t.loc[t["status"] == "excluded", "reason"].fillna("").astype(str)
        cat = ex.str.split(":", n=1).str[0].str.strip()
        return {str(k): int(v) for k, v in cat.value_counts().sort_index().items()}

    def summary(self) -> pd.DataFrame:
        """Rows per table, status and reason category, with totals per table.

        Returns
        -------
        pandas.DataFrame
            Columns ``table, status, reason, rows``; reason is the category of the
            reason text (up to the first colon), empty for counted rows without a note.
        """
        t = self.table.copy()
        t["reason"] = t["reason"].fillna("").astype(str).str.split(":", n=1).str[0].str.strip()
        g = (t.groupby(["table", "status", "reason"], dropna=False, sort=True)
             .size().rename("rows").reset_index())
        order = {s: i for i, s in enumerate(LEDGER_STATUSES)}
        g["_o"] = g["status"].map(order)
        g = g.sort_values(["table", "_o", "reason"], kind="stable").drop(columns="_o")
        return g.reset_index(drop=True)

    def check_conservation(self, series, *, table: str = "reports") -> bool:
        """Assert that the series' counts add up to the rows the ledger counts.

        Parameters
        ----------
        series : CountSeries or sequence of CountSeries
            The incident series (a panel is summed over its groups). For multiple
            imputation pass the list of imputed series or the panel with the
            ``imputation`` group: every imputation must conserve on its own.
        table : str
            Ledger table whose ``counted`` rows are compared.

        Returns
        -------
        bool
            True when conservation holds.

        Raises
        ------
        AssertionError
            Naming the totals when it does not.
        """
        items = list(series) if isinstance(series, (list, tuple)) else [series]
        measure = next((s.attrs.get("measure") for s in items if hasattr(s, "attrs")), None)
        t = self.table[(self.table["table"] == table) & (self.table["status"] == "counted")]
        checks = [("count", None, float(len(t)))]
        if measure == "fatalities":
            if "fatalities" not in t.columns:
                raise AssertionError("the series counts fatalities but the ledger has no "
                                     "'fatalities' column")
            checks = [("count", "fatalities", float(np.nansum(t["fatalities"].to_numpy(float))))]
            for col, lc in (("count_low", "fatalities_low"), ("count_high", "fatalities_high")):
                if lc in t.columns:
                    checks.append((col, lc, float(np.nansum(t[lc].to_numpy(float)))))
        expanded = []
        for s in items:
            if "imputation" in getattr(s, "groups", ()):
                expanded.extend(sub for _, sub in s.data.groupby("imputation", sort=True))
            else:
                expanded.append(s.data)
        for i, d in enumerate(expanded):
            for col, what, n in checks:
                total = float(np.nansum(d[col].to_numpy(float)))
                if abs(total - n) > 1e-6 * max(1.0, n):
                    where = '' if len(expanded) == 1 else f' in series {i + 1}'
                    if what is None:
                        msg = f"counts sum to {total:g} but the ledger counts {n:g} {table} rows"
                    else:
                        msg = (f"{col} sums to {total:g} but the counted {table} rows of the "
                               f"ledger hold {n:g} {what}")
                    raise AssertionError(f"conservation fails{where}: {msg}")
        return True

    def to_csv(self, path) -> None:
        """Write the ledger table to the CSV file ``path``, atomically (complete or not at all)."""
        from .._atomic import atomic_path
        with atomic_path(path) as tmp:
            self.table.to_csv(tmp, index=False, lineterminator="\n")
