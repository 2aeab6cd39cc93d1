"""How the answers move when the tallies enter at other bounds.

A tally "more than 165 attacks" or "about 170" allows a range of counts. The series
built from tallies and incidents (:func:`analysis.normalize.sources.tallies_and_incidents`)
takes one figure per statement by a ``bounds`` rule; :func:`bounds_sensitivity` rebuilds
the series under each rule (``lower``: the smallest counts the statements allow,
``stated``, ``upper``: the largest), re-runs the changepoint search and the exact
comparisons, and tabulates how the change dates and the rate ratios move.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from . import _text as tx

__all__ = ["SensitivityResult", "bounds_sensitivity"]

_RULE_TEXT = {"lower": "the lowest counts their statements allow",
              "stated": "their stated figures",
              "upper": "the highest counts their statements allow"}


@dataclass(frozen=True)
class SensitivityResult:
    """Answers under each bounds rule.

    Attributes
    ----------
    name : str
    changes : pandas.DataFrame
        One row per rule: ``bounds, total, n_changes, changes`` (first days of the new
        segments, comma-separated).
    ratios : pandas.DataFrame
        One row per rule and comparison: ``bounds, comparison, count_before,
        count_after, rate_before, rate_after, rate_ratio, ci_low, ci_high, p_value``.
    settings : dict
    """

    name: str
    changes: pd.DataFrame
    ratios: pd.DataFrame
    settings: dict = field(default_factory=dict)

    def numbers(self) -> dict:
        out = {}
        for _, r in self.changes.iterrows():
            out[f"{r['bounds']}_total"] = r["total"]
            out[f"{r['bounds']}_changes"] = [d for d in str(r["changes"]).split(", ") if d]
        for _, r in self.ratios.iterrows():
            k = f"{r['bounds']}_rr_{r['comparison']}"
            out[k] = r["rate_ratio"]
            out[f"{k}_ci"] = [r["ci_low"], r["ci_high"]]
        return out

    def sentences(self, *, noun: str = "events", unit: str = "week", method: str = "PELT") -> dict:
        level = self.settings.get("level", 0.95)
        pct = f"{level:.0%}"
        parts = []
        for _, r in self.changes.iterrows():
            rr = self.ratios[self.ratios["bounds"] == r["bounds"]]
            ratios = "; ".join(f"{x['comparison']} rate ratio {x['rate_ratio']:.3g} ({pct} CI "
                               f"{tx.ci(x['ci_low'], x['ci_high'], 3)})" for _, x in rr.iterrows())
            parts.append(f"with the tallies at {_RULE_TEXT[r['bounds']]} ({r['total']:g} {noun} in all), "
                         f"{method} finds changes in the {unit}s of {r['changes'] or 'none'}"
                         + (f"; {ratios}" if ratios else ""))
        text = "; ".join(parts)
        return {self.name: text[:1].upper() + text[1:] + "."}

    def robustness(self, *, unit: str = "week", method: str = "PELT") -> str:
        """One sentence: do the change dates move when the tallies move within their bounds?"""
        short = {"lower": "lowest", "stated": "stated", "upper": "highest"}
        rules = [short[b] for b in self.changes["bounds"]]
        found = [str(c) if str(c) else "none" for c in self.changes["changes"]]
        said = rules[0] if len(rules) == 1 else ", ".join(rules[:-1]) + " and " + rules[-1]
        if len(set(found)) == 1:
            where = (f"a change in the {unit} of {found[0]}" if "," not in found[0] else
                     f"changes in the {unit}s of {found[0]}") if found[0] != "none" else "no change"
            return (f"Robustness: with the tallies at their {said} values, {method} finds the same: "
                    f"{where}.")
        moves = "; ".join(f"at the {r} values: {c}" for r, c in zip(rules, found))
        return f"Robustness: the change dates move with the tally bounds ({moves})."

    def to_dict(self) -> dict:
        return {"changes": self.changes, "ratios": self.ratios, "numbers": self.numbers(),
                "settings": self.settings}


def bounds_sensitivity(reports, tallies, *, source: str, window, freq: str = "W", region: str = "all",
                       since=None, aliases=None, bounds=("lower", "stated", "upper"),
                       method: str = "pelt", cost: str = "poisson", penalty="mbic", min_size: int = 2,
                       comparisons=(), level: float = 0.95, name: str = "bounds",
                       tallies_only: bool = False) -> SensitivityResult:
    """Re-run the changepoint search and the exact comparisons under each bounds rule.

    Parameters
    ----------
    reports, tallies, source, window, freq, region, since, aliases
        As for :func:`analysis.normalize.sources.tallies_and_incidents`.
    bounds : sequence of {"lower", "stated", "upper"}
    method, cost, penalty, min_size
        The changepoint search (:func:`analysis.changepoints.detect_changepoints`).
    comparisons : sequence of Comparison
        Compared exactly (:func:`analysis.questions.compare`, no GLM) on each series.
    level : float
    tallies_only : bool
        Use only the periods counted wholly from the tallies (``[series] source = "tallies"``).

    Returns
    -------
    SensitivityResult

    Examples
    --------
    >>> import pandas as pd
    >>> reports = pd.DataFrame({"report_id": ["r1"], "date": ["2024-01-24"], "country": "X", "location": ["a"],
    ...                         "source": "news"})
    >>> tallies = pd.DataFrame({"tally_id": ["t1", "t2", "t3"], "since": "2024-01-01",
    ...                         "as_of": ["2024-01-07", "2024-01-14", "2024-01-21"], "count": [3, 9, 14],
    ...                         "bound": ["exact", "more_than", "exact"], "region": "all", "source": "ministry"})
    >>> sens = bounds_sensitivity(reports, tallies, source="ministry", window=("2024-01-01", "2024-01-29"),
    ...                           min_size=1)
    >>> sens.changes[["bounds", "total", "n_changes"]].values.tolist()
    [['lower', 15.0, 0], ['stated', 15.0, 0], ['upper', 15.0, 2]]
    """
    from dataclasses import replace

    from ..changepoints import detect_changepoints
    from ..normalize.sources import tallies_and_incidents
    from .compare import compare

    if not bounds:
        raise ValueError("bounds_sensitivity needs at least one bounds rule")
    ch, rat = [], []
    for b in bounds:
        comb = tallies_and_incidents(reports, tallies, source=source, window=window, freq=freq,
                                     region=region, since=since, bounds=b, aliases=aliases)
        ser = comb.tallies_only() if tallies_only else comb.series
        seg = detect_changepoints(ser, method=method, cost=cost, penalty=penalty, min_size=min_size)
        ch.append({"bounds": b, "total": ser.total, "n_changes": len(seg.changepoints),
                   "changes": ", ".join(str(ser.start[i].date()) for i in seg.changepoints)})
        if comparisons:
            res = compare(ser, [replace(c, glm=False) for c in comparisons], level=level)
            for _, r in res.exact.iterrows():
                rat.append({"bounds": b, **{k: r[k] for k in (
                    "comparison", "count_before", "count_after", "rate_before", "rate_after",
                    "rate_ratio", "ci_low", "ci_high", "p_value")}})
    cols = ["bounds", "comparison", "count_before", "count_after", "rate_before", "rate_after",
            "rate_ratio", "ci_low", "ci_high", "p_value"]
    settings = {"bounds": list(bounds), "method": method, "cost": cost, "penalty": penalty,
                "min_size": min_size, "level": level, "source": source}
    return SensitivityResult(name=name, changes=pd.DataFrame(ch), ratios=pd.DataFrame(rat, columns=cols),
                             settings=settings)
