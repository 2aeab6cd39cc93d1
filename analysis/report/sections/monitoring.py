"""``[monitoring]``: has it resumed? GLR alarms after quiet baselines and the online
probability that a regime like a contrast period has begun (:func:`analysis.monitor.resumption`).

Spec keys::

    [monitoring]
    contrast = ["2023-10-16", "2024-02-05"]     # what a resumption would look like (end exclusive)
    at = "2024-07-25"                           # the day whose period the probability is read in
    arl = 52                                    # target in-control ARL, in periods
    n_sim = 1000                                # simulations per threshold calibration
    change_shape = 1.0                          # Gamma shape of a new regime's rate
    [monitoring.baselines]                      # name = [start, end): quiet periods, each monitored from its end
    "April (lull baseline)" = ["2024-02-05", "2024-04-15"]
"""

from __future__ import annotations

import datetime

import pandas as pd

from ...monitor import resumption
from ...questions._text import unit_of
from ..spec_schema import Key, Problem
from . import Rendered, SectionType, register
from ._util import noun_of, spec_error, table


def _day(v) -> str:
    datetime.date.fromisoformat(str(v))
    return str(v)


def _baselines(value):
    if not isinstance(value, dict) or not value:
        raise ValueError("must be a table of name = [start, end] (ISO dates, end exclusive)")
    out = {}
    for name, pair in value.items():
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
            raise ValueError(f"{name!r} must be [start, end], not {pair!r}")
        try:
            a, b = (_day(v) for v in pair)
        except ValueError:
            raise ValueError(f"{name!r}: {pair!r} are not ISO dates (YYYY-MM-DD)") from None
        if not a < b:
            raise ValueError(f"{name!r}: start {a} must be before end {b}")
        out[str(name)] = (a, b)
    return out


_NEEDED = ("contrast", "baselines", "at")

KEYS = (
    Key("contrast", "list", default=None, items=Key("contrast", "date"), min_items=2, max_items=2,
        doc="[start, end) of the period a resumption would resemble"),
    Key("baselines", "table", default=None, parse=_baselines,
        doc="name = [start, end): quiet periods monitored from their end"),
    Key("at", "date", default=None, doc="day whose period the resumption probability is read in"),
    Key("arl", "float", default=52.0, minimum=1, exclusive=True, doc="target in-control ARL (periods)"),
    Key("n_sim", "int", default=1000, minimum=100, maximum=1_000_000, doc="simulations per calibration"),
    Key("change_shape", "float", default=1.0, minimum=0, exclusive=True,
        doc="Gamma shape of a new regime's rate (mean: the contrast's rate)"),
)


def _check(v: dict) -> list:
    given = [k for k in _NEEDED if v.get(k) is not None]
    if not given:  # the section is absent (compute refuses an empty [monitoring])
        return []
    return [Problem(k, "missing (contrast, baselines and at go together)") for k in _NEEDED if v.get(k) is None]


def compute(spec, data, cfg):
    missing = [k for k in _NEEDED if cfg.get(k) is None]
    if missing:
        raise spec_error(spec, f"[monitoring] needs {', '.join(missing)}", "monitoring")
    try:
        return resumption(data.series, contrast=tuple(cfg["contrast"]), baselines=_baselines(cfg["baselines"]),
                          at=cfg["at"], arl=float(cfg["arl"]), n_sim=int(cfg["n_sim"]), seed=int(spec.seed),
                          change_shape=float(cfg["change_shape"]), noun=noun_of(spec),
                          unit=unit_of(data.series))
    except ValueError as exc:
        raise spec_error(spec, str(exc), "monitoring") from None


def _dates(frame):
    f = frame.copy()
    for c in f.columns:
        if pd.api.types.is_datetime64_any_dtype(f[c]):
            f[c] = f[c].dt.strftime("%Y-%m-%d")
    return f


def _sentences(r, noun, unit="period"):
    out = []
    c = r["contrast"]
    for row in r["alarms"].itertuples(index=False):
        fired = ("does not fire" if pd.isna(row.first_alarm_week) else
                 f"fires in the week of {row.first_alarm_week.date()} (change estimated from "
                 f"{row.estimated_change.date()})")
        out.append(f"Monitoring after the baseline \u201c{row.setting}\u201d ({row.baseline}, "
                   f"{row.baseline_events:g} {noun}), "
                   f"the Poisson GLR detector {fired}; its threshold attains an in-control ARL of "
                   f"{row.arl_attained:.0f} {unit}s (Monte-Carlo error {row.arl_mc_se:.1f}) for a target of "
                   f"{row.arl_target:g}.")
    p = ", ".join(f"{v:.2f} after the baseline \u201c{k}\u201d" for k, v in r["p_resumed"].items())
    out.append(f"The online probability that a regime like the contrast ({c['rate']:.1f} {noun} per {unit}) "
               f"has begun, in the week starting {r['p_resumed_period'].date()}: {p}.")
    return out


def render(r, data) -> Rendered:
    s = _sentences(r, noun_of(data.spec), unit_of(data.series))
    return Rendered(summary=[s[-1]], paragraphs=s, notes=list(r["notes"]), tables=[
        table("monitoring_alarms", "Monitoring: first GLR alarm after each baseline", _dates(r["alarms"])),
        table("monitoring_rate_sensitivity", "Monitoring: first alarms under other stated in-control rates",
              _dates(r["sensitivity"])),
        table("monitoring_resumption", "Monitoring: probability of a resumption by new-regime prior shape",
              r["p_resumed_sensitivity"]),
    ])


def to_json(r, data) -> dict:
    return {"contrast": r["contrast"], "alarms": _dates(r["alarms"]).to_dict("records"),
            "p_resumed": r["p_resumed"], "p_resumed_period": str(r["p_resumed_period"].date()),
            "p_resumed_sensitivity": r["p_resumed_sensitivity"].to_dict("records"),
            "sensitivity": _dates(r["sensitivity"]).to_dict("records"), "notes": r["notes"],
            "settings": {"arl": r["arl"], "n_sim": r["n_sim"], "seed": r["seed"],
                         "change_prior": list(r["change_prior"])},
            "sentences": _sentences(r, noun_of(data.spec), unit_of(data.series))}


register(SectionType(key="monitoring", keys=KEYS, compute=compute, render=render, to_json=to_json,
                     check=_check, doc="has it resumed? alarms after quiet baselines, probability of a resumption"))
