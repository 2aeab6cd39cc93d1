"""Which listed events lie near the detected changes, and how much a change there is worth.

:func:`event_questions` gathers, for one series and its changepoints:

* the change dates of the frequentist search and of the Bayesian MAP segmentation, with
  the posterior probability of a change at each row (:mod:`analysis.changepoints`);
* the nearest event to each change and every event within ``window_days``
  (:func:`analysis.events.attribute_changes`, lag = change minus event);
* the alignment randomisation test under each null (``uniform``: changes drawn among
  the admissible rows; ``shift``: the changes shifted together), for all listed events
  inside the series and for a named subset (:func:`analysis.events.alignment_test`);
* per event, the posterior mass of a change within ``window_days`` and the Bayes
  factor of an event-informed prior (:func:`analysis.events.event_posterior`,
  :func:`analysis.events.event_bayes_factors`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._format import plural
from . import _text as tx

__all__ = ["EventQuestions", "event_questions"]


@dataclass(frozen=True)
class EventQuestions:
    """Answers of :func:`event_questions`: ``tables`` (DataFrames), ``numbers`` (flat,
    JSON-ready), ``sentences`` and ``settings``."""

    tables: dict
    numbers: dict
    sentences: dict
    settings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"numbers": self.numbers, "sentences": self.sentences, "settings": self.settings}


def event_questions(series, segmentation, events, *, bayes=None, named=(), window_days: float = 14,
                    nulls=("uniform",), draws: int = 9999, seed: int = 0, min_size: int = 2,
                    p_change: float = 0.02, bayes_factors: bool = True, level: float = 0.95,
                    noun: str = "events", exclude_kinds=None) -> EventQuestions:
    """Attribution, alignment and per-event Bayesian evidence for one series.

    Parameters
    ----------
    series : CountSeries
    segmentation : Segmentation
        The frequentist changepoints (:func:`analysis.changepoints.detect_changepoints`).
    events : EventCatalogue, DataFrame or path
    bayes : BayesResult, optional
        The exact posterior (:class:`analysis.changepoints.BayesianChangepoints`).
    named : sequence of str
        Event ids tested as a set of their own and reported one by one.
    window_days : float
        Half-width of the attribution window.
    nulls : sequence of {"uniform", "shift"}
    draws, seed : alignment test settings.
    min_size : int
        Minimum segment length of the search (admissible change rows).
    p_change : float
        Prior change probability per row of the Bayes factors' posteriors.
    bayes_factors : bool
        Compute the per-event Bayes factors (one posterior per event).
    exclude_kinds : sequence of str, optional
        Event kinds left out as candidate causes (default
        :data:`analysis.events.DATA_DERIVED_KINDS`: events that date features of the series
        itself, such as the start of a lull). Named events are kept whatever their kind.

    Returns
    -------
    EventQuestions

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.changepoints import detect_changepoints
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> seg = detect_changepoints(s, penalty="mbic", min_size=2)
    >>> ev = pd.DataFrame({"event_id": ["E1", "E2"], "date": ["2024-02-04", "2024-03-01"],
    ...                    "label": ["synthetic a", "synthetic b"]})
    >>> q = event_questions(s, seg, ev, draws=99, bayes_factors=False)
    >>> q.tables["attribution"][["nearest_event", "lag_days"]].values.tolist()
    [['E1', 1.0]]
    """
    from .. import events as ev

    cat = ev.as_catalogue(events)
    lo, hi = series.start.min(), series.end.max()
    if exclude_kinds is None:
        exclude_kinds = ev.DATA_DERIVED_KINDS
    excluded = set(cat.ids) - set(cat.candidates(exclude_kinds).ids) - set(named)
    if excluded:                      # data-derived events are not candidate causes
        cat_all, cat = cat, cat.select(ids=[i for i in cat.ids if i not in excluded])
    else:
        cat_all = cat
    listed = cat_all.select(start=lo, end=hi - pd.Timedelta(days=1))
    left_out = [i for i in listed.ids if i in excluded]
    in_window = cat.select(start=lo, end=hi - pd.Timedelta(days=1))
    missing = [i for i in named if i not in cat_all.ids]
    if missing:
        raise ValueError(f"named events {missing} are not in the event list")
    named = [i for i in named if i in in_window.ids]
    unit = tx.unit_of(series)
    tables, numbers, s = {}, {}, {}
    numbers["excluded_events"] = list(left_out)
    if left_out:
        kinds = listed.frame.set_index("event_id")["kind"]
        s["excluded"] = ("Left out as candidate causes, because they date features of the series itself: "
                         + ", ".join(f"{i} ({kinds[i]})" for i in left_out) + ".")
    cps = [int(c) for c in segmentation.changepoints]
    dates = ev.change_dates_of(series, cps)
    map_cps, prob = [], np.full(series.n, np.nan)
    if bayes is not None:
        map_cps = [int(c) for c in getattr(bayes.map_segmentation, "changepoints", bayes.map_segmentation)]
        prob = np.asarray(bayes.prob_change, float)
    map_dates = ev.change_dates_of(series, map_cps)
    method = segmentation.method.upper()
    tables["changes"] = pd.DataFrame({
        "method": [method] * len(cps) + ["Bayes MAP"] * len(map_cps), "index": cps + map_cps,
        "period": [series.labels[i] for i in cps + map_cps],
        "change_date": list(dates) + list(map_dates), "prob_change": [prob[i] for i in cps + map_cps]})
    tables["bayes_periods"] = pd.DataFrame({"period": series.labels, "start": series.start,
                                            "count": series.counts, "prob_change": prob})
    numbers["changes"] = [str(d.date()) for d in dates]
    numbers["bayes_map_changes"] = [str(d.date()) for d in map_dates] if bayes is not None else None
    if bayes is not None:
        ncp = pd.Series(np.asarray(bayes.n_changes_posterior, float))
        numbers["bayes_n_changes_mode"] = int(ncp.idxmax())
        numbers["bayes_p_n_changes_mode"] = float(ncp.max())
        tables["bayes_n_changes"] = pd.DataFrame({"n_changes": ncp.index, "probability": ncp.to_numpy()})

    att = ev.attribute_changes(dates, cat, window_days=window_days, index=cps)
    tables["attribution"] = att
    tables["attribution_pairs"] = ev.attribution_pairs(dates, cat, window_days=window_days)
    align = {}
    named_cat = in_window.select(ids=named) if named else None
    sets = [("all events", in_window)] + ([("named events", named_cat)] if named else [])
    sep = tx.per_days_of(series) * min_size
    if len(dates) and len(in_window):
        for which, evset in sets:
            for null in nulls:
                r = ev.alignment_test(dates, evset.dates, window=(lo, series.start.max()), draws=draws,
                                      null=null, seed=seed,
                                      candidates=series.start[min_size:series.n - min_size + 1]
                                      if null == "uniform" else None,
                                      min_separation=sep if null == "uniform" else None)
                align[(which, null)] = r
    tables["alignment"] = pd.DataFrame([{"events": k[0], **r.to_dict()} for k, r in align.items()])
    for (which, null), r in align.items():
        key = "all" if which == "all events" else "named"
        numbers[f"alignment_p_{key}_{null}"] = r.p_value
        numbers[f"alignment_mc_se_{key}_{null}"] = r.mc_se
    if bayes is not None and len(in_window):
        tables["event_posterior"] = ev.event_posterior(bayes, series, in_window, window_days=window_days)
        if bayes_factors:
            tables["bayes_factors"] = ev.event_bayes_factors(series, in_window, window_days=window_days,
                                                             p_change=p_change, min_size=min_size)
        post = tables["event_posterior"].set_index("event_id")
        bft = tables["bayes_factors"].set_index("event_id") if "bayes_factors" in tables else None
        numbers["named_events_bayes"] = {
            eid: {"date": str(post.loc[eid, "date"].date()),
                  "p_change_within": float(post.loc[eid, "p_change_within"]),
                  "log_bf": float(bft.loc[eid, "log_bf"]) if bft is not None else None,
                  "bf": float(bft.loc[eid, "bf"]) if bft is not None else None}
            for eid in named if eid in post.index}

    # ------------------------------------------------------------------ sentences
    how = f"{method} ({segmentation.cost_name.capitalize()} cost, {segmentation.penalty_name.upper()})"
    what = f"{unit}ly {noun[:-1] if noun.endswith('s') else noun} rate"
    if len(att):
        parts = []
        for _, r in att.iterrows():
            near = (f"{r['nearest_event']} on {r['nearest_date'].date()} ({' '.join(str(r['nearest_label']).split())}), "
                    f"lag {r['lag_days']:+.0f} days")
            parts.append(f"the {unit} of {r['change_date'].date()}: nearest event {near}; "
                         f"{plural(r['n_within'], 'listed event')} within +-{window_days:g} days "
                         f"({', '.join(r['events_within'])})")
        s["changes"] = f"{how} finds {plural(len(att), 'change')} in the {what}: " + "; ".join(parts) + "."
    else:
        s["changes"] = f"{how} finds no change in the {what}."
    if bayes is not None:
        ch = tables["changes"]
        ch = ch[ch["method"] == "Bayes MAP"]
        one = len(ch) == 1
        txt = ("The exact Bayesian posterior (Poisson-Gamma product partition) puts its most probable "
               f"segmentation's {'change' if one else 'changes'} in the {unit if one else unit + 's'} of "
               + (", ".join(f"{r['change_date'].date()} (posterior probability of a change in that {unit} "
                            f"{r['prob_change']:.3f})" for _, r in ch.iterrows()) or f"no {unit}"))
        txt += (f"; the most probable number of changes is {numbers['bayes_n_changes_mode']} "
                f"(posterior probability {numbers['bayes_p_n_changes_mode']:.2f})")
        s["bayes"] = txt + "."
    nb = numbers.get("named_events_bayes")
    if nb:
        s["event_bayes"] = ("Posterior probability of a change within +-" f"{window_days:g} days and Bayes factor "
                            "of a prior expecting a change there (odds x10) against the uniform prior: "
                            + "; ".join(f"{k} ({v['date']}): {v['p_change_within']:.2f}"
                                        + (f", BF {v['bf']:.2f}" if v["bf"] is not None else "")
                                        for k, v in nb.items()) + ".")
    if align:
        bits = [f"{which}, {null} null: p = {r.p_value:.3f} (MC s.e. {r.mc_se:.3f}; mean distance "
                f"{r.statistic:.1f} days, {r.null_mean:.1f} expected by chance)"
                for (which, null), r in align.items()]
        s["alignment"] = (f"Are the detected changes nearer the listed events than chance "
                          f"({next(iter(align.values())).draws} draws)? " + "; ".join(bits) + ".")
    settings = {"window_days": window_days, "named": list(named), "nulls": list(nulls), "draws": draws,
                "seed": seed, "min_size": min_size, "p_change": p_change, "level": level,
                "exclude_kinds": list(exclude_kinds),
                "lag_sign": "lag_days = change date minus event date (positive: change after event)"}
    return EventQuestions(tables=tables, numbers=numbers, sentences=s, settings=settings)
