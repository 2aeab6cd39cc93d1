"""Report sections and sentences generated from computed results.

Every number in a sentence is formatted from a result object here; nothing is typed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._format import fmt_ci, fmt_date, fmt_num, fmt_p, fmt_rate_ci, plural
from .render import Figure, Section, Table

__all__ = ["sections", "results_json", "change_sentences", "term_sentences", "incident_table"]

_UNIT = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}


def _unit(series) -> str:
    return _UNIT.get(series.freq, "period")


def _full(label) -> str:
    """An event label as written (whitespace collapsed): prose and tables never cut a label short."""
    return " ".join(str(label).split())


def _short(label: str, n: int = 70) -> str:
    """``label`` cut to at most ``n`` characters at a word boundary, with an ellipsis."""
    label = " ".join(str(label).split())
    if len(label) <= n:
        return label
    cut = label[: n - 1]
    if " " in cut[n // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-(") + "…"


# ------------------------------------------------------------------------ sentences
def change_sentences(seg, series, attribution: pd.DataFrame | None = None) -> list[str]:
    """One sentence per change: old and new rate with CIs, date, nearest event and lag."""
    unit = _unit(series)
    seg_t = seg.segments
    out = []
    for k, idx in enumerate(seg.changepoints):
        a, b = seg_t.iloc[k], seg_t.iloc[k + 1]
        verb = "fell" if b["rate"] < a["rate"] else "rose"
        when = series.start[idx]
        s = (f"The {unit}ly rate {verb} from {_rate_per_row(a)} "
             f"to {_rate_per_row(b)} "
             f"in the {unit} starting {fmt_date(when)}")
        if attribution is not None and len(attribution) > k and pd.notna(attribution.iloc[k].get("nearest_event")):
            r = attribution.iloc[k]
            lag = float(r["lag_days"])
            rel = "after" if lag >= 0 else "before"
            s += (f", {plural(abs(lag), 'day')} {rel} {r['nearest_event']} "
                  f"({_full(r['nearest_label'])}, {fmt_date(r['nearest_date'])})")
        out.append(s + ".")
    if not seg.changepoints:
        r = seg_t.iloc[0]
        out.append(f"No change in the {unit}ly rate was found ({seg.method.upper()}, {seg.cost_name} cost, "
                   f"{seg.penalty_name} penalty); the rate over the whole series is "
                   f"{_rate_per_row(r)} per {unit}.")
    return out


def _rate_per_row(r) -> str:
    """A segment's rate and CI per row (per week for weekly data).

    Segment rates are per unit of the exposure the search used (rows when it used
    none), so the factor is that segment's exposure per row, ``exposure / n``.
    """
    f = float(r["exposure"]) / float(r["n"]) if "exposure" in r and r["n"] else 1.0
    return fmt_rate_ci(r["rate"] * f, r["ci_low"] * f, r["ci_high"] * f)


def term_sentences(fit) -> list[str]:
    """One sentence per event term of a count model."""
    out = []
    for _, r in fit.terms.iterrows():
        name = str(r["name"])
        if ":" not in name:
            continue
        kind, date = name.split(":", 1)
        what = {"level": "a step in the rate", "slope": "a change of trend per period",
                "pulse": "a one-period pulse"}.get(kind, kind)
        change = (r["rate_ratio"] - 1) * 100
        direction = "lower" if change < 0 else "higher"
        out.append(f"{what.capitalize()} at {fmt_date(date)}: rate ratio {fmt_num(r['rate_ratio'], 3)} "
                   f"({fmt_ci(r['ci_low'], r['ci_high'], 3)}, {fmt_p(r['p_value'])}), i.e. "
                   f"{fmt_num(abs(change), 0)}% {direction}.")
    return out


def _range(lo, hi) -> str:
    if pd.isna(lo) and pd.isna(hi):
        return ""
    if pd.isna(lo) or pd.isna(hi) or lo == hi:
        return fmt_num(lo if not pd.isna(lo) else hi, 0)
    return f"{fmt_num(lo, 0)}-{fmt_num(hi, 0)}"


def incident_table(incidents: pd.DataFrame) -> pd.DataFrame:
    """Counted incidents, one row each, with reported ranges (``25-47`` injuries)."""
    inc = incidents[incidents["counted"]] if "counted" in incidents.columns else incidents
    inc = inc.sort_values(["date_start", "incident_id"], kind="stable")
    def col(name):
        return inc[name] if name in inc.columns else pd.Series(pd.NA, index=inc.index)
    out = pd.DataFrame({
        "incident": col("incident_id").astype(str).to_numpy(),
        "date": [d.strftime("%Y-%m-%d") if a == d else f"{a:%Y-%m-%d} to {d:%Y-%m-%d}"
                 for a, d in zip(pd.to_datetime(inc["date_start"]), pd.to_datetime(inc["date_end"]))],
        "country": col("country").astype("object").fillna("").to_numpy(),
        "location": col("location").astype("object").fillna("").to_numpy(),
        "weapon": col("weapon").astype("object").fillna("").to_numpy(),
        "projectiles": [_range(a, b) for a, b in zip(col("projectiles_min"), col("projectiles_max"))],
        "killed": [_range(a, b) for a, b in zip(col("fatalities_min"), col("fatalities_max"))],
        "injured": [_range(a, b) for a, b in zip(col("injuries_min"), col("injuries_max"))],
        "reports": col("n_reports").astype("int64").to_numpy(),
    })
    return out.reset_index(drop=True)


# ------------------------------------------------------------------------- sections
def sections(data, fig_paths: dict) -> tuple[list[Section], list[Table]]:
    """All report sections, and every table (for CSV and LaTeX export)."""
    secs: list[Section] = []
    tables: list[Table] = []

    def fig(key, caption):
        return [Figure(key, caption, str(fig_paths[key]))] if key in fig_paths else []

    series = data.series
    unit = _unit(series)
    noun = data.spec.series.get("noun") or "events"
    rendered = _rendered_sections(data)

    # -- summary
    summ = Section("summary", "Summary")
    summ.paragraphs.append(
        f"The series has {plural(series.n, unit)} from {fmt_date(series.start.min())} to "
        f"{fmt_date(series.end.max() - pd.Timedelta(days=1))}, with {fmt_num(series.total, 1)} {noun} in all.")
    if series.attrs.get("source_of_counts"):
        summ.paragraphs.append(f"Source of the counts: {series.attrs['source_of_counts']}.")
    from .sections import SUMMARY_ORDER
    for key in SUMMARY_ORDER:
        if key in rendered:
            summ.paragraphs += rendered[key].summary
    for r in rendered.values():
        summ.notes += r.notes
    secs.append(summ)

    # -- data and normalisation
    norm = data.normalized
    dsec = Section("data", "Data and normalisation")
    s = norm.summary()
    rows_in = s["rows_in"]
    dsec.paragraphs.append(
        f"{plural(rows_in.get('reports', 0), 'report row')} and {plural(rows_in.get('tallies', 0), 'tally row')} "
        f"were read. Deduplication merged {plural(s['merged'], 'report')} into the incidents they describe; "
        f"{plural(s['incidents'], 'incident')} lie inside the window. Every input row is accounted for in the "
        f"ledger below (counted, merged into an incident, or excluded with a reason).")
    comb = data.extras.get("combined")
    if comb is not None and data.spec.series.get("source") == "tallies":
        dsec.paragraphs.append(f"Series: the {unit}s counted wholly from the "
                               f"{comb.settings.get('source')} tallies ({plural(series.n, unit)}); "
                               "each interval's count is spread uniformly over its days.")
    elif comb is not None:
        dsec.paragraphs.append(f"Series rule: {comb.rule} The source changes on "
                               + ", ".join(fmt_date(d) for d in comb.switch_dates) + ".")
    inc = getattr(norm, "incidents", None)
    if inc is not None and len(inc):
        t = Table("incidents", "Incidents after deduplication (ranges keep conflicting reports apart)",
                  incident_table(inc))
        dsec.tables.append(t)
        tables.append(t)
    led = norm.ledger.summary()
    t = Table("ledger_summary", "Ledger: what became of every input row", led)
    dsec.tables.append(t)
    tables.append(t)
    if norm.tallies is not None:
        tr = norm.tallies
        if len(tr.conflicts):
            cols = [c for c in ("source", "region", "as_of", "kind", "values", "rule", "kept", "excluded",
                                "resolution") if c in tr.conflicts.columns]
            t = Table("tally_conflicts", "Conflicting tallies and the rule that resolved them",
                      tr.conflicts[cols].reset_index(drop=True))
            dsec.tables.append(t)
            tables.append(t)
        if len(tr.checks):
            t = Table("tally_part_checks", "Parts against totals (e.g. Iraq + Syria = all)",
                      tr.checks.reset_index(drop=True), inline=False)
            dsec.tables.append(t)
            tables.append(t)
    if comb is not None and len(comb.tally_path) and (comb.tally_path["bound"] != "exact").any():
        t = Table("tally_bounds", f"The {comb.settings.get('source')} tallies in the series: each statement "
                  "as made, the interval of counts it allows (narrowed by the chain's other statements) "
                  f"and the figure the series takes ({comb.settings.get('bounds', 'stated')!r} rule)",
                  tally_bounds_table(comb.tally_path))
        dsec.tables.append(t)
        tables.append(t)
    if data.events is not None and len(data.events):
        ev = data.events
        lo, hi = series.start.min(), series.end.max()
        ev = ev[(ev["date"] >= lo) & (ev["date"] < hi)]
        cols = [c for c in ("event_id", "date", "end_date", "kind", "label") if c in ev.columns]
        t = Table("events", "Listed events inside the series window", ev[cols].reset_index(drop=True))
        dsec.tables.append(t)
        tables.append(t)
    from .build import _window_events, event_label_column
    by_id = event_label_column(_window_events(data.events, series)) == "event_id"
    from .build import _count_sources
    spread, gaps = _count_sources(data)
    marks = (f"; hatched: {unit}s whose counts are tally totals spread over their days" if spread is not None
             else "") + ("; light grey: days no source covers (zeros unconfirmed)" if gaps else "")
    key = ""
    wev = _window_events(data.events, series)
    if by_id and wev is not None:
        key = " Key: " + "; ".join(f"{r.event_id} {_short(r.label, 48)} ({fmt_date(r.date)})"
                                   for r in wev.itertuples()) + "."
    dsec.figures += fig("counts", f"{noun.capitalize()} per {unit}, with the listed events (dashed lines; "
                                  + ("labelled by event id" if by_id else "labelled by name")
                                  + "; dark grey band: events with an end date" + marks + ")." + key)
    dsec.figures += fig("tallies", "Cumulative tallies with their bounds. Above: the main counter, one "
                                   "staircase per day it counts from (a counter that starts again is a "
                                   "chain of its own); below: every other counter's statements, by "
                                   "colour. Markers: filled circle exact, open triangle a lower bound "
                                   "(\"at least\", \"more than\"), translucent bar a range.")
    secs.append(dsec)

    # -- count model
    if data.fit is not None:
        f = data.fit
        msec = Section("model", f"Count model ({f.family})")
        extra = ""
        if f.alpha is not None:
            extra = (f" NB2 dispersion alpha = {fmt_num(f.alpha, 3)}"
                     + (f" ({fmt_ci(*f.alpha_ci, 3)})" if f.alpha_ci is not None else "")
                     + (f", theta = 1/alpha = {fmt_num(f.theta, 3)} (SE {fmt_num(f.theta_se, 3)})."
                        if f.theta is not None and f.theta_se is not None else "."))
        msec.paragraphs.append(
            f"{f.family} regression of the {unit}ly counts "
            f"{'with offset ' + f.offset if f.offset else 'without an offset'} and event terms; "
            f"n = {f.n}, AIC {fmt_num(f.aic, 1)}, BIC {fmt_num(f.bic, 1)}, Pearson dispersion "
            f"{fmt_num(f.pearson_dispersion, 2)}.{extra}")
        msec.paragraphs += term_sentences(f)
        t = Table("model_terms", "Model terms (rate ratios with 95% Wald intervals)", f.terms)
        msec.tables.append(t)
        tables.append(t)
        msec.figures += fig("model_fit", "Observed counts, fitted mean, and the counterfactual without the "
                                          "event terms (bands: 95% intervals of the mean); dashed lines "
                                          "mark the dates of the model's event terms.")
        msec.figures += fig("rate_ratios", "Rate ratios of the event terms (95% CI, log scale).")
        secs.append(msec)

    # -- changepoints
    if data.segmentation is not None:
        seg = data.segmentation
        csec = Section("changepoints", "Changepoints")
        csec.paragraphs.append(
            f"{seg.method.upper()} with the {seg.cost_name} cost and the {seg.penalty_name} penalty "
            f"({fmt_num(seg.penalty, 2)} per change), minimum segment {plural(seg.min_size, unit)}: "
            f"{plural(seg.n_changes, 'change')}.")
        csec.paragraphs += change_sentences(seg, series, data.attribution)
        if data.bayes is not None:
            b = data.bayes
            pn = np.asarray(b.n_changes_posterior, float)
            k_map = int(np.argmax(pn))
            top = int(np.nanargmax(b.prob_change))
            csec.paragraphs.append(
                f"The exact Bayesian posterior (Poisson-Gamma product partition) puts probability "
                f"{fmt_num(pn[k_map], 3)} on {plural(k_map, 'change')}; the most probable change is in the "
                f"{unit} starting {fmt_date(series.start[top])} (posterior probability "
                f"{fmt_num(float(b.prob_change[top]), 3)}).")
        seg_t = seg.segments.copy()
        t = Table("segments", f"Segments (rate per {unit}, exact Poisson 95% interval)", seg_t)
        csec.tables.append(t)
        tables.append(t)
        csec.figures += fig("changepoints", f"Counts with the {seg.method.upper()} segments (rate per {unit} "
                                             "and 95% interval; dotted lines: the changes)"
                                             + (" and, below, the posterior probability that a new segment "
                                                f"starts at each {unit}" if data.bayes is not None else "")
                                             + "; dashed lines: the listed events, "
                                             + ("labelled by event id." + key if by_id else "labelled by name."))
        secs.append(csec)

    # -- attribution
    if data.attribution is not None and len(data.attribution):
        asec = Section("attribution", "Changes and political events")
        cols = [c for c in ("change_date", "nearest_event", "nearest_date", "nearest_label", "lag_days",
                            "n_within") if c in data.attribution.columns]
        at = data.attribution[cols].copy()
        if "nearest_label" in at:
            at["nearest_label"] = at["nearest_label"].map(_full)
        t = Table("attribution", "Nearest event to each change (lag = change minus event, days)", at)
        asec.tables.append(t)
        tables.append(t)
        if data.alignment is not None:
            al = data.alignment
            asec.paragraphs.append(
                f"Randomisation test of alignment ({al.null} null, {plural(al.draws, 'draw')}): "
                f"mean distance from each change to its nearest event "
                f"{fmt_num(al.statistic, 1)} day{'' if float(al.statistic) == 1 else 's'}; "
                f"{fmt_p(al.p_value)} (Monte Carlo SE {fmt_num(al.mc_se, 4)}).")
        secs.append(asec)

    # -- questions (the registered sections the spec holds, in registry order)
    if rendered:
        qsec = Section("questions", data.spec.questions_title)
        for r in rendered.values():
            qsec.paragraphs += r.paragraphs
        for r in rendered.values():
            for t in r.tables:
                if len(t.frame):
                    qsec.tables.append(t)
                    tables.append(t)
        secs.append(qsec)  # the coverage notes are in the summary
    # -- methods, references, sources (from what the spec ran)
    from .methods import methods_section, references_section, sources_section
    msec, cited = methods_section(data)
    secs.append(msec)
    ssec, stab = sources_section(data)
    secs.append(ssec)
    if stab is not None:
        stab.inline = False    # linked as CSV/LaTeX; the section lists every URL with its rows
        ssec.tables.append(stab)
        tables.append(stab)
    if cited:
        secs.append(references_section(cited))
    return secs, tables


_BOUND_WORDS = {"exact": "", "at_least": "at least ", "more_than": "more than ", "about": "about ",
                "at_most": "at most "}


def tally_bounds_table(path: pd.DataFrame) -> pd.DataFrame:
    """A chain's statements as made, the interval each allows and the figure in the series.

    Examples
    --------
    >>> path = pd.DataFrame({"as_of": pd.to_datetime(["2024-01-02", "2024-01-09"]),
    ...                      "tally_id": ["T1", "T2"], "bound": ["at_least", "more_than"],
    ...                      "stated": [4.0, 9.0], "lower": [4.0, 10.0], "upper": [np.inf, np.inf],
    ...                      "point": [4.0, 10.0], "count": [4.0, 6.0]})
    >>> tally_bounds_table(path)[["statement", "allows", "in_series"]].values.tolist()
    [['at least 4', '4 or more', 4.0], ['more than 9', '10 or more', 10.0]]
    """
    def allows(lo, hi):
        if np.isfinite(hi) and lo == hi:
            return f"{lo:g}"
        return f"{lo:g} or more" if not np.isfinite(hi) else f"{lo:g} to {hi:g}"

    return pd.DataFrame({
        "as_of": pd.to_datetime(path["as_of"]).dt.strftime("%Y-%m-%d"),
        "tally_id": path["tally_id"].astype(str),
        "statement": [f"{_BOUND_WORDS.get(b, b + ' ')}{n:g}" for b, n in zip(path["bound"], path["stated"])],
        "allows": [allows(lo, hi) for lo, hi in zip(path["lower"], path["upper"])],
        "in_series": path["point"].astype(float).to_numpy(),
        "new_since_previous": path["count"].astype(float).to_numpy(),
    })


def results_json(data) -> dict:
    """Machine-readable results of the report."""
    out = {"series": {"n": data.series.n, "freq": data.series.freq, "total": data.series.total,
                      "start": data.series.start.min(), "end": data.series.end.max(),
                      "counts": data.series.counts.tolist(), "labels": data.series.labels},
           "normalize": data.normalized.summary()}
    if data.fit is not None:
        out["model"] = data.fit.to_dict()
    if data.segmentation is not None:
        out["changepoints"] = data.segmentation.to_dict()
    if data.bayes is not None:
        out["bayes"] = {"prob_change": np.asarray(data.bayes.prob_change, float).tolist(),
                        "n_changes_posterior": np.asarray(data.bayes.n_changes_posterior, float).tolist()}
    if data.attribution is not None:
        out["attribution"] = data.attribution
    if data.alignment is not None:
        out["alignment"] = data.alignment.to_dict()
    comb = data.extras.get("combined")
    if comb is not None:
        out["series"]["source"] = comb.to_dict()
    if data.sections:
        from .sections import REGISTRY
        out["questions"] = {k: REGISTRY[k].to_json(v, data) for k, v in data.sections.items()}
    return out


def _rendered_sections(data) -> dict:
    """``key -> Rendered`` for the question sections of ``data``, in registry order."""
    from .sections import ORDER, REGISTRY
    return {k: REGISTRY[k].render(data.sections[k], data) for k in ORDER if k in data.sections}
