"""Builders of canonical frames for the normalize tests, checked against the io readers.

``reports_frame`` and ``tallies_frame`` build, in memory, exactly the frames
``analysis.io.read_reports`` / ``read_tallies`` return; the tests at the bottom write
such frames to CSV, read them back and compare, so the normalize tests run on the
real contract.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

REPORT_TEXT = ("report_id", "incident_id", "date_precision", "country", "location", "actor", "weapon",
               "source", "source_url", "notes")
REPORT_COUNTS = ("projectiles", "fatalities", "injuries")
TALLY_TEXT = ("tally_id", "bound", "region", "source", "outlet", "source_url", "notes")


def _dates(values) -> pd.Series:
    return pd.Series(pd.to_datetime(pd.Series(list(values), dtype="object")), dtype="datetime64[ns]")


def reports_frame(rows, *, file="mem_reports.csv") -> pd.DataFrame:
    """A canonical reports frame from dicts.

    Each dict has ``report_id`` and ``country``; a date as ``date`` (one day) or
    ``date_start``/``date_end`` (inclusive); optional ``incident_id``, ``location``,
    ``weapon``, ``source``, ``projectiles``, ``fatalities``, ``injuries``, ``x_*``.
    """
    rows = [dict(r) for r in rows]
    for r in rows:
        if "date" in r:
            d = r.pop("date")
            r.setdefault("date_start", d)
            r.setdefault("date_end", d)
        r.setdefault("date_start", None)
        r.setdefault("date_end", r["date_start"])
        if r["date_start"] is not None and "date_precision" not in r:
            r["date_precision"] = "day" if r["date_start"] == r["date_end"] else "week"
    n = len(rows)
    out = pd.DataFrame(index=range(n))
    for c in REPORT_TEXT[:2]:
        out[c] = pd.Series([r.get(c) for r in rows], dtype="str")
    out["date_start"] = _dates(r["date_start"] for r in rows)
    out["date_end"] = _dates(r["date_end"] for r in rows)
    for c in REPORT_TEXT[2:]:
        out[c] = pd.Series([r.get(c) for r in rows], dtype="str")
    for c in REPORT_COUNTS:
        out[c] = pd.array([r.get(c) for r in rows], dtype="Int64")
    extra = sorted({k for r in rows for k in r if k.startswith("x_")})
    for c in extra:
        out[c] = pd.Series([r.get(c) for r in rows], dtype="str")
    out["_file"] = pd.Series([file] * n, dtype="str")
    out["_row"] = np.arange(2, n + 2, dtype=np.int64)
    return out


def tallies_frame(rows, *, file="mem_tallies.csv") -> pd.DataFrame:
    """A canonical tallies frame from dicts (``since``, ``as_of``, ``count`` and optional text)."""
    n = len(rows)
    out = pd.DataFrame(index=range(n))
    out["tally_id"] = pd.Series([r.get("tally_id") for r in rows], dtype="str")
    out["since"] = _dates(r.get("since") for r in rows)
    out["as_of"] = _dates(r.get("as_of") for r in rows)
    out["count"] = pd.array([r.get("count") for r in rows], dtype="Int64")
    out["bound"] = pd.Series([r.get("bound", "exact") for r in rows], dtype="str")
    out["region"] = pd.Series([r.get("region", "all") for r in rows], dtype="str")
    for c in ("source", "outlet", "source_url", "notes"):
        out[c] = pd.Series([r.get(c) for r in rows], dtype="str")
    out["_file"] = pd.Series([file] * n, dtype="str")
    out["_row"] = np.arange(2, n + 2, dtype=np.int64)
    return out


def shuffled(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Rows in a random order (``_file``/``_row`` travel with their rows)."""
    rng = np.random.default_rng(seed)
    return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)


# ---------------------------------------------------------------- the builders keep the contract
def test_reports_frame_equals_what_read_reports_returns(tmp_path):
    from analysis.io import read_reports, write_reports

    built = reports_frame([
        {"report_id": "a", "country": "Iraq", "date": "2024-01-02", "location": "Erbil",
         "weapon": "drone", "injuries": 3, "incident_id": "I1"},
        {"report_id": "b", "country": "Syria", "date_start": "2024-01-01", "date_end": "2024-01-07",
         "location": "Tanf", "weapon": None, "projectiles": 2},
    ])
    path = tmp_path / "r.csv"
    write_reports(built, path)
    back = read_reports(path, format="canonical")
    for c in ("report_id", "incident_id", "date_start", "date_end", "country", "location", "weapon",
              "projectiles", "injuries"):
        assert back[c].tolist() == built[c].tolist() or (
            back[c].isna().tolist() == built[c].isna().tolist()
            and back[c].dropna().tolist() == built[c].dropna().tolist()), c
        assert str(back[c].dtype) == str(built[c].dtype), c
    assert back["_row"].tolist() == [2, 3]


def test_tallies_frame_equals_what_read_tallies_returns(tmp_path):
    from analysis.io import read_tallies, write_tallies

    built = tallies_frame([
        {"tally_id": "t1", "since": "2023-10-17", "as_of": "2023-10-24", "count": 13, "bound": "at_least",
         "source": "Pentagon"},
        {"tally_id": "t2", "since": "2023-10-17", "as_of": "2023-10-30", "count": 23, "region": "Iraq",
         "source": "Pentagon"},
    ])
    path = tmp_path / "t.csv"
    write_tallies(built, path)
    back = read_tallies(path)
    for c in ("tally_id", "since", "as_of", "count", "bound", "region", "source"):
        assert back[c].tolist() == built[c].tolist(), c
        assert str(back[c].dtype) == str(built[c].dtype), c
