"""Public writers replace a file whole or not at all: a writer that fails half-way leaves
the previous file byte for byte, and no temporary file behind."""

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis import CountSeries
from analysis.normalize import normalize
from analysis.plots import save_figure


def _fail_after_partial(path, *args, **kwargs):
    with open(path if not hasattr(path, "write") else path.name, "w") as fh:
        fh.write("partial")
    raise OSError("disk full (simulated)")


def _assert_untouched(folder, name, old):
    assert (folder / name).read_bytes() == old
    assert sorted(p.name for p in folder.iterdir()) == [name]


def test_save_figure_failure_keeps_the_old_figure(tmp_path, monkeypatch, close_figures):
    (tmp_path / "f.svg").write_bytes(b"<svg>old</svg>")
    fig, ax = plt.subplots()
    monkeypatch.setattr(type(fig), "savefig", lambda self, path, **kw: _fail_after_partial(path))
    with pytest.raises(OSError, match="simulated"):
        save_figure(fig, tmp_path / "f", formats=("svg",))
    _assert_untouched(tmp_path, "f.svg", b"<svg>old</svg>")


def test_series_and_ledger_to_csv_failure_keeps_the_old_file(tmp_path, monkeypatch):
    from analysis.io import read_reports
    src = tmp_path.parent / f"{tmp_path.name}-reports.csv"
    pd.DataFrame({"report_id": ["S1", "S2"], "date": ["2024-01-01", "2024-01-09"],
                  "country": "Synthetica", "source": "synthetic test data"}).to_csv(src, index=False)
    res = normalize(reports=read_reports(src), freq="W")
    for name, obj in (("series.csv", res.series), ("ledger.csv", res.ledger)):
        (tmp_path / name).write_bytes(b"old,complete\n")
        with monkeypatch.context() as m:
            m.setattr(pd.DataFrame, "to_csv", lambda self, path, **kw: _fail_after_partial(path))
            with pytest.raises(OSError, match="simulated"):
                obj.to_csv(tmp_path / name)
        assert (tmp_path / name).read_bytes() == b"old,complete\n"
        obj.to_csv(tmp_path / name)  # and a good write replaces it
        assert (tmp_path / name).read_text().startswith(("start,", "table,", "file,", "_file", "input"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.csv", "series.csv"]
    assert isinstance(res.series, CountSeries)
