"""The methods, references and sources sections of a report, from what the spec ran.

Each method paragraph is written only when its analysis is in the report, with its
formula and its settings as the spec gives them; the references are those the
paragraphs cite; the sources list every ``source_url`` of the input tables with the rows
that rest on it. Nothing here is typed per case study.
"""

from __future__ import annotations

import pandas as pd

from .._format import fmt_num, plural
from .render import Ref, Section, Table

__all__ = ["REFERENCES", "methods_section", "references_section", "sources_section", "sources_table"]

#: key -> (citation, DOI link or None). Cited as [key] in the methods paragraphs.
REFERENCES = {
    "Garwood1936": ("Garwood, F. (1936). Fiducial limits for the Poisson distribution. "
                    "Biometrika 28(3/4), 437-442.", "https://doi.org/10.1093/biomet/28.3-4.437"),
    "Przyborowski1940": ("Przyborowski, J. and Wilenski, H. (1940). Homogeneity of results in testing "
                         "samples from Poisson series. Biometrika 31(3/4), 313-323.", None),
    "Lawless1987": ("Lawless, J. F. (1987). Negative binomial and mixed Poisson regression. "
                    "Canadian Journal of Statistics 15(3), 209-225.", None),
    "Fearnhead2006": ("Fearnhead, P. (2006). Exact and efficient Bayesian inference for multiple "
                      "changepoint problems. Statistics and Computing 16(2), 203-213.",
                      "https://doi.org/10.1007/s11222-006-8450-8"),
    "Zhang2007": ("Zhang, N. R. and Siegmund, D. O. (2007). A modified Bayes information criterion with "
                  "applications to the analysis of comparative genomic hybridization data. Biometrics "
                  "63(1), 22-32.", "https://doi.org/10.1111/j.1541-0420.2006.00662.x"),
    "Phipson2010": ("Phipson, B. and Smyth, G. K. (2010). Permutation p-values should never be zero: "
                    "calculating exact p-values when permutations are randomly drawn. Statistical "
                    "Applications in Genetics and Molecular Biology 9(1), article 39.",
                    "https://doi.org/10.2202/1544-6115.1585"),
    "Killick2012": ("Killick, R., Fearnhead, P. and Eckley, I. A. (2012). Optimal detection of "
                    "changepoints with a linear computational cost. Journal of the American Statistical "
                    "Association 107(500), 1590-1598.", "https://doi.org/10.1080/01621459.2012.737745"),
    "Bernal2017": ("Bernal, J. L., Cummins, S. and Gasparrini, A. (2017). Interrupted time series "
                   "regression for the evaluation of public health interventions: a tutorial. "
                   "International Journal of Epidemiology 46(1), 348-355.",
                   "https://doi.org/10.1093/ije/dyw098"),
}

_UNIT = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}


def _cite(*keys) -> str:
    return "[" + "; ".join(keys) + "]"


def methods_section(data) -> tuple[Section, list[str]]:
    """The methods paragraphs for what ``data`` holds, and the reference keys they cite."""
    spec, series = data.spec, data.series
    s = spec.series
    unit = _UNIT.get(series.freq, "period")
    cited: list[str] = []
    sec = Section("methods", "Methods")

    def para(text, *keys):
        sec.paragraphs.append(text + (" " + _cite(*keys) if keys else ""))
        cited.extend(k for k in keys if k not in cited)

    para(f"Counts. Report rows are matched into incidents: two reports describe one incident when "
         f"they agree on place and compatible weapon and lie within {plural(s.get('window_days', 1), 'day')} "
         f"of each other, and every pair of an incident's reports must agree (complete linkage), so "
         f"incidents cannot chain; conflicting details of one incident are kept as ranges. Coded event "
         f"datasets (ACLED, UCDP GED) are counted one row per event. An imprecise date is an interval of "
         f"days, allocated to the {unit}s by the {s.get('allocate', 'start')!r} rule. Each {unit} of the "
         f"window {fmt_window(series)} carries its exposure in days; the ledger accounts for every input row.")
    comb = data.extras.get("combined")
    if comb is not None:
        para("Tallies and bounds. A cumulative official counter ('attacked 55 times since 17 October, as of "
             "14 November') is a chain of statements; the difference of two successive statements is the "
             "count of the days between them, spread uniformly over those days. A bounded statement is "
             "the interval of counts it allows ('more than N': N + 1 or more; 'at least N': N or more; "
             "'at most N': N or fewer), narrowed by the chain's other statements. A series needs one "
             "figure per date, so it takes the one its bounds rule gives "
             f"({s.get('bounds', 'stated')!r} here; 'stated' takes N, and N + 1 for 'more than N'), kept "
             "inside that interval; the sensitivity analysis repeats the analysis at the lowest and "
             "highest figures the statements allow. Spread counts are not Poisson draws: exact tests on weeks that rest on "
             "tallies treat a figure spread by rule as if observed, so their p-values are too small, and "
             "the over-dispersed (NB2) model is the one to read there.")
    if data.segmentation is not None:
        seg = data.segmentation
        cost = {"poisson": "Poisson"}.get(seg.cost_name, seg.cost_name)
        formula = (" of a segment with total count y over exposure e is twice its negative maximised "
                   "log-likelihood, 2(y - y log(y/e)) up to constants" if seg.cost_name == "poisson"
                   else " of a segment is twice its negative maximised log-likelihood")
        pen = seg.penalty_name.lower()
        keys = ("Killick2012", "Zhang2007") if pen == "mbic" else ("Killick2012",)
        penalty = (f"The MBIC penalty is the modified BIC of Zhang and Siegmund as R's changepoint package "
                   f"implements it: 3 log n per change ({fmt_num(seg.penalty, 2)} here) plus log n_i added "
                   "to the cost of every segment of n_i periods, which favours changes away from the ends"
                   if pen == "mbic" else
                   f"The {seg.penalty_name.upper()} penalty is {fmt_num(seg.penalty, 2)} per change")
        para("Changepoints. The segmentation minimises the sum of segment costs plus a penalty per change, "
             + {"pelt": "exactly (PELT, pruned dynamic programming)",
                "op": "exactly (optimal partitioning)",
                "binseg": "approximately (binary segmentation)"}.get(seg.method, f"by {seg.method.upper()}")
             + f". The {cost} cost{formula}. " + penalty
             + f"; the minimum segment is {plural(seg.min_size, unit)}.", *keys)
        para("Rate intervals. The interval for a rate y/e is Garwood's exact Poisson interval, "
             "[chi2(alpha/2; 2y)/2, chi2(1 - alpha/2; 2y + 2)/2] / e (lower limit 0 when y = 0).",
             "Garwood1936")
    if data.fit is not None:
        f = data.fit
        fam = {"negbin": "negative binomial (NB2)", "poisson": "Poisson",
               "quasipoisson": "quasi-Poisson"}.get(f.family, f.family)
        text = (f"Count model. A {fam} regression with log link, log mu_t = "
                + ("log E_t + " if f.offset else "")
                + "b0 + sum_k b_k x_kt, where the event terms x_kt are a step (0 before the event's "
                  f"{unit}, 1 from it on), a slope (1, 2, ... from the first {unit} after the event) or a "
                  "pulse, as in interrupted time series; exp(b_k) is the rate ratio.")
        if f.family == "negbin":
            text += (" NB2 variance mu + alpha mu^2 (theta = 1/alpha), alpha by maximum likelihood; "
                     "standard errors from (X'WX)^-1 with alpha held at its estimate, as R's MASS::glm.nb.")
        text += " Intervals are Wald intervals with normal quantiles."
        para(text, "Lawless1987", "Bernal2017")
    if any(k == "compare" for k in data.sections):
        para("Two-period comparisons. Conditional on the total y1 + y2, the count of the first period is "
             "binomial with probability e1 r / (e1 r + e2) under rate ratio r; the exact test and the "
             "interval for r follow from that binomial (Clopper-Pearson limits).", "Przyborowski1940")
    if data.alignment is not None or "alignment" in data.sections:
        para("Alignment of changes with events. The statistic is the mean distance in days from each "
             "detected change to its nearest listed event; the null places the changes uniformly on the "
             "admissible period starts (at least a minimum segment apart) or shifts the events by a random "
             "offset; the Monte Carlo p-value is (1 + #{T* <= T}) / (B + 1) over B draws, with its "
             "Monte Carlo standard error. Events derived from the series itself (the first attack, the "
             "start of a lull) describe the data and are not candidate causes.", "Phipson2010")
    if data.bayes is not None:
        a, b = (data.bayes.prior or {}).get("prior_rate", (1.0, None))
        gamma = (f"Gamma(a = {fmt_num(a, 3)}, b = {fmt_num(b, 4)}) prior (rate b = 1 / the series' mean "
                 "rate)" if b is not None else "Gamma(a, b) prior")
        para("Bayesian posterior. Product-partition model: segments of independent Poisson counts whose "
             f"rates have a {gamma}, so a segment with total count S over exposure E has marginal "
             "likelihood b^a Gamma(a + S) / (Gamma(a) (b + E)^(a + S)) times prod e_t^y_t / y_t!; a change "
             "at each period with prior probability "
             f"{fmt_num(spec.changepoints.get('p_change', 0), 3)}; the posterior probability of a change at "
             "every period, of the number of changes and the most probable segmentation are computed "
             "exactly by forward-backward recursions over the segment marginal likelihoods.",
             "Fearnhead2006")
    return sec, cited


def fmt_window(series) -> str:
    last = series.end.max() - pd.Timedelta(days=1)
    return f"{series.start.min().date()} to {last.date()}"


def references_section(keys) -> Section:
    sec = Section("references", "References")
    for k in sorted(keys, key=lambda k: REFERENCES[k][0]):
        text, url = REFERENCES[k]
        sec.refs.append(Ref(f"[{k}] {text}", url))
    return sec


def sources_table(data) -> pd.DataFrame:
    """``source_url`` -> the input rows that rest on it (table, ids), one row per URL."""
    rows = []
    tables = [("reports", data.extras.get("reports"), "report_id"),
              ("tallies", data.extras.get("tallies"), "tally_id"),
              ("events", data.events, "event_id")]
    for name, frame, key in tables:
        if frame is None or not len(frame) or "source_url" not in frame.columns:
            continue
        f = frame[frame["source_url"].notna() & (frame["source_url"].astype(str) != "")]
        ids = f[key].astype(str) if key in f.columns else pd.Series(range(len(f)), index=f.index).astype(str)
        for url, grp in ids.groupby(f["source_url"].astype(str), sort=False):
            rows.append({"source_url": url, "table": name, "rows": len(grp), "ids": ", ".join(grp)})
    out = pd.DataFrame(rows, columns=["source_url", "table", "rows", "ids"])
    return out.sort_values(["source_url", "table"], kind="stable").reset_index(drop=True)


def sources_section(data) -> tuple[Section, Table | None]:
    """Every source URL of the inputs, each a link, with the rows it supports."""
    table = sources_table(data)
    sec = Section("sources", "Sources")
    if not len(table):
        sec.paragraphs.append("The input tables carry no source URLs.")
        return sec, None
    n_urls = table["source_url"].nunique()
    sec.paragraphs.append(f"{plural(n_urls, 'source')} support the {plural(int(table['rows'].sum()), 'input row')}; "
                          "each link opens the page that states the rows listed after it.")
    for url, grp in table.groupby("source_url", sort=False):
        what = "; ".join(f"{r.table} {r.ids}" for r in grp.itertuples())
        sec.refs.append(Ref(what, url))
    t = Table("sources", "Sources and the input rows each supports", table)
    return sec, t
