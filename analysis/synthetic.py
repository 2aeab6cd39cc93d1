"""Seeded synthetic data with known truth, for tests, benchmarks and examples.

Every generator takes ``seed`` (or ``rng``), returns ``(data, truth)`` and labels its
output synthetic (``attrs["synthetic"] = True`` on series; a ``synthetic`` column or
``SYN-`` ids on tables), so synthetic numbers can never pass for bundled facts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .series import CountSeries

__all__ = ["piecewise_poisson", "nb_level_change", "acled_like_reports", "acled_sample", "write_acled_sample",
           "toy_tables", "write_toy_spec", "SAMPLE_SEED"]


def _rng(seed=None, rng=None) -> np.random.Generator:
    return rng if rng is not None else np.random.default_rng(seed)


def piecewise_poisson(rates=(2.0, 6.0, 3.0), lengths=(40, 30, 50), *, exposure=None,
                      start="2020-01-01", freq="D", seed=None,
                      rng=None) -> tuple[CountSeries, tuple[int, ...]]:
    """Poisson counts with piecewise-constant rates.

    Parameters
    ----------
    rates : sequence of float
        Rate per unit exposure in each segment.
    lengths : sequence of int
        Rows per segment.
    exposure : array_like, optional
        Exposure per row (default 1); counts are Poisson(rate * exposure).
    seed : int, optional
        Seed for ``numpy.random.default_rng``.

    Returns
    -------
    series : CountSeries
        With ``attrs["synthetic"] = True``.
    changepoints : tuple of int
        0-based index of the first row of each new segment.

    Examples
    --------
    >>> s, cpts = piecewise_poisson((1.0, 5.0), (10, 10), seed=1)
    >>> cpts, s.n, s.attrs["synthetic"]
    ((10,), 20, True)
    """
    if len(rates) != len(lengths):
        raise ValueError("rates and lengths must have the same length")
    g = _rng(seed, rng)
    n = int(sum(lengths))
    lam = np.repeat(np.asarray(rates, float), lengths)
    x = np.ones(n) if exposure is None else np.asarray(exposure, float)
    y = g.poisson(lam * x).astype(float)
    cpts = tuple(int(c) for c in np.cumsum(lengths)[:-1])
    s = CountSeries.from_counts(y, start=start, freq=freq,
                                exposure=None if exposure is None else x,
                                attrs={"synthetic": True, "seed": seed,
                                       "truth": {"rates": list(rates), "changepoints": list(cpts)}})
    return s, cpts


def nb_level_change(n=104, change_at=52, *, base_rate=10.0, rate_ratio=0.5, alpha=0.3,
                    trend=0.0, start="2020-01-06", freq="W", seed=None,
                    rng=None) -> tuple[CountSeries, dict]:
    """Negative binomial (NB2) counts with a level change of known rate ratio.

    ``mean_t = base_rate * exp(trend * t) * rate_ratio ** [t >= change_at]`` and
    ``var_t = mean_t + alpha * mean_t**2``.

    Returns
    -------
    series : CountSeries
    truth : dict
        ``{"rate_ratio", "change_at", "change_date", "alpha"}``.

    Examples
    --------
    >>> series, truth = nb_level_change(n=20, change_at=10, seed=1)
    >>> series.n, truth["rate_ratio"], str(truth["change_date"].date())
    (20, 0.5, '2020-03-16')
    """
    g = _rng(seed, rng)
    t = np.arange(n)
    mu = base_rate * np.exp(trend * t) * np.where(t >= change_at, rate_ratio, 1.0)
    if alpha > 0:
        lam = g.gamma(shape=1.0 / alpha, scale=alpha * mu)
    else:
        lam = mu
    y = g.poisson(lam).astype(float)
    s = CountSeries.from_counts(y, start=start, freq=freq,
                                attrs={"synthetic": True, "seed": seed})
    truth = {"rate_ratio": rate_ratio, "change_at": change_at,
             "change_date": s.start[change_at], "alpha": alpha}
    return s.with_attrs(truth=truth), truth


_COUNTRIES = ("Iraq", "Syria", "Jordan", "Yemen", "Lebanon", "Somalia", "Mali", "Nigeria")
_EVENT_TYPES = ("Explosions/Remote violence", "Battles", "Violence against civilians")
_SUB_TYPES = ("Shelling/artillery/missile attack", "Air/drone strike", "Armed clash", "Attack")


def acled_like_reports(n_reports=10_000, *, n_groups=200, start="2021-01-01", days=3 * 365,
                       dup_rate=0.1, imprecise_rate=0.1, seed=None,
                       rng=None) -> tuple[pd.DataFrame, dict]:
    """A synthetic ACLED-shaped export (the columns of an ACLED CSV).

    About ``dup_rate`` of rows are second reports of an earlier row (same country,
    location and weapon, date within a day, different ``source``); about
    ``imprecise_rate`` have ``time_precision`` 2 (week) or 3 (month). Rows are spread
    over ``n_groups`` (country x admin1 x event_type) groups. Ids start with ``SYN``.

    Returns
    -------
    table : pandas.DataFrame
        ACLED columns, plus nothing else.
    truth : dict
        ``{"n_incidents": ..., "n_duplicates": ...}``.

    Examples
    --------
    >>> reports, truth = acled_like_reports(200, n_groups=5, days=60, seed=1)
    >>> reports.shape, truth
    ((200, 14), {'n_incidents': 180, 'n_duplicates': 20})
    """
    g = _rng(seed, rng)
    n_dup = int(round(n_reports * dup_rate))
    n_orig = n_reports - n_dup
    grp = g.integers(0, n_groups, n_orig)
    country = np.array(_COUNTRIES)[grp % len(_COUNTRIES)]
    event_type = np.array(_EVENT_TYPES)[(grp // len(_COUNTRIES)) % len(_EVENT_TYPES)]
    admin1 = np.char.add("Region-", (grp % 97).astype(str))
    # locations unique per original so that only true duplicates can match
    loc = np.char.add("Place-", np.arange(n_orig).astype(str))
    day = g.integers(0, days, n_orig)
    prec = np.where(g.random(n_orig) < imprecise_rate, g.choice([2, 3], n_orig), 1)
    sub = np.array(_SUB_TYPES)[g.integers(0, len(_SUB_TYPES), n_orig)]
    fat = g.poisson(0.5, n_orig)
    src = np.array(["Reuters", "AFP", "AP", "Local media"])[g.integers(0, 4, n_orig)]
    idx = np.concatenate([np.arange(n_orig), g.integers(0, n_orig, n_dup)])
    shift = np.concatenate([np.zeros(n_orig, int), g.integers(0, 2, n_dup)])
    shift = np.where(prec[idx] == 1, shift, 0)
    dates = pd.Timestamp(start) + pd.to_timedelta(day[idx] + shift, unit="D")
    table = pd.DataFrame({
        "event_id_cnty": [f"SYN{i}" for i in range(n_reports)],
        "event_date": dates.strftime("%Y-%m-%d"),
        "time_precision": prec[idx],
        "event_type": event_type[idx],
        "sub_event_type": sub[idx],
        "actor1": "Synthetic militia",
        "country": country[idx],
        "admin1": admin1[idx],
        "location": loc[idx],
        "latitude": np.round(30 + (grp[idx] % 10) * 0.1, 4),
        "longitude": np.round(40 + (grp[idx] % 13) * 0.1, 4),
        "fatalities": fat[idx],
        "source": np.concatenate([src, np.array(["Second outlet"] * n_dup)]),
        "notes": "synthetic",
    })
    order = g.permutation(n_reports)
    table = table.iloc[order].reset_index(drop=True)
    return table, {"n_incidents": n_orig, "n_duplicates": n_dup}


#: Settings of the bundled synthetic sample (``data/synthetic/``, ``specs/synthetic-acled.toml``).
SAMPLE_SEED = 20220103
_SAMPLE_START = "2022-01-03"                 # a Monday
_SAMPLE_RATES = ((20, 9.0), (16, 2.5), (16, 6.0))   # (weeks, events per week)
_SAMPLE_TALLY_WEEKS = 14                     # the ministry's tallies cover the first 14 weeks
_SAMPLE_LIST_SHARE = (0.45, 0.95)            # share of events in the list: in the tally span, after


def acled_sample(seed: int = SAMPLE_SEED) -> tuple[dict, dict]:
    """The bundled synthetic sample: an ACLED-shaped event list, a counter's tallies, events.

    A seeded, entirely synthetic data set (country ``Synthetica``, ids ``SYN-``, every row
    saying ``synthetic``) on which a report exercises every section: 52 weeks from
    2022-01-03 with a weekly event rate of 9, then 2.5 from week 20 (2022-05-23), then 6
    from week 36 (2022-09-12). A synthetic ministry states cumulative counts for the first
    14 weeks (exact, ``at_least``, ``about`` and ``more_than`` statements of the true
    running total); the event list holds only about 45% of the events there and 95% later,
    as a news-based list thin in the busiest months would.

    Returns
    -------
    tables : dict of str -> pandas.DataFrame
        ``acled`` (ACLED export columns), ``tallies`` and ``events`` (canonical columns).
    truth : dict
        ``weekly`` (true weekly counts), ``change_weeks``, ``change_dates``, ``rates``.

    Examples
    --------
    >>> tables, truth = acled_sample()
    >>> truth["change_dates"], len(tables["tallies"]) > 3
    (['2022-05-23', '2022-09-12'], True)
    """
    g = np.random.default_rng(seed)
    start = pd.Timestamp(_SAMPLE_START)
    rates = np.concatenate([np.full(w, r) for w, r in _SAMPLE_RATES])
    weekly = g.poisson(rates)
    n_weeks = len(rates)
    week_of = np.repeat(np.arange(n_weeks), weekly)
    day = week_of * 7 + g.integers(0, 7, len(week_of))
    day = np.sort(day)
    week_of = day // 7
    in_span = week_of < _SAMPLE_TALLY_WEEKS
    keep = g.random(len(day)) < np.where(in_span, *_SAMPLE_LIST_SHARE)
    dates = start + pd.to_timedelta(day[keep], unit="D")
    n = int(keep.sum())
    sub = np.array(["Shelling/artillery/missile attack", "Air/drone strike", "Remote explosive/landmine/IED"])
    acled = pd.DataFrame({
        "event_id_cnty": [f"SYN-{i + 1:04d}" for i in range(n)],
        "event_date": dates.strftime("%Y-%m-%d"),
        "time_precision": 1,
        "event_type": "Explosions/Remote violence",
        "sub_event_type": sub[g.integers(0, len(sub), n)],
        "actor1": "Synthetic armed group",
        "country": "Synthetica",
        "admin1": np.array(["North", "East", "South"])[g.integers(0, 3, n)],
        "location": np.char.add("Synthetic site ", g.integers(1, 40, n).astype(str)),
        "latitude": 0.0, "longitude": 0.0,
        "fatalities": g.poisson(0.3, n),
        "source": "Synthetic outlet",
        "notes": "synthetic (seeded; analysis.synthetic.acled_sample)",
    })
    # the ministry's cumulative statements: the true running total by the statement's day
    cum_day = np.cumsum(np.bincount(day, minlength=n_weeks * 7))
    stmt_days = [9, 20, 27, 41, 48, 62, 76, 90, 97]          # days after the start
    kinds = ["exact", "at_least", "exact", "about", "more_than", "exact", "at_least", "exact", "about"]
    rows = []
    for i, (d, k) in enumerate(zip(stmt_days, kinds), start=1):
        true = int(cum_day[d])
        stated = {"exact": true, "at_least": max(true - 4, 0), "about": int(5 * round(true / 5)),
                  "more_than": max(true - 3, 0)}[k]
        rows.append({"tally_id": f"SYN-T{i:02d}", "since": _SAMPLE_START,
                     "as_of": (start + pd.Timedelta(days=d)).strftime("%Y-%m-%d"), "count": stated,
                     "bound": k, "region": "all", "source": "Synthetic ministry",
                     "outlet": "synthetic", "source_url": "",
                     "notes": f"synthetic: true running total {true}"})
    tallies = pd.DataFrame(rows)
    events = pd.DataFrame({
        "event_id": ["SYN-E1", "SYN-E2", "SYN-E3", "SYN-E4"],
        "date": ["2022-03-16", "2022-05-19", "2022-05-21", "2022-09-05"],
        "end_date": ["", "", "", "2022-09-06"],
        "kind": ["statement", "ceasefire", "strike", "talks"],
        "label": ["Synthetic statement (no effect built in)", "Synthetic ceasefire announced",
                  "Synthetic strike", "Synthetic talks"],
        "source_url": "",
    })
    changes = np.cumsum([w for w, _ in _SAMPLE_RATES])[:-1]
    truth = {"weekly": weekly.tolist(), "change_weeks": changes.tolist(),
             "change_dates": [str((start + pd.Timedelta(weeks=int(c))).date()) for c in changes],
             "rates": [r for _, r in _SAMPLE_RATES], "n_events": int(len(day)), "n_listed": n}
    return {"acled": acled, "tallies": tallies, "events": events}, truth


def write_acled_sample(folder, seed: int = SAMPLE_SEED) -> dict:
    """Write :func:`acled_sample` as CSV files in ``folder`` (``acled_sample.csv``,
    ``tallies.csv``, ``events.csv``, ``truth.json``); the same bytes on every run.

    Examples
    --------
    >>> import tempfile
    >>> sorted(write_acled_sample(tempfile.mkdtemp()))
    ['acled_sample.csv', 'events.csv', 'tallies.csv', 'truth.json']
    """
    import json
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables, truth = acled_sample(seed)
    names = {"acled": "acled_sample.csv", "tallies": "tallies.csv", "events": "events.csv"}
    out = {}
    for key, name in names.items():
        p = folder / name
        p.write_text(tables[key].to_csv(index=False, lineterminator="\n"), encoding="utf-8")
        out[name] = p
    p = folder / "truth.json"
    p.write_text(json.dumps({"synthetic": True, "seed": seed, **truth}, indent=1, sort_keys=True) + "\n",
                 encoding="utf-8")
    out["truth.json"] = p
    return out


def toy_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A fixed synthetic toy in the canonical schema: ``(reports, tallies)``.

    Two reports in country ``X`` (a rocket on 20 January 2024 at ``a``, a drone on
    24 January at ``b``) and three statements of one synthetic counter (``ministry``)
    since 1 January: exactly 3 by 7 January, more than 9 by 14 January, exactly 14 by
    21 January. Nothing here is a bundled fact; the examples of the normalisation
    functions share it.

    Examples
    --------
    >>> reports, tallies = toy_tables()
    >>> len(reports), tallies["count"].tolist(), tallies["bound"].tolist()
    (2, [3, 9, 14], ['exact', 'more_than', 'exact'])
    """
    from .io import read_reports, read_tallies

    reports = read_reports(pd.DataFrame({"report_id": ["r1", "r2"], "date": ["2024-01-20", "2024-01-24"],
                                         "country": "X", "location": ["a", "b"], "weapon": ["rocket", "drone"]}))
    tallies = read_tallies(pd.DataFrame({"tally_id": ["t1", "t2", "t3"], "since": "2024-01-01",
                                         "as_of": ["2024-01-07", "2024-01-14", "2024-01-21"], "count": [3, 9, 14],
                                         "bound": ["exact", "more_than", "exact"], "region": "all",
                                         "source": "ministry"}))
    return reports, tallies


def write_toy_spec(folder=None) -> Path:
    """Write a small synthetic report spec and its data into ``folder`` (a new temporary
    folder when None); returns the spec's path.

    Twelve synthetic reports, one every five days from 1 January 2024, in country
    ``Synthetica`` at three places; a weekly Poisson model and PELT with ``min_size = 2``;
    PNG figures at 30 dpi. The examples of :mod:`analysis.report` share it.

    Examples
    --------
    >>> spec = write_toy_spec()
    >>> spec.name, sorted(p.name for p in spec.parent.iterdir())
    ('spec.toml', ['reports.csv', 'spec.toml'])
    """
    import tempfile

    folder = Path(tempfile.mkdtemp() if folder is None else folder)
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"report_id": [f"SYN{i}" for i in range(12)],
                  "date": pd.date_range("2024-01-01", periods=12, freq="5D").strftime("%Y-%m-%d"),
                  "country": "Synthetica", "location": [f"Place {i % 3}" for i in range(12)],
                  "source": "synthetic"}).to_csv(folder / "reports.csv", index=False)
    spec = folder / "spec.toml"
    spec.write_text('name = "synthetic-doc"\ntitle = "Synthetic"\nseed = 1\n[data]\nreports = ["reports.csv"]\n'
                    '[series]\nfreq = "W"\n[model]\nfamily = "poisson"\n[changepoints]\nmin_size = 2\n'
                    '[outputs]\nfigure_formats = ["png"]\ndpi = 30\n', encoding="utf-8")
    return spec


if __name__ == "__main__":  # pragma: no cover - python -m analysis.synthetic [FOLDER]
    import sys
    from pathlib import Path
    target = sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parents[1] / "data" / "synthetic")
    for name, path in write_acled_sample(target).items():
        print(path)
