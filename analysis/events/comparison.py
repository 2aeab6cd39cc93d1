"""Model comparison: no change, event-anchored ITS and free changepoints, by BIC and AIC.

Three count models of one series, fitted with :func:`analysis.models.fit_counts` so that
their likelihoods are computed the same way (same family, same exposure offset):

``no change``
    intercept only;
``event ITS``
    intercept plus a ``level`` (step) term at each event date (a bin that contains the
    event gets the fraction of its days on or after it);
``free changepoints``
    the segmentation found by PELT, as a piecewise-constant GLM: a step at the first
    row of each new segment, i.e. one dummy per segment after the first.

Parameters are counted as: one per rate (intercept and each step), one for NB2's
``alpha``, and **one per estimated change location** for the free model (its change
dates were chosen by looking at the data; the ITS dates were fixed beforehand, so they
cost nothing). ``AIC = -2 llf + 2 p`` and ``BIC = -2 llf + p log n`` with ``n`` the
number of rows; ``delta_*`` is the difference from the best model (0 for the best).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import ModelError
from .attribution import as_catalogue

__all__ = ["compare_models", "event_terms"]

_FAMILIES = ("poisson", "negbin")


def event_terms(events, series=None, *, kind: str = "level") -> list[str]:
    """Event term strings ``"YYYY-MM-DD:kind"`` from dates, strings, EventTerms or a catalogue.

    With ``series``, events outside ``(first row start, last row end)`` are dropped
    (a step there would be constant), and duplicates are removed.

    Examples
    --------
    >>> import pandas as pd
    >>> event_terms(pd.DataFrame({"event_id": ["E1", "E2"], "date": ["2024-02-04", "2024-03-01"], "label": ["a", "b"]}))
    ['2024-02-04:level', '2024-03-01:level']
    """
    if events is None:
        return []
    if isinstance(events, (pd.DataFrame,)) or hasattr(events, "frame"):
        events = list(as_catalogue(events).dates)
    if isinstance(events, (str, pd.Timestamp)):
        events = [events]
    out = []
    for e in events:
        if hasattr(e, "date") and hasattr(e, "kind") and not isinstance(e, pd.Timestamp):
            d, k = pd.Timestamp(e.date), e.kind
        elif isinstance(e, str) and ":" in e:
            d, k = pd.Timestamp(e.split(":", 1)[0]), e.split(":", 1)[1]
        else:
            d, k = pd.Timestamp(e), kind
        out.append((d.normalize(), k))
    if series is not None:
        lo, hi = series.start.min(), series.end.max()
        out = [(d, k) for d, k in out if lo < d < hi]
    seen, terms = set(), []
    for d, k in sorted(out):
        t = f"{d.date()}:{k}"
        if t not in seen:
            seen.add(t)
            terms.append(t)
    return terms


def _row(name, fit, n, n_rates, n_locations, family, detail):
    p = n_rates + n_locations + (1 if family == "negbin" else 0)
    llf = float(fit.llf)
    return {"model": name, "family": family, "n": n, "n_rates": n_rates, "n_locations": n_locations,
            "n_params": p, "llf": llf, "aic": -2 * llf + 2 * p, "bic": -2 * llf + p * np.log(n),
            "detail": detail}


def compare_models(series, events, *, family: str = "poisson", segmentation=None,
                   penalty="mbic", cost: str = "poisson", min_size: int = 1,
                   event_kind: str = "level") -> pd.DataFrame:
    """Compare no change, event-anchored ITS and free changepoints on one series.

    Parameters
    ----------
    series : CountSeries
    events : sequence, EventCatalogue, DataFrame or dict
        Event terms of the ITS model: ``"2024-01-28:level"`` strings, ``EventTerm``
        objects, dates (kind ``event_kind``), or a catalogue (every event inside the
        series). A dict ``name -> events`` fits one ITS model per entry (rows named
        ``"event ITS (name)"``), e.g. to compare candidate event dates.
    family : {"poisson", "negbin"}
        Likelihood of all three models (quasi-Poisson has no likelihood to compare).
    segmentation : Segmentation or sequence of int, optional
        Free changepoints (0-based first rows of new segments). Default: PELT with
        ``cost``, ``penalty`` and ``min_size`` on the series.
    penalty, cost, min_size
        Settings of the default PELT search.
    event_kind : str
        Kind for events given as plain dates.

    Returns
    -------
    pandas.DataFrame
        One row per model: ``model, family, n, n_rates, n_locations, n_params, llf,
        aic, bic, delta_aic, delta_bic, detail`` (the event terms or change dates),
        sorted by BIC. ``attrs["best"]`` names the BIC-best model.

    Notes
    -----
    BIC differences read on Kass and Raftery's scale: 0-2 barely worth mentioning,
    2-6 positive, 6-10 strong, above 10 very strong evidence for the lower-BIC model.

    Examples
    --------
    >>> import warnings
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")      # over-dispersed for Poisson: the warning says so
    ...     table = compare_models(s, ["2024-02-05:level"], family="poisson", min_size=2)
    >>> table[["model", "n_params", "delta_bic"]].round(2).values.tolist()
    [['event ITS', 2, 0.0], ['free changepoints', 3, 2.3], ['no change', 1, 40.36]]
    """
    if family not in _FAMILIES:
        raise ValueError(f"family must be one of {_FAMILIES} (a likelihood is needed), not {family!r}")
    from ..models import fit_counts

    n = int(series.n)
    rows = []
    base = fit_counts(series, family=family)
    rows.append(_row("no change", base, n, 1, 0, family, ""))

    variants = events.items() if isinstance(events, dict) else [(None, events)]
    for label, evs in variants:
        terms = event_terms(evs, series, kind=event_kind)
        if terms:
            its = fit_counts(series, family=family, events=terms)
            name = "event ITS" if label is None else f"event ITS ({label})"
            rows.append(_row(name, its, n, 1 + len(terms), 0, family, ", ".join(terms)))

    if segmentation is None:
        from ..changepoints import Pelt
        segmentation = Pelt(cost=cost, min_size=min_size).fit(series).predict(penalty=penalty)
    cps = [int(c) for c in getattr(segmentation, "changepoints", segmentation)]
    if cps:
        dates = [series.start[i] for i in cps]
        step_terms = [f"{pd.Timestamp(d).date()}:level" for d in dates]
        free = fit_counts(series, family=family, events=step_terms)
        rows.append(_row("free changepoints", free, n, 1 + len(cps), len(cps), family,
                         ", ".join(str(pd.Timestamp(d).date()) for d in dates)))
    else:
        rows.append({**_row("free changepoints", base, n, 1, 0, family, "no change found")})
    out = pd.DataFrame(rows)
    if not np.all(np.isfinite(out["llf"])):
        raise ModelError("a model of the comparison has a non-finite log-likelihood")
    out["delta_aic"] = out["aic"] - out["aic"].min()
    out["delta_bic"] = out["bic"] - out["bic"].min()
    out = out.sort_values(["bic", "n_params"], kind="stable").reset_index(drop=True)
    out = out[["model", "family", "n", "n_rates", "n_locations", "n_params", "llf", "aic", "bic",
               "delta_aic", "delta_bic", "detail"]]
    out.attrs["best"] = out["model"].iloc[0]
    return out
