"""Rates of two periods compared: exact rates, the exact conditional rate ratio, GLM steps.

A comparison is either two named periods (``Comparison.periods``: "July-August against
spring") or the periods before and after an event (``Comparison.around``: "before and
after the talks"), with an optional gap left out around the event. For each:

* each period's rate per series period (per week for weekly series) with its exact
  Garwood interval (:func:`analysis.events.rates.period_rates`);
* the rate ratio ``second / first`` with its exact conditional (Clopper-Pearson mapped)
  interval and the exact binomial test, one- or two-sided
  (:func:`analysis.events.rates.rate_ratio_exact`);
* for event comparisons, count-GLM rate ratios of level steps
  (:func:`analysis.models.fit_counts`): ``same weeks`` fits the rows of the exact
  comparisons only (gaps left out) with a step at the start of each "after" period,
  so that when the comparisons chain (one's "after" is the next one's "before") it
  estimates the same ratios as the exact test, with the model's dispersion; ``all
  weeks`` fits every row with a step on each event date (a row that contains it gets
  the fraction of its days on or after it). All event comparisons of one call share
  these two models (one step per event), as an interrupted time series with several
  events would. Period comparisons get the ``same weeks`` model of their two periods
  (one step at the start of the later) when ``glm`` is set.

Period conventions: a period ``[start, end)`` holds the rows that lie entirely inside
it. Around an event on day ``d`` (lasting to ``until``, inclusive, when given), "before"
is the rows that end by ``d`` and "after" the rows that start on or after ``until``
(``d`` when not given; the event's own day counts as after, as a GLM step does), less
``gap`` further rows on each side.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..series import CountSeries
from . import _text as tx

__all__ = ["Period", "Comparison", "CompareResult", "compare"]

_ALTERNATIVES = ("two-sided", "greater", "less")


@dataclass(frozen=True)
class Period:
    """A named period ``[start, end)`` (end exclusive)."""

    name: str
    start: pd.Timestamp
    end: pd.Timestamp

    def __post_init__(self):
        object.__setattr__(self, "start", pd.Timestamp(self.start))
        object.__setattr__(self, "end", pd.Timestamp(self.end))
        if not self.end > self.start:
            raise ValueError(f"period {self.name!r}: end {self.end.date()} must be after start "
                             f"{self.start.date()}")


@dataclass(frozen=True)
class Comparison:
    """One question "did the rate differ between these two periods?".

    Build it with :meth:`periods` or :meth:`around`; :func:`compare` answers it.

    Attributes
    ----------
    name : str
        Key of the comparison in tables and results (``late_january``).
    first, second : Period or None
        The periods compared (the ratio is ``second / first``). ``None`` for an event
        comparison until :meth:`resolve` fixes them on a series.
    event, until : Timestamp or None
        The event's first and last day (event comparisons).
    gap : int
        Further rows left out on each side of the event.
    start, end : Timestamp or None
        Outer limits of an event comparison's periods (default: the series).
    alternative : {"two-sided", "greater", "less"}
        ``greater`` tests a higher rate in the second period.
    label : str
        Noun phrase for sentences ("the late-January 2024 events", or for two periods
        "July-August against spring").
    after_label : str
        Word for the event after "after" ("them"); default ``label``.
    glm : bool
        Also give GLM rate ratios.

    Examples
    --------
    >>> from analysis.questions import compare
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> res = compare(s, [Comparison.around("step", "2024-02-05")])
    >>> res.exact[["comparison", "count_before", "count_after", "rate_ratio"]].round(2).values.tolist()
    [['step', 4.0, 47.0, 11.75]]
    """

    name: str
    first: Period | None = None
    second: Period | None = None
    event: pd.Timestamp | None = None
    until: pd.Timestamp | None = None
    gap: int = 0
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    alternative: str = "two-sided"
    label: str = ""
    after_label: str = ""
    glm: bool = True

    def __post_init__(self):
        if self.alternative not in _ALTERNATIVES:
            raise ValueError(f"comparison {self.name!r}: alternative must be one of "
                             f"{', '.join(_ALTERNATIVES)}, not {self.alternative!r}")
        for k in ("event", "until", "start", "end"):
            v = getattr(self, k)
            if v is not None:
                object.__setattr__(self, k, pd.Timestamp(v))
        if self.event is None and (self.first is None or self.second is None):
            raise ValueError(f"comparison {self.name!r}: give two periods or an event")
        if self.until is not None and self.event is not None and self.until < self.event:
            raise ValueError(f"comparison {self.name!r}: until {self.until.date()} is before the event "
                             f"{self.event.date()}")
        if int(self.gap) < 0:
            raise ValueError(f"comparison {self.name!r}: gap must be >= 0, not {self.gap}")

    @classmethod
    def periods(cls, name: str, first: tuple, second: tuple, *, first_name: str | None = None,
                second_name: str | None = None, alternative: str = "two-sided", label: str = "",
                glm: bool = False) -> "Comparison":
        """Two periods ``(start, end)``, end exclusive; the ratio is second over first."""
        return cls(name=name, first=Period(first_name or f"first_{name}", *first),
                   second=Period(second_name or f"second_{name}", *second),
                   alternative=alternative, label=label or name, glm=glm)

    @classmethod
    def around(cls, name: str, event, *, until=None, gap: int = 0, start=None, end=None,
               alternative: str = "two-sided", label: str = "", after_label: str = "",
               glm: bool = True) -> "Comparison":
        """Before and after an event (``event`` to ``until``, days inclusive)."""
        return cls(name=name, event=event, until=until, gap=gap, start=start, end=end,
                   alternative=alternative, label=label or f"the event of {pd.Timestamp(event).date()}",
                   after_label=after_label, glm=glm)

    @property
    def is_event(self) -> bool:
        return self.event is not None

    def resolve(self, series: CountSeries) -> "Comparison":
        """The comparison with its periods fixed on the rows of ``series``."""
        if not self.is_event:
            return self
        st, en = series.start, series.end
        lo = self.start if self.start is not None else st.min()
        hi = self.end if self.end is not None else en.max()
        until = self.until if self.until is not None else self.event
        before = np.flatnonzero(np.asarray((en <= self.event) & (st >= lo)))
        after = np.flatnonzero(np.asarray((st >= until) & (en <= hi)))
        g = int(self.gap)
        before = before[: len(before) - g] if g else before
        after = after[g:]
        if not len(before) or not len(after):
            raise ValueError(f"comparison {self.name!r}: no whole row of the series lies "
                             f"{'before' if not len(before) else 'after'} the event "
                             f"({self.event.date()}{'' if self.until is None else ' to ' + str(until.date())})")
        first = Period(f"before_{self.name}", st[before[0]], en[before[-1]])
        second = Period(f"after_{self.name}", st[after[0]], en[after[-1]])
        return _replace(self, first=first, second=second)


def _replace(c: Comparison, **kw) -> Comparison:
    from dataclasses import replace
    return replace(c, **kw)


@dataclass(frozen=True)
class CompareResult:
    """Answers of :func:`compare`.

    Attributes
    ----------
    comparisons : tuple of Comparison
        Resolved (periods fixed).
    periods : pandas.DataFrame
        ``period, start, end, rows, count, exposure_days, rate, ci_low, ci_high`` (rate
        per series period).
    exact : pandas.DataFrame
        One row per comparison: ``comparison, method, before, after, count_before,
        count_after, rate_before, rate_after, rate_ratio, ci_low, ci_high, p_value, k1,
        k2, expected_share, rounded, alternative``.
    glm : pandas.DataFrame
        GLM level steps: ``comparison, method, rate_ratio, ci_low, ci_high, p_value,
        alternative``.
    model_terms : pandas.DataFrame
        Every term of the GLMs, with ``model`` and ``family``.
    notes : tuple of str
    settings : dict
    """

    comparisons: tuple
    periods: pd.DataFrame
    exact: pd.DataFrame
    glm: pd.DataFrame
    model_terms: pd.DataFrame
    notes: tuple = ()
    settings: dict = field(default_factory=dict)

    @property
    def rate_ratios(self) -> pd.DataFrame:
        """Exact and GLM rate ratios in one table."""
        return pd.concat([self.exact, self.glm], ignore_index=True) if len(self.glm) else self.exact

    def numbers(self) -> dict:
        """Flat JSON-ready numbers: ``rate_<period>``, ``count_<period>``, ``rr_<name>_exact``,
        ``rr_<name>_glm_same_weeks`` / ``_all_weeks`` with ``_ci``, and ``p_...``."""
        out = {}
        for _, r in self.rate_ratios.iterrows():
            m = r["method"]
            key = (f"{r['comparison']}_exact" if m == "exact conditional"
                   else f"{r['comparison']}_glm_{'same_weeks' if 'same weeks' in m else 'all_weeks'}")
            out[f"rr_{key}"] = r["rate_ratio"]
            out[f"rr_{key}_ci"] = [r["ci_low"], r["ci_high"]]
            out[f"p_{key}"] = r["p_value"]
        for _, r in self.periods.iterrows():
            out[f"rate_{r['period']}"] = r["rate"]
            out[f"rate_{r['period']}_ci"] = [r["ci_low"], r["ci_high"]]
            out[f"count_{r['period']}"] = r["count"]
        return out

    def sentences(self, *, noun: str = "events", unit: str = "week") -> dict:
        """One sentence per comparison, keyed by its name, numbers included."""
        level = self.settings.get("level", 0.95)
        pct = f"{level:.0%}"
        per = self.periods.set_index("period")
        rr = self.rate_ratios

        def rate(name):
            r = per.loc[name]
            return (f"{r['rate']:.2f} per {unit} ({pct} CI {tx.ci(r['ci_low'], r['ci_high'])}; "
                    f"{r['count']:g} {noun} in {r['rows']} {unit}s, {r['start'].date()} to "
                    f"{tx.last_day(r['end']).date()})")

        def ratio(comp):
            x = rr[(rr["comparison"] == comp) & (rr["method"] == "exact conditional")].iloc[0]
            return (f"rate ratio {x['rate_ratio']:.3g} ({pct} CI {tx.ci(x['ci_low'], x['ci_high'], 3)}, "
                    f"p = {tx.p(x['p_value'])})")

        def glm(comp):
            x = rr[(rr["comparison"] == comp) & (rr["method"] != "exact conditional")]
            return "".join(f"; {r['method']}: {r['rate_ratio']:.3g} ({pct} CI "
                           f"{tx.ci(r['ci_low'], r['ci_high'], 3)})" for _, r in x.iterrows())

        out = {}
        for c in self.comparisons:
            if c.is_event:
                out[c.name] = (f"Before {c.label} the rate was {rate(c.first.name)}; after "
                               f"{c.after_label or c.label} {rate(c.second.name)}. Exact "
                               f"{ratio(c.name)}{glm(c.name)}.")
            else:
                x = rr[(rr["comparison"] == c.name) & (rr["method"] == "exact conditional")].iloc[0]
                verdict = "a significant" if x["p_value"] < 1 - level else "no significant"
                what = {"greater": "rise", "less": "fall", "two-sided": "difference"}[c.alternative]
                sided = "two-sided" if c.alternative == "two-sided" else "one-sided"
                out[c.name] = (f"{c.label}: {rate(c.second.name)} against {rate(c.first.name)}; "
                               f"{ratio(c.name)}, {sided} exact conditional test: {verdict} {what} at the "
                               f"{1 - level:.0%} level{glm(c.name)}.")
        return out

    def to_dict(self) -> dict:
        return {"periods": self.periods, "exact": self.exact, "glm": self.glm,
                "numbers": self.numbers(), "notes": list(self.notes), "settings": self.settings}


def _fit(series, family, evts, level):
    from ..models import fit_counts
    from ..schema import ModelError
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fit_counts(series, family=family, events=evts, level=level), family
        except ModelError:
            return fit_counts(series, family="poisson", events=evts, level=level), "poisson"


def _keep_rows(series, periods) -> CountSeries:
    st, en = series.data["start"], series.data["end"]
    keep = np.zeros(series.n, bool)
    for p in periods:
        keep |= ((st >= p.start) & (en <= p.end)).to_numpy()
    return CountSeries(series.data.loc[keep], freq=series.freq, attrs=dict(series.attrs))


def compare(series: CountSeries, comparisons, *, family: str = "negbin", level: float = 0.95
            ) -> CompareResult:
    """Answer each comparison on ``series``.

    Parameters
    ----------
    series : CountSeries
        One series (no groups) with exact counts.
    comparisons : sequence of Comparison
    family : {"negbin", "poisson", "quasipoisson"}
        Family of the GLMs (NB2 falls back to Poisson, with a note, when it cannot be
        fitted).
    level : float
        Confidence level of every interval; ``1 - level`` is the test's verdict level.

    Returns
    -------
    CompareResult

    Raises
    ------
    ValueError
        Two comparisons with one name, a period that holds no whole row, or a
        period comparison with ``glm`` whose periods overlap.

    Examples
    --------
    >>> st = pd.date_range("2024-01-01", periods=8, freq="7D")
    >>> s = CountSeries(pd.DataFrame({"start": st, "end": st + pd.Timedelta(days=7),
    ...                               "count": [9, 11, 10, 10, 2, 3, 1, 2]}), freq="W")
    >>> r = compare(s, [Comparison.around("drop", "2024-01-29")], family="poisson")
    >>> r.exact[["count_before", "count_after"]].iloc[0].tolist(), round(float(r.exact["rate_ratio"].iloc[0]), 6)
    ([40.0, 8.0], 0.2)
    """
    from ..events.rates import period_rates, rate_ratio_exact

    names = [c.name for c in comparisons]
    if len(set(names)) != len(names):
        raise ValueError(f"comparison names must be unique, got {names}")
    comps = tuple(c.resolve(series) for c in comparisons)
    per_days = tx.per_days_of(series)
    periods = {}
    for c in comps:
        for p in (c.first, c.second):
            if p.name in periods and (periods[p.name].start, periods[p.name].end) != (p.start, p.end):
                raise ValueError(f"period name {p.name!r} is used for two different periods")
            periods[p.name] = p
    per = period_rates(series, {k: (p.start, p.end) for k, p in periods.items()}, level=level,
                       per_days=per_days)
    pi = per.set_index("period")
    exact = []
    for c in comps:
        a, b = c.first.name, c.second.name
        r = rate_ratio_exact(pi.loc[a, "count"], pi.loc[a, "exposure_days"], pi.loc[b, "count"],
                             pi.loc[b, "exposure_days"], level=level, alternative=c.alternative)
        exact.append({"comparison": c.name, "method": "exact conditional", "before": a, "after": b,
                      "count_before": pi.loc[a, "count"], "count_after": pi.loc[b, "count"],
                      "rate_before": pi.loc[a, "rate"], "rate_after": pi.loc[b, "rate"], **r,
                      "alternative": c.alternative})
    notes, glm_rows, terms = [], [], []

    def add(fit, fam_used, label, pairs):
        if fam_used != family:
            notes.append(f"The {family} model ({label}) could not be fitted; its rate ratios use {fam_used}.")
        terms.append(fit.terms.assign(model=label, family=fam_used))
        for name, step in pairs:
            row = fit.terms.loc[fit.terms["name"] == f"level:{step.date()}"]
            if len(row):
                row = row.iloc[0]
                glm_rows.append({"comparison": name, "method": f"GLM {fam_used}, {label}, step {step.date()}",
                                 "rate_ratio": row["rate_ratio"], "ci_low": row["ci_low"],
                                 "ci_high": row["ci_high"], "p_value": row["p_value"],
                                 "alternative": "two-sided"})

    ev = [c for c in comps if c.is_event and c.glm]
    if ev:
        same = _keep_rows(series, [p for c in ev for p in (c.first, c.second)])
        steps = [(c.name, c.second.start) for c in ev]
        fit, fam = _fit(same, family, sorted({f"{s.date()}:level" for _, s in steps}), level)
        add(fit, fam, "same weeks", steps)
        steps = [(c.name, c.event) for c in ev]
        fit, fam = _fit(series, family, sorted({f"{s.date()}:level" for _, s in steps}), level)
        add(fit, fam, "all weeks", steps)
    for c in comps:
        if c.is_event or not c.glm:
            continue
        lo, hi = sorted((c.first, c.second), key=lambda p: p.start)
        if lo.end > hi.start:
            raise ValueError(f"comparison {c.name!r}: a GLM step needs two periods that do not overlap")
        fit, fam = _fit(_keep_rows(series, [lo, hi]), family, [f"{hi.start.date()}:level"], level)
        add(fit, fam, "same weeks", [(c.name, hi.start)])
        if hi is c.first:  # the step estimates first / second: report second / first
            g = glm_rows[-1]
            g.update(rate_ratio=1 / g["rate_ratio"], ci_low=1 / g["ci_high"], ci_high=1 / g["ci_low"])
    glm_cols = ["comparison", "method", "rate_ratio", "ci_low", "ci_high", "p_value", "alternative"]
    settings = {"family": family, "level": level, "per_days": per_days}
    return CompareResult(comparisons=comps, periods=per, exact=pd.DataFrame(exact),
                         glm=pd.DataFrame(glm_rows, columns=glm_cols),
                         model_terms=pd.concat(terms, ignore_index=True) if terms else pd.DataFrame(),
                         notes=tuple(notes), settings=settings)
