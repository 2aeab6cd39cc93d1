"""Conservation on coded event datasets: for ACLED- and UCDP-shaped inputs, every
allocation rule and both engines, the series total equals the number of rows in the
window (each exported event is one incident; nothing merged), and the ledger accounts
for every row outside it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.duck import normalize_duckdb
from analysis.io import read_reports, write_reports
from analysis.normalize import normalize
from analysis.synthetic import acled_like_reports

UCDP = Path(__file__).parent / "data" / "real" / "ucdp_ged_23_1_car_482.csv"
RULES = ("start", "split", "impute")


@pytest.fixture(scope="module")
def acled(tmp_path_factory):
    """Seeded synthetic ACLED-shaped export (labelled synthetic): 4,000 distinct events,
    20% with week or month precision, no second reports."""
    table, truth = acled_like_reports(4_000, n_groups=40, days=400, dup_rate=0.0,
                                      imprecise_rate=0.2, seed=5)
    assert truth["n_duplicates"] == 0
    path = tmp_path_factory.mktemp("conserve") / "acled.csv"
    table.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def ucdp(tmp_path_factory):
    """The real UCDP GED sample (1,848 events), and the same rows as a canonical table."""
    reports = read_reports(UCDP)
    canon = tmp_path_factory.mktemp("conserve") / "ucdp_canonical.csv"
    write_reports(reports, canon)
    return UCDP, canon, reports


def _normalize(engine, path, reports, **kw):
    if engine == "duckdb":
        return normalize_duckdb(path, **kw)
    return normalize(reports if reports is not None else read_reports(path), **kw)


def _totals(series):
    """The series total, per imputation when the series has them."""
    if "imputation" in series.groups:
        return series.data.groupby("imputation")["count"].sum().to_numpy()
    return np.array([series.total])


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
@pytest.mark.parametrize("allocate", RULES)
@pytest.mark.parametrize("freq", ["W", "M"])
def test_acled_every_event_counted(acled, engine, allocate, freq):
    n = len(pd.read_csv(acled))
    if engine == "duckdb" and allocate == "impute":
        with pytest.raises(ValueError, match="impute"):
            normalize_duckdb(acled, allocate=allocate, freq=freq)
        return
    res = _normalize(engine, acled, None, allocate=allocate, freq=freq, groups=("country",),
                     **({"n_imputations": 3, "seed": 1} if allocate == "impute" else {}))
    assert res.ledger.counts() == {"counted": n, "merged": 0, "excluded": 0}
    np.testing.assert_allclose(_totals(res.series), n, atol=1e-6)
    assert res.ledger.check_conservation(res.series)


@pytest.mark.parametrize("engine,allocate", [("pandas", a) for a in RULES]
                         + [("duckdb", a) for a in RULES if a != "impute"])
def test_acled_window_total_is_the_rows_in_the_window(acled, engine, allocate):
    """A window inside the data: the total is the events that fall in it (their share
    for split; every draw for impute), and the ledger names every row left out."""
    window = ("2021-03-01", "2021-09-30")
    res = _normalize(engine, acled, None, allocate=allocate, freq="W", window=":".join(window),
                     **({"n_imputations": 3, "seed": 2} if allocate == "impute" else {}))
    counts = res.ledger.counts()
    assert counts["merged"] == 0 and counts["counted"] + counts["excluded"] == len(pd.read_csv(acled))
    assert res.ledger.check_conservation(res.series)
    table = pd.read_csv(acled)
    day = pd.to_datetime(table["event_date"])
    precise = table["time_precision"] == 1
    inside = (day >= window[0]) & (day <= window[1])
    # day-precision events are counted exactly when their day is inside the window
    lo = int((precise & inside).sum())
    hi = int(lo + (~precise).sum())
    assert all(lo <= t <= hi for t in _totals(res.series))
    if allocate == "start":
        reasons = res.ledger.table.loc[res.ledger.table["status"] == "excluded", "reason"]
        assert reasons.str.contains("window").all()


@pytest.mark.parametrize("allocate", RULES)
@pytest.mark.parametrize("freq", ["W", "M"])
def test_ucdp_every_event_counted_pandas(ucdp, allocate, freq):
    _, _, reports = ucdp
    res = normalize(reports, allocate=allocate, freq=freq,
                    **({"n_imputations": 3, "seed": 3} if allocate == "impute" else {}))
    assert res.ledger.counts() == {"counted": 1848, "merged": 0, "excluded": 0}
    np.testing.assert_allclose(_totals(res.series), 1848, atol=1e-6)
    assert res.ledger.check_conservation(res.series)


@pytest.mark.parametrize("allocate", ["start", "split"])
def test_ucdp_every_event_counted_duckdb(ucdp, allocate):
    path, canon, reports = ucdp
    # the DuckDB engine reads GED's own layout: one incident per row, as the pandas engine
    own = normalize_duckdb(path, allocate=allocate, freq="M")
    assert own.ledger.counts() == {"counted": 1848, "merged": 0, "excluded": 0}
    assert own.series.total == pytest.approx(1848, abs=1e-6)
    # the canonical table keeps each GED id as its incident_id: one incident per row
    a = normalize_duckdb(canon, allocate=allocate, freq="M")
    b = normalize(reports, allocate=allocate, freq="M")
    assert a.ledger.counts() == {"counted": 1848, "merged": 0, "excluded": 0}
    assert a.series.total == pytest.approx(1848, abs=1e-6)
    np.testing.assert_allclose(a.series.counts, b.series.counts, atol=1e-9)
