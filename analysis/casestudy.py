"""The bundled case study, computed: did attacks on US-led coalition forces fall after
the late-January 2024 events and resume around the July 2024 Washington talks?

:func:`case_study_answers` computes every number from the bundled data (``data/``) and
returns them as data (tables and numbers) with generated sentences and the coverage
limits that belong next to them. The report and the notebooks render it; nothing here
prints, plots or writes files.

Questions and methods
---------------------
1. *When did the attack rate change?* PELT (Poisson cost, MBIC penalty, minimum segment
   of 2 weeks) and the exact Bayesian product-partition posterior (Poisson-Gamma):
   probability of a change at each week, the MAP segmentation, location intervals.
2. *Which events lie within +-14 days of each change?* :func:`analysis.events.attribute_changes`
   (lag = change minus event, positive when the change follows the event), with the
   alignment randomisation test (uniform and shift nulls) and, per event, the posterior
   mass of a change within +-14 days and the Bayes factor of an event-informed prior.
3. *Rate before and after the late-January 2024 events* (Tower 22 on 2024-01-28, the
   Kataib Hezbollah suspension on 01-30, the US strikes on 02-02) *and before and after
   the July 2024 Washington talks* (2024-07-22/23): exact Poisson rates per week with
   Garwood intervals over whole weeks on either side (the weeks that contain the events
   are left out of the exact comparison), exact conditional rate ratios, and rate
   ratios of level steps in a count GLM (:func:`analysis.models.fit_counts`).
4. *Do the July-August 2024 incidents show a significant rise over the spring rate?*
   Exact conditional Poisson test (``scipy.stats.binomtest`` on the split of the
   July-August and March-May counts given their exposures), one-sided.

Series
------
Weekly (ISO weeks, Monday to Sunday) counts from :func:`analysis.normalize.normalize`
on the bundled reports and tallies. The incident list is far from complete in the
winter of 2023-24 (the Pentagon's cumulative tallies count about 165-170 attacks by
2024-02-04, the list a fraction of them), so where the tallies cover a period their
counts are spread over its weeks and take the place of the incident counts
(see :func:`case_study_series`); after the tallies end, the incident list is the only
source of timing.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .series import CountSeries

__all__ = ["CaseStudyAnswers", "case_study_answers", "case_study_series", "CASE_WINDOW",
           "LATE_JANUARY", "TALKS", "PERIODS", "ITS_VARIANTS", "tally_point_path"]

#: Weekly window of the case study: the week of 2023-10-16 (attacks counted from
#: 10-17) to the week ending 2024-09-01 (nothing after August 2024 in the sources).
CASE_WINDOW = ("2023-10-16", "2024-09-02")
#: The late-January 2024 events (event ids in data/events.csv).
LATE_JANUARY = {"E007": "2024-01-28", "E008": "2024-01-30", "E009": "2024-02-02"}
#: The US-Iraq Joint Security Cooperation Dialogue, Washington (E014).
TALKS = ("2024-07-22", "2024-07-23")
#: Event-anchored ITS models compared with free changepoints: a level step at one of the
#: late-January events, plus one at the talks.
ITS_VARIANTS = {
    "Tower 22 + talks": ["2024-01-28:level", "2024-07-22:level"],
    "KH suspension + talks": ["2024-01-30:level", "2024-07-22:level"],
    "US strikes + talks": ["2024-02-02:level", "2024-07-22:level"],
}
#: Whole-week periods ``[start, end)`` of the exact comparisons.
PERIODS = {
    "before_late_january": ("2023-10-16", "2024-01-22"),
    "after_late_january": ("2024-02-05", "2024-07-22"),
    "before_talks": ("2024-02-05", "2024-07-22"),
    "after_talks": ("2024-07-22", "2024-09-02"),
    "spring": ("2024-03-04", "2024-06-03"),
    "july_august": ("2024-07-01", "2024-09-02"),
}


@dataclass(frozen=True)
class CaseStudyAnswers:
    """The computed case study.

    Attributes
    ----------
    series : CountSeries
        The weekly series every answer is computed from.
    tables : dict of str -> pandas.DataFrame
        ``segments`` (PELT), ``changes`` (PELT and Bayesian MAP change dates),
        ``attribution``, ``attribution_pairs``, ``bayes_weeks`` (posterior change
        probability per week), ``event_posterior``, ``bayes_factors``, ``periods``
        (exact rates), ``rate_ratios`` (exact and GLM), ``model_terms``,
        ``comparison`` (BIC table), ``alignment``.
    numbers : dict
        Headline numbers, flat, JSON-ready.
    sentences : dict of str -> str
        One generated sentence per answer, numbers included.
    coverage : list of str
        What the data cover and do not cover; print next to the numbers.
    settings : dict
        Every setting used (window, penalty, seeds...).
    """

    series: CountSeries
    tables: dict
    numbers: dict
    sentences: dict
    coverage: list
    settings: dict
    extras: dict = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict:
        """JSON-ready dict (tables as lists of records, dates as ISO days)."""
        return _jsonable({"numbers": self.numbers, "sentences": self.sentences,
                          "coverage": self.coverage, "settings": self.settings,
                          "tables": {k: v for k, v in self.tables.items()}})


# --------------------------------------------------------------------------- series
#: Counter whose tallies give the winter counts, and the chain (its ``since``) used.
TALLY_SOURCE, TALLY_SINCE = "Pentagon", "2023-10-17"


def tally_point_path(tallies_result, tallies: pd.DataFrame, *, source: str = TALLY_SOURCE,
                     region: str = "all", since: str = TALLY_SINCE, rule: str = "stated") -> pd.DataFrame:
    """One cumulative count per tally date: the point path through the stated bounds.

    Each resolved cumulative statement of the chain (after conflicts, stale figures and
    monotone tightening, :func:`analysis.normalize.tallies_to_intervals`) contributes
    its stated figure: N for ``exact``, ``at_least`` and ``about``, N + 1 for
    ``more_than``; the figure is clipped into the chain's tightened range ``[lower,
    upper]`` for that day and made non-decreasing. Counts between successive dates are
    the differences. ``rule="lower"`` takes the lower end of each tightened range
    instead (the smallest counts the statements allow; a sensitivity check).

    Returns
    -------
    pandas.DataFrame
        ``as_of, tally_id, bound, stated, lower, upper, point, interval_start,
        interval_end`` (``interval_end`` exclusive) and ``count`` (attacks in the
        interval).
    """
    cum = tallies_result.cumulative
    m = ((cum["source"] == source) & (cum["region"].astype(str).str.lower() == region)
         & (pd.to_datetime(cum["since"]) == pd.Timestamp(since)))
    c = cum.loc[m].sort_values("as_of").reset_index(drop=True)
    if not len(c):
        raise ValueError(f"no tallies of {source!r}, region {region!r}, since {since}")
    t = tallies.drop_duplicates("tally_id").set_index("tally_id")
    stated = t.loc[c["tally_id"], "count"].astype(float).to_numpy()
    bound = t.loc[c["tally_id"], "bound"].astype(str).to_numpy()
    if rule not in ("stated", "lower"):
        raise ValueError(f"rule must be 'stated' or 'lower', not {rule!r}")
    nominal = stated + (bound == "more_than")
    lo = c["lower"].to_numpy(float)
    hi = c["upper"].to_numpy(float)
    point = np.maximum.accumulate(np.clip(nominal, lo, hi) if rule == "stated" else lo)
    as_of = pd.DatetimeIndex(pd.to_datetime(c["as_of"]))
    starts = pd.DatetimeIndex([pd.Timestamp(since)]).append(as_of[:-1] + pd.Timedelta(days=1))
    return pd.DataFrame({"as_of": as_of, "tally_id": c["tally_id"].to_numpy(), "bound": bound,
                         "stated": stated, "lower": lo, "upper": hi, "point": point,
                         "interval_start": starts, "interval_end": as_of + pd.Timedelta(days=1),
                         "count": np.diff(np.r_[0.0, point])})


def case_study_series(data=None, *, window=CASE_WINDOW, tally_rule: str = "stated"
                      ) -> tuple[CountSeries, dict]:
    """The weekly case-study series from the bundled reports and tallies.

    Rule (documented choice): the incident list is far from complete in the winter of
    2023-24, so wherever the Pentagon's tallies cover a day their count is used, and the
    incident list only elsewhere.

    1. Reports -> incidents with :func:`analysis.normalize.normalize` (daily, the
       case-study place aliases), tallies -> interval ranges per counter.
    2. The Pentagon chain counted from 2023-10-17 becomes a point path
       (:func:`tally_point_path` with ``tally_rule``); each interval's count is spread uniformly over its
       days with :func:`analysis.normalize.reconcile.spread_tallies` (uniformly, not by
       incident timing: the list holds too few winter attacks to time them), and the
       cumulative spread path is rounded to whole attacks per day (interval totals are
       whole, so each interval keeps its total; the Poisson cost and the exact tests
       need whole counts).
    3. Later exact Pentagon intervals (the 0 attacks of 2024-02-05 to 04-20) cover the
       days the chain does not reach.
    4. Every other day takes the deduplicated incident count; the days are binned into
       ISO weeks (Monday to Sunday), exposure 7 days.

    Returns
    -------
    series : CountSeries
        Weekly, with ``attrs["source_of_counts"]`` and a ``tally_days`` column (days of
        the week whose count comes from the tallies).
    info : dict
        ``normalized`` (NormalizeResult), ``tally_path`` (DataFrame), ``coverage``
        (incident list against the tallies), ``notes`` (list of str).
    """
    from .normalize import normalize
    from .normalize.reconcile import coverage, spread_tallies

    if data is None:
        from .datasets import load_case_study
        data = load_case_study()
    try:
        from .datasets import CASE_STUDY_ALIASES as aliases
    except ImportError:  # older datasets module
        aliases = None
    w0, w1 = pd.Timestamp(window[0]), pd.Timestamp(window[1])
    if w0.weekday() != 0 or w1.weekday() != 0:
        raise ValueError(f"window must run Monday to Monday (ISO weeks), got {window}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        norm = normalize(reports=data.reports, tallies=data.tallies, freq="D",
                         window=(w0, w1 - pd.Timedelta(days=1)), allocate="start", aliases=aliases)
    days = pd.date_range(w0, w1 - pd.Timedelta(days=1), freq="D")
    inc = pd.Series(norm.series.counts, index=pd.DatetimeIndex(norm.series.start)).reindex(days, fill_value=0.0)
    nrep = pd.Series(norm.series.data["n_reports"].to_numpy(), index=pd.DatetimeIndex(norm.series.start)
                     ).reindex(days, fill_value=0)

    path = tally_point_path(norm.tallies, data.tallies, rule=tally_rule)
    chain = CountSeries(pd.DataFrame({"start": path["interval_start"], "end": path["interval_end"],
                                      "count": path["count"]}), freq=None)
    spread = spread_tallies(chain, None)
    tally = pd.Series(np.nan, index=days)
    sp = pd.Series(spread.counts, index=pd.DatetimeIndex(spread.start))
    sp = sp[(sp.index >= w0) & (sp.index < w1)]
    tally.loc[sp.index] = sp.to_numpy()
    # later exact intervals of the same counter fill the days the chain does not reach
    iv = norm.tallies.intervals
    later = iv[(iv["source"] == TALLY_SOURCE) & (iv["region"].astype(str).str.lower() == "all")
               & (pd.to_datetime(iv["since"]) > pd.Timestamp(TALLY_SINCE)) & iv["count"].notna()]
    for _, r in later.iterrows():
        d = pd.date_range(r["start"], pd.Timestamp(r["end"]) - pd.Timedelta(days=1), freq="D")
        d = d[(d >= w0) & (d < w1)]
        free = d[tally.loc[d].isna().to_numpy()]
        if len(free):
            rate = float(r["count"]) / float(r["exposure"])
            tally.loc[free] = rate
    from_tally = tally.notna()
    # whole attacks per day: round the cumulative spread path (interval totals are whole,
    # so every interval keeps its total exactly); count costs and exact tests need integers
    cum = np.round(np.cumsum(tally.fillna(0.0).to_numpy()) + 1e-9)
    tally_int = pd.Series(np.diff(np.r_[0.0, cum]), index=days)
    daily = tally_int.where(from_tally, inc)
    n_weeks = len(days) // 7
    counts = daily.to_numpy(float).reshape(n_weeks, 7).sum(axis=1)
    tdays = from_tally.to_numpy().reshape(n_weeks, 7).sum(axis=1)
    reps = np.where(from_tally, 0, nrep.to_numpy()).reshape(n_weeks, 7).sum(axis=1)
    starts = days[::7]
    frame = pd.DataFrame({"start": starts, "end": starts + pd.Timedelta(days=7), "count": counts,
                          "exposure": 7.0, "n_reports": reps, "tally_days": tdays})
    tally_span = (daily.index[from_tally.to_numpy()].min(), daily.index[from_tally.to_numpy()].max())
    series = CountSeries(frame, freq="W", attrs={
        "name": "attacks on US-led coalition forces (Iraq, Syria, Jordan), per ISO week",
        "source_of_counts": (f"Pentagon tallies {tally_span[0].date()} to {tally_span[1].date()} "
                             "(spread uniformly within tally intervals); incident list elsewhere"),
        "window": [str(w0.date()), str((w1 - pd.Timedelta(days=1)).date())]})
    inc_in_chain = float(inc.loc[(inc.index >= path['interval_start'].min())
                                 & (inc.index < path['interval_end'].max())].sum())
    cov = coverage(norm.incidents[norm.incidents["counted"]], chain) if norm.incidents is not None else None
    notes = [
        f"Counts from {tally_span[0].date()} to {tally_span[1].date()} come from the Pentagon's "
        f"cumulative tallies ({len(path)} resolved statements, {path['point'].iloc[-1]:g} attacks "
        f"by {path['as_of'].iloc[-1].date()}), spread uniformly over the days of each interval "
        "between successive tallies (rounded to whole attacks per day); the incident list holds only "
        f"{inc_in_chain:g} attacks in the same period.",
        "Bounded tallies enter at their stated figure ('more than N' as N + 1), kept inside the "
        "range the other statements allow and made non-decreasing.",
        f"After {tally_span[1].date()} the deduplicated incident list is the only source "
        "(the list may be incomplete).",
    ]
    info = {"normalized": norm, "tally_path": path, "coverage": cov, "notes": notes,
            "incidents_in_tally_period": inc_in_chain, "tally_span": tally_span}
    return series, info


# --------------------------------------------------------------------------- answers
def case_study_answers(series: CountSeries | None = None, events=None, *, window=CASE_WINDOW,
                       window_days: float = 14, penalty="mbic", min_size: int = 2,
                       p_change: float = 0.02, family: str = "negbin", draws: int = 9999,
                       seed: int = 20231017, level: float = 0.95,
                       bayes_factors: bool = True) -> CaseStudyAnswers:
    """Compute every answer of the case study.

    Parameters
    ----------
    series : CountSeries, optional
        Weekly series; default :func:`case_study_series` on the bundled data.
    events : EventCatalogue, DataFrame or path, optional
        Default: the bundled ``data/events.csv``.
    window : (start, end)
        Weekly window (end exclusive) when the series is built here.
    window_days : float, default 14
        Half-width of the attribution window.
    penalty, min_size : PELT settings (MBIC, 2 weeks).
    p_change : float
        Prior probability of a change at each week in the Bayesian posterior.
    family : {"negbin", "poisson"}
        Family of the count GLM giving model-based rate ratios (falls back to Poisson
        with a note if NB2 cannot be fitted).
    draws, seed : alignment test settings.
    level : float
        Confidence level of every interval.
    bayes_factors : bool
        Compute the per-event Bayes factors (one posterior per event).

    Returns
    -------
    CaseStudyAnswers
    """
    from . import events as ev
    from .events.rates import period_rates, rate_ratio_exact

    coverage: list[str] = []
    extras: dict = {}
    if series is None:
        series, info = case_study_series(window=window)
        coverage += info["notes"]
        extras.update(info)
    if events is None:
        from .datasets import load_case_study
        events = load_case_study().events
    cat = ev.as_catalogue(events)
    lo, hi = series.start.min(), series.end.max()
    in_window = cat.select(start=lo, end=hi - pd.Timedelta(days=1))
    settings = {"window": [str(lo.date()), str(hi.date())], "freq": series.freq, "n_weeks": series.n,
                "window_days": window_days, "penalty": penalty, "min_size": min_size,
                "p_change": p_change, "family": family, "draws": draws, "seed": seed, "level": level,
                "lag_sign": "lag_days = change date minus event date (positive: change after event)"}
    tables: dict = {}
    numbers: dict = {"total_count": series.total, "n_weeks": series.n}
    sentences: dict = {}

    # ---------------------------------------------------------------- 1. changes
    from .changepoints import BayesianChangepoints, Pelt
    seg = Pelt(cost="poisson", min_size=min_size).fit(series).predict(penalty=penalty)
    pelt_dates = ev.change_dates_of(series, seg.changepoints)
    tables["segments"] = _segments_per_week(seg.segments, series)
    bayes = None
    if hasattr(BayesianChangepoints, "fit"):
        bayes = BayesianChangepoints(p_change=p_change, min_size=min_size).fit(series)
    else:
        coverage.append("The Bayesian changepoint posterior is not available in this installation.")
    map_cps = []
    prob = np.full(series.n, np.nan)
    if bayes is not None:
        map_cps = [int(c) for c in getattr(bayes.map_segmentation, "changepoints", bayes.map_segmentation)]
        prob = np.asarray(bayes.prob_change, float)
    map_dates = ev.change_dates_of(series, map_cps)
    tables["bayes_weeks"] = pd.DataFrame({"week": series.labels, "start": series.start,
                                          "count": series.counts, "prob_change": prob})
    pelt_cps = [int(c) for c in seg.changepoints]
    changes = pd.DataFrame({
        "method": ["PELT"] * len(pelt_cps) + ["Bayes MAP"] * len(map_cps),
        "index": pelt_cps + map_cps,
        "week": [series.labels[i] for i in pelt_cps + map_cps],
        "change_date": list(pelt_dates) + list(map_dates),
        "prob_change": [prob[i] for i in pelt_cps + map_cps],
    })
    tables["changes"] = changes
    numbers["pelt_changes"] = [str(d.date()) for d in pelt_dates]
    numbers["bayes_map_changes"] = [str(d.date()) for d in map_dates] if bayes is not None else None
    ncp = getattr(bayes, "n_changes_posterior", None)
    if ncp is not None:
        ncp = pd.Series(np.asarray(ncp, float))
        numbers["bayes_n_changes_mode"] = int(ncp.idxmax())
        numbers["bayes_p_n_changes_mode"] = float(ncp.max())
        tables["bayes_n_changes"] = pd.DataFrame({"n_changes": ncp.index, "probability": ncp.to_numpy()})
    loc = getattr(bayes, "location_intervals", None)
    if isinstance(loc, pd.DataFrame):
        tables["bayes_locations"] = loc

    # ---------------------------------------------------------- 2. attribution
    att = ev.attribute_changes(pelt_dates, cat, window_days=window_days, index=pelt_cps)
    tables["attribution"] = att
    tables["attribution_pairs"] = ev.attribution_pairs(pelt_dates, cat, window_days=window_days)
    align = {}
    named = in_window.select(ids=[i for i in list(LATE_JANUARY) + ["E014"] if i in in_window.ids])
    if len(pelt_dates) and len(in_window):
        for which, evset in (("all events", in_window), ("named events", named)):
            if not len(evset):
                continue
            for null in ("uniform", "shift"):
                r = ev.alignment_test(pelt_dates, evset.dates, window=(lo, series.start.max()),
                                      draws=draws, null=null, seed=seed,
                                      candidates=series.start[min_size:series.n - min_size + 1]
                                      if null == "uniform" else None,
                                      min_separation=7 * min_size if null == "uniform" else None)
                align[(which, null)] = r
    tables["alignment"] = pd.DataFrame([{"events": k[0], **r.to_dict()} for k, r in align.items()])
    for (which, null), r in align.items():
        key = "all" if which == "all events" else "named"
        numbers[f"alignment_p_{key}_{null}"] = r.p_value
        numbers[f"alignment_mc_se_{key}_{null}"] = r.mc_se
    if bayes is not None:
        tables["event_posterior"] = ev.event_posterior(bayes, series, in_window, window_days=window_days)
    if bayes_factors and bayes is not None:
        tables["bayes_factors"] = ev.event_bayes_factors(series, in_window, window_days=window_days,
                                                         p_change=p_change, min_size=min_size)
    if "event_posterior" in tables:
        post = tables["event_posterior"].set_index("event_id")
        bft = tables["bayes_factors"].set_index("event_id") if "bayes_factors" in tables else None
        numbers["named_events_bayes"] = {
            eid: {"date": str(post.loc[eid, "date"].date()),
                  "p_change_within": float(post.loc[eid, "p_change_within"]),
                  "log_bf": float(bft.loc[eid, "log_bf"]) if bft is not None else None,
                  "bf": float(bft.loc[eid, "bf"]) if bft is not None else None}
            for eid in list(LATE_JANUARY) + ["E014"] if eid in post.index}

    # ------------------------------------------------- 3. before / after rates
    per = period_rates(series, PERIODS, level=level)
    tables["periods"] = per
    p = per.set_index("period")
    ratios = []
    for name, (a, b) in {"late_january": ("before_late_january", "after_late_january"),
                         "talks": ("before_talks", "after_talks"),
                         "summer_vs_spring": ("spring", "july_august")}.items():
        alt = "greater" if name == "summer_vs_spring" else "two-sided"
        r = rate_ratio_exact(p.loc[a, "count"], p.loc[a, "exposure_days"], p.loc[b, "count"],
                             p.loc[b, "exposure_days"], level=level, alternative=alt)
        ratios.append({"comparison": name, "method": "exact conditional", "before": a, "after": b,
                       "count_before": p.loc[a, "count"], "count_after": p.loc[b, "count"],
                       "rate_before": p.loc[a, "rate"], "rate_after": p.loc[b, "rate"], **r,
                       "alternative": alt})
    glms = _fit_glms(series, family, level)
    for label, (fit, fam_used, steps) in glms.items():
        if fam_used != family:
            coverage.append(f"The {family} model ({label}) could not be fitted; its rate ratios use {fam_used}.")
        tables[f"model_terms_{label}"] = fit.terms.assign(model=label, family=fam_used)
        for name, step in zip(("late_january", "talks"), steps):
            row = fit.terms.loc[fit.terms["name"] == f"level:{step}"]
            if len(row):
                row = row.iloc[0]
                ratios.append({"comparison": name, "method": f"GLM {fam_used}, {label}, step {step}",
                               "rate_ratio": row["rate_ratio"], "ci_low": row["ci_low"],
                               "ci_high": row["ci_high"], "p_value": row["p_value"],
                               "alternative": "two-sided"})
    tables["model_terms"] = pd.concat([tables.pop(f"model_terms_{k}") for k in glms], ignore_index=True)
    rr = pd.DataFrame(ratios)
    tables["rate_ratios"] = rr
    for _, r in rr.iterrows():
        m = r["method"]
        key = (f"{r['comparison']}_exact" if m == "exact conditional"
               else f"{r['comparison']}_glm_{'same_weeks' if 'same weeks' in m else 'all_weeks'}")
        numbers[f"rr_{key}"] = r["rate_ratio"]
        numbers[f"rr_{key}_ci"] = [r["ci_low"], r["ci_high"]]
        numbers[f"p_{key}"] = r["p_value"]
    for name in PERIODS:
        numbers[f"rate_{name}"] = p.loc[name, "rate"]
        numbers[f"rate_{name}_ci"] = [p.loc[name, "ci_low"], p.loc[name, "ci_high"]]
        numbers[f"count_{name}"] = p.loc[name, "count"]

    if "tally_path" in extras:
        tables["sensitivity"] = _sensitivity(series, window, penalty, min_size, level)
        numbers["sensitivity_lower_tallies"] = tables["sensitivity"].set_index("tally_rule").loc["lower"].to_dict()

    norm = extras.get("normalized")
    if norm is not None and norm.incidents is not None:
        inc = norm.incidents[norm.incidents["counted"]]
        same_day = int((pd.to_datetime(inc["date_start"]) == pd.Timestamp("2024-04-21")).sum())
        if same_day > 1:
            a, b = "spring", "july_august"
            sv = rate_ratio_exact(p.loc[a, "count"] - (same_day - 1), p.loc[a, "exposure_days"],
                                  p.loc[b, "count"], p.loc[b, "exposure_days"], level=level,
                                  alternative="greater")
            numbers["summer_rise_sensitivity"] = {**sv, "spring_count": p.loc[a, "count"] - (same_day - 1)}
            coverage.append(f"The incident list holds {same_day} incidents on 2024-04-21 where the sources "
                            "describe one attack on the Rumalyn base (one report names no base, so "
                            "deduplication cannot join it); the summer-versus-spring test is also given "
                            "with them counted once.")

    # ------------------------------------------------------ model comparison
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cmp_family = fam_used if fam_used in ("poisson", "negbin") else "poisson"
        try:
            tables["comparison"] = ev.compare_models(series, ITS_VARIANTS, family=cmp_family,
                                                     segmentation=seg)
        except Exception as exc:  # noqa: BLE001 - report, do not hide the other answers
            coverage.append(f"Model comparison with {cmp_family} failed ({exc}); Poisson used.")
            tables["comparison"] = ev.compare_models(series, ITS_VARIANTS, family="poisson",
                                                     segmentation=seg)
    numbers["best_model_bic"] = tables["comparison"].attrs.get("best")

    coverage += _coverage(series)
    sentences = _sentences(numbers, tables, align, window_days, level)
    return CaseStudyAnswers(series=series, tables=tables, numbers=_jsonable(numbers),
                            sentences=sentences, coverage=coverage, settings=settings, extras=extras)


# --------------------------------------------------------------------------- helpers
def _sensitivity(series, window, penalty, min_size, level) -> pd.DataFrame:
    """Headline answers with the winter tallies at their stated figures and at the lowest
    counts the statements allow."""
    from .changepoints import Pelt
    from .events.rates import period_rates, rate_ratio_exact

    rows = []
    for rule in ("stated", "lower"):
        ser = series if rule == "stated" else case_study_series(window=window, tally_rule=rule)[0]
        seg = Pelt(cost="poisson", min_size=min_size).fit(ser).predict(penalty=penalty)
        per = period_rates(ser, {k: PERIODS[k] for k in ("before_late_january", "after_late_january")},
                           level=level).set_index("period")
        r = rate_ratio_exact(per.loc["before_late_january", "count"], per.loc["before_late_january", "exposure_days"],
                             per.loc["after_late_january", "count"], per.loc["after_late_january", "exposure_days"],
                             level=level)
        rows.append({"tally_rule": rule, "total": ser.total,
                     "pelt_changes": ", ".join(str(ser.start[i].date()) for i in seg.changepoints),
                     "rate_before_late_january": per.loc["before_late_january", "rate"],
                     "rate_after_late_january": per.loc["after_late_january", "rate"],
                     "rr_late_january": r["rate_ratio"], "rr_ci_low": r["ci_low"], "rr_ci_high": r["ci_high"]})
    return pd.DataFrame(rows)


def _fit_glms(series, family, level) -> dict:
    """Two count GLMs with level steps for the late-January events and the talks.

    ``same weeks``: the weeks of the exact comparison only (the two weeks containing the
    late-January events dropped), steps at 2024-02-05 and 2024-07-22, so its rate
    ratios estimate the same quantities as the exact ones. ``all weeks``: every week,
    steps on the event dates (2024-01-28 and 2024-07-22; a week containing an event
    gets the fraction of its days on or after it).
    """
    from .models import fit_counts
    from .schema import ModelError

    drop = series.window(PERIODS["before_late_january"][1], PERIODS["after_late_january"][0])
    keep = ~series.data["start"].isin(drop.data["start"]).to_numpy()
    same = CountSeries(series.data.loc[keep], freq=series.freq, attrs=dict(series.attrs))
    specs = {"same weeks": (same, ("2024-02-05", "2024-07-22")),
             "all weeks": (series, ("2024-01-28", "2024-07-22"))}
    out = {}
    for label, (ser, steps) in specs.items():
        evts = [f"{d}:level" for d in steps]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out[label] = (fit_counts(ser, family=family, events=evts, level=level), family, steps)
            except ModelError:
                out[label] = (fit_counts(ser, family="poisson", events=evts, level=level), "poisson", steps)
    return out


def _segments_per_week(segments: pd.DataFrame, series) -> pd.DataFrame:
    """PELT segments with dates and rates per week (rates in the table are per day of exposure)."""
    out = segments.copy()
    st, en = series.start, series.end
    out["date_start"] = [st[int(i)] for i in out["start"]]
    out["date_end"] = [en[int(i) - 1] for i in out["end"]]
    for c in ("rate", "ci_low", "ci_high"):
        if c in out.columns:
            out[f"{c}_per_week"] = out[c] * 7.0 if _rate_per_day(out, series) else out[c]
    return out


def _rate_per_day(seg: pd.DataFrame, series) -> bool:
    if "exposure" in seg.columns and "sum" in seg.columns and len(seg):
        e = float(seg["exposure"].iloc[0])
        return e > seg["n"].iloc[0] + 1e-9  # exposure in days, not rows
    return False


def _coverage(series) -> list[str]:
    out = [
        "The incident list is far from complete for the winter of 2023-24 (October 2023 to "
        "early February 2024): the counts there rest on the Pentagon's cumulative tallies.",
        "From 2024-02-05 to 2024-04-20 a Reuters report states that no attacks took place; later "
        "attacks (April, July, August 2024) are known only from individual reports, which may be "
        "incomplete.",
        "Nothing after August 2024 was found in the sources reviewed: the weeks after the last "
        "reported attack are zeros of these sources, not confirmed quiet.",
        "Weekly bins: a change is dated by the Monday of its first week, so lags to events are "
        "known to about a week.",
    ]
    frac = series.counts - np.round(series.counts)
    if np.any(np.abs(frac) > 1e-9):
        out.append("Some weekly counts are fractional (tally counts spread over days); the exact "
                   "tests round the period totals to whole attacks.")
    return out


def _fmt_ci(lo, hi, nd=2) -> str:
    return f"{lo:.{nd}f} to {hi:.{nd}f}"


def _short(label: str, n: int = 70) -> str:
    label = str(label)
    if len(label) <= n:
        return label
    cut = label[:n].rsplit(" ", 1)[0]
    return cut.rstrip(",;:-") + "..."


def _p(p: float) -> str:
    return f"{p:.2g}" if p >= 1e-4 else f"{p:.1e}"


def _sentences(numbers: dict, tables: dict, align: dict, window_days, level) -> dict:
    pct = f"{level:.0%}"
    s = {}
    att = tables["attribution"]
    if len(att):
        parts = []
        for _, r in att.iterrows():
            near = (f"{r['nearest_event']} on {r['nearest_date'].date()} ({_short(r['nearest_label'])}), "
                    f"lag {r['lag_days']:+.0f} days")
            parts.append(f"the week of {r['change_date'].date()}: nearest event {near}; "
                         f"{r['n_within']} listed event(s) within +-{window_days:g} days "
                         f"({', '.join(r['events_within'])})")
        s["changes"] = (f"PELT (Poisson cost, MBIC) finds {len(att)} change(s) in the weekly attack rate: "
                        + "; ".join(parts) + ".")
    else:
        s["changes"] = "PELT (Poisson cost, MBIC) finds no change in the weekly attack rate."
    seg = tables.get("segments")
    if seg is not None and len(seg):
        s["segments"] = "Segment rates: " + "; ".join(
            f"{r['date_start'].date()} to {(r['date_end'] - pd.Timedelta(days=1)).date()}: "
            f"{r['rate_per_week']:.2f} attacks per week ({pct} CI {_fmt_ci(r['ci_low_per_week'], r['ci_high_per_week'])})"
            for _, r in seg.iterrows()) + "."
    if numbers.get("bayes_map_changes") is not None:
        ch = tables["changes"]
        ch = ch[ch["method"] == "Bayes MAP"]
        txt = ("The exact Bayesian posterior (Poisson-Gamma product partition) puts its most probable "
               "segmentation's change(s) in the week(s) of "
               + (", ".join(f"{r['change_date'].date()} (posterior probability of a change in that week "
                            f"{r['prob_change']:.3f})" for _, r in ch.iterrows()) or "no week"))
        if "bayes_n_changes_mode" in numbers:
            txt += (f"; the most probable number of changes is {numbers['bayes_n_changes_mode']} "
                    f"(posterior probability {numbers['bayes_p_n_changes_mode']:.2f})")
        s["bayes"] = txt + "."
    named = numbers.get("named_events_bayes")
    if named:
        s["event_bayes"] = ("Posterior probability of a change within +-" f"{window_days:g} days and Bayes factor "
                            "of a prior expecting a change there (odds x10) against the uniform prior: "
                            + "; ".join(f"{k} ({v['date']}): {v['p_change_within']:.2f}, BF {v['bf']:.2f}"
                                        for k, v in named.items()) + ".")
    if align:
        bits = []
        for (which, null), r in align.items():
            bits.append(f"{which}, {null} null: p = {r.p_value:.3f} (MC s.e. {r.mc_se:.3f}; mean distance "
                        f"{r.statistic:.1f} days, {r.null_mean:.1f} expected by chance)")
        s["alignment"] = (f"Are the detected changes nearer the listed events than chance ({next(iter(align.values())).draws} "
                          "draws)? " + "; ".join(bits) + ".")
    rr = tables["rate_ratios"]
    per = tables["periods"].set_index("period")

    def rate(name):
        r = per.loc[name]
        return (f"{r['rate']:.2f} per week ({pct} CI {_fmt_ci(r['ci_low'], r['ci_high'])}; "
                f"{r['count']:g} attacks in {r['rows']} weeks, {r['start'].date()} to "
                f"{(r['end'] - pd.Timedelta(days=1)).date()})")

    def ratio(comp):
        x = rr[(rr["comparison"] == comp) & (rr["method"] == "exact conditional")]
        if not len(x):
            return ""
        x = x.iloc[0]
        return (f"rate ratio {x['rate_ratio']:.3g} ({pct} CI {_fmt_ci(x['ci_low'], x['ci_high'], 3)}, "
                f"p = {_p(x['p_value'])})")

    def glm(comp):
        x = rr[(rr["comparison"] == comp) & (rr["method"] != "exact conditional")]
        return "".join(f"; {r['method']}: {r['rate_ratio']:.3g} ({pct} CI {_fmt_ci(r['ci_low'], r['ci_high'], 3)})"
                       for _, r in x.iterrows())

    s["late_january"] = (f"Before the late-January 2024 events the rate was {rate('before_late_january')}; "
                         f"after them {rate('after_late_january')}. Exact {ratio('late_january')}"
                         f"{glm('late_january')}.")
    s["talks"] = (f"Before the July 2024 Washington talks the rate was {rate('before_talks')}; after them "
                  f"{rate('after_talks')}. Exact {ratio('talks')}{glm('talks')}.")
    x = rr[(rr["comparison"] == "summer_vs_spring")].iloc[0]
    verdict = "a significant" if x["p_value"] < 0.05 else "no significant"
    s["summer_rise"] = (f"July-August 2024 against spring (March-May) 2024: {rate('july_august')} against "
                        f"{rate('spring')}; {ratio('summer_vs_spring')}, one-sided exact conditional test: "
                        f"{verdict} rise at the 5% level.")
    if "summer_rise_sensitivity" in numbers:
        sv = numbers["summer_rise_sensitivity"]
        s["summer_rise"] += (f" Counting the two 2024-04-21 incidents of the list as the one attack the "
                             f"sources describe: rate ratio {sv['rate_ratio']:.3g}, p = {_p(sv['p_value'])}.")
    if "sensitivity" in tables:
        lw = tables["sensitivity"].set_index("tally_rule").loc["lower"]
        s["sensitivity"] = (f"With the winter tallies at the lowest counts their statements allow ({lw['total']:g} "
                            f"attacks in all), PELT finds changes in the weeks of {lw['pelt_changes'] or 'none'} "
                            f"and the late-January rate ratio is {lw['rr_late_january']:.3g} "
                            f"({pct} CI {_fmt_ci(lw['rr_ci_low'], lw['rr_ci_high'], 3)}).")
    if "comparison" in tables:
        c = tables["comparison"]
        s["comparison"] = (f"By BIC the best model is '{c['model'].iloc[0]}' ({c['detail'].iloc[0]}); "
                           + "; ".join(f"{r['model']}: delta-BIC {r['delta_bic']:.1f}"
                                       for _, r in c.iloc[1:].iterrows())
                           + " (the free model pays log(n) per estimated change date).")
    return s


def _jsonable(o):
    if isinstance(o, dict):
        return {str(k): _jsonable(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_jsonable(v) for v in o]
    if isinstance(o, pd.DataFrame):
        return _jsonable(o.to_dict("records"))
    if isinstance(o, np.ndarray):
        return _jsonable(o.tolist())
    if isinstance(o, (bool, np.bool_)):
        return bool(o)
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (float, np.floating)):
        return float(o) if np.isfinite(o) else None
    if isinstance(o, pd.Timestamp):
        return None if pd.isna(o) else o.strftime("%Y-%m-%d")
    if o is None or isinstance(o, (str, int)):
        return o
    try:
        if pd.isna(o):
            return None
    except (TypeError, ValueError):
        pass
    return o
