"""The bundled data sets: the 2023-2024 attacks case study and the coal-mining disasters.

The files live in ``data/`` at the repository root (``data/README.md`` documents every
column, the provenance and the known gaps). The canonical case-study tables there are
built from the verbatim raw files in ``data/raw`` by :mod:`analysis.curate`.

Every loader takes ``data_dir=`` to read another copy of the folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pandas as pd

if TYPE_CHECKING:
    from .normalize.sources import CombinedSeries
    from .series import CountSeries

__all__ = ["DATA_DIR", "SPECS_DIR", "BUNDLED_SPECS", "CASE_STUDY_FILES", "CASE_STUDY_ALIASES",
           "data_path", "CaseStudy", "bundled_specs", "load_aliases", "load_case_study", "case_study_series",
           "load_exclusions", "load_coal_mining", "load_nile"]

#: The bundled ``data/`` folder (repository root / data).
DATA_DIR = Path(__file__).resolve().parents[1] / "data"

#: Canonical files of the case study: table -> file name in ``data/``.
CASE_STUDY_FILES = {"reports": "reports.csv", "tallies": "tallies.csv", "events": "events.csv"}

#: The bundled report specs (repository root / specs).
SPECS_DIR = Path(__file__).resolve().parents[1] / "specs"
#: The bundled reports, in build order: the case study, then the synthetic ACLED-shaped sample.
BUNDLED_SPECS = ("coalition-attacks.toml", "synthetic-acled.toml")
#: File of the case study's place-name aliases in ``data/``.
CASE_STUDY_ALIASES_FILE = "aliases.csv"


def bundled_specs() -> list[Path]:
    """Paths of the bundled report specs (:data:`BUNDLED_SPECS`) that exist.

    Examples
    --------
    >>> [p.name for p in bundled_specs()]
    ['coalition-attacks.toml', 'synthetic-acled.toml']
    """
    return [SPECS_DIR / n for n in BUNDLED_SPECS if (SPECS_DIR / n).is_file()] or [SPECS_DIR / BUNDLED_SPECS[0]]


def load_aliases(*, data_dir=None) -> dict:
    """Place-name aliases of the case study (``data/aliases.csv``) for
    :func:`analysis.normalize.normalize` and :func:`analysis.normalize.dedupe` (``aliases=``):
    spellings of one place that no general key rule joins.

    Examples
    --------
    >>> load_aliases()["Rumaylan"]
    'Rumalyn'
    """
    from .io import read_aliases
    return read_aliases(data_path(CASE_STUDY_ALIASES_FILE, data_dir=data_dir))


def __getattr__(name: str):
    # CASE_STUDY_ALIASES is read from data/aliases.csv when first asked for (no import-time I/O)
    if name == "CASE_STUDY_ALIASES":
        return load_aliases()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _dir(data_dir) -> Path:
    return DATA_DIR if data_dir is None else Path(data_dir)


def data_path(name: str | None = None, *, data_dir=None) -> Path:
    """Path of a bundled data file, or of the data folder itself.

    Parameters
    ----------
    name : str, optional
        File name inside ``data/`` (``"reports.csv"``, ``"raw/tallies.csv"``, ...).
        Without it, the folder is returned.
    data_dir : path, optional
        Folder to look in instead of the bundled ``data/``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        When the file does not exist; the message lists the files that do.

    Examples
    --------
    >>> data_path("coal_mining_disasters.csv").name
    'coal_mining_disasters.csv'
    >>> data_path().name
    'data'
    """
    folder = _dir(data_dir)
    if name is None:
        return folder
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string or None, not {name!r}")
    path = folder / name
    if not path.is_file():
        have = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                      if p.is_file()) if folder.is_dir() else []
        raise FileNotFoundError(f"no data file {name!r} in {folder}; available: {have}")
    return path


class CaseStudy(NamedTuple):
    """The canonical case-study frames, as the :mod:`analysis.io` readers return them."""

    reports: pd.DataFrame
    tallies: pd.DataFrame
    events: pd.DataFrame


def _relabel(frame: pd.DataFrame, name: str, data_dir) -> pd.DataFrame:
    # The bundled files are named relative to the repository, so that ledgers and
    # provenance written from them do not depend on where the repository lives.
    if data_dir is None and "_file" in frame.columns:
        frame = frame.assign(_file=pd.Series([f"data/{name}"] * len(frame), dtype="str",
                                             index=frame.index))
    return frame


def load_case_study(*, data_dir=None) -> CaseStudy:
    """Load the canonical reports, tallies and events of the bundled case study.

    Attacks on US-led coalition forces in Iraq, Syria and Jordan, October 2023 to
    August 2024, with the political and military events around them.

    Parameters
    ----------
    data_dir : path, optional
        Folder with ``reports.csv``, ``tallies.csv`` and ``events.csv`` instead of the
        bundled ``data/``.

    Returns
    -------
    CaseStudy
        ``(reports, tallies, events)``: the frames of :func:`analysis.io.read_reports`,
        :func:`analysis.io.read_tallies` and :func:`analysis.io.read_events`. ``_file``
        names the bundled files as ``data/<name>``.

    Raises
    ------
    FileNotFoundError
        A file of :data:`CASE_STUDY_FILES` is missing from the folder.
    InputError
        A file does not validate (the message names file, row and column).

    See Also
    --------
    load_exclusions : the raw reports that curation could not turn into canonical rows.

    Examples
    --------
    >>> cs = load_case_study()
    >>> len(cs.reports), len(cs.tallies), len(cs.events)
    (92, 101, 32)
    """
    from .io import read_events, read_reports, read_tallies

    readers = {"reports": read_reports, "tallies": read_tallies, "events": read_events}
    frames = {}
    for table, name in CASE_STUDY_FILES.items():
        frame = readers[table](data_path(name, data_dir=data_dir))
        frames[table] = _relabel(frame, name, data_dir)
    return CaseStudy(**frames)


def case_study_series(*, bounds: str | None = None) -> "CombinedSeries":
    """The case study's weekly series as its spec builds it (``specs/coalition-attacks.toml``).

    The Pentagon's tallies where they reach, the incident list elsewhere
    (:func:`analysis.normalize.sources.tallies_and_incidents` with the spec's ``[series]``
    settings and the bundled aliases).

    Parameters
    ----------
    bounds : {"lower", "stated", "upper"}, optional
        The tally bounds rule (default: the spec's).

    Returns
    -------
    CombinedSeries

    Examples
    --------
    >>> c = case_study_series()
    >>> c.series.n, c.series.total
    (46, 178.0)
    """
    from .normalize.sources import tallies_and_incidents
    from .report.spec import load_spec

    spec = load_spec(SPECS_DIR / BUNDLED_SPECS[0])
    s = spec.series
    cs = load_case_study()
    return tallies_and_incidents(cs.reports, cs.tallies, source=s["tally_source"], region=s["tally_region"],
                                 since=s["tally_since"], bounds=bounds or s["bounds"], window=s["window"],
                                 freq=s["freq"], aliases=load_aliases(), noun=s["noun"])


def load_exclusions(*, data_dir=None) -> pd.DataFrame:
    """The raw reports left out of ``reports.csv``: ``report_id, file, reason, source_url``.

    Examples
    --------
    >>> load_exclusions().columns.tolist()
    ['report_id', 'file', 'reason', 'source_url']
    """
    path = data_path("reports_excluded.csv", data_dir=data_dir)
    return pd.read_csv(path, dtype="str", keep_default_na=False)


def load_coal_mining(*, data_dir=None) -> "CountSeries":
    """Yearly counts of British coal-mining disasters, 1851-1962.

    The yearly totals of the 191 explosions that killed ten or more men listed by
    Jarrett (1979, Biometrika 66:191-193), as distributed in R's ``boot`` package
    (dataset ``coal``). A classic test case for changepoint methods (the rate falls
    around 1890).

    Returns
    -------
    CountSeries
        Yearly series (``freq="Y"``, labels ``"1851"`` ... ``"1962"``), 112 rows.

    Examples
    --------
    >>> s = load_coal_mining()
    >>> s.labels[0], s.labels[-1], int(s.total)
    ('1851', '1962', 191)
    """
    from .schema import InputError
    from .series import CountSeries

    path = data_path("coal_mining_disasters.csv", data_dir=data_dir)
    table = pd.read_csv(path, dtype="str", keep_default_na=False)
    if list(table.columns) != ["year", "count"]:
        raise InputError(f"expected columns ['year', 'count'], found {list(table.columns)}",
                         file=path, row=1)
    label = "data/coal_mining_disasters.csv" if data_dir is None else str(path)
    series = CountSeries.from_table(table, time="year", count="count", file=path)
    return series.with_attrs(source=label, dataset="coal",
                             reference="Jarrett (1979), Biometrika 66:191-193")


def load_nile() -> pd.DataFrame:
    """Annual flow of the Nile at Aswan, 1871-1970 (10^8 m^3), as shipped with statsmodels.

    The classic test series for a change in mean: the flow drops after the Aswan Low
    Dam was begun (1898/1899). Read from ``statsmodels.datasets.nile`` (installed with
    statsmodels; nothing is downloaded).

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int) and ``volume`` (float), 100 rows; ``attrs["source"]``
        names the data set and its reference (Cobb 1978, Biometrika 65:243-251).

    Examples
    --------
    >>> nile = load_nile()
    >>> len(nile), int(nile["year"].iloc[0]), int(nile["year"].iloc[-1])
    (100, 1871, 1970)
    """
    from statsmodels.datasets import nile

    d = nile.load_pandas().data
    out = pd.DataFrame({"year": d["year"].astype(int).to_numpy(), "volume": d["volume"].astype(float).to_numpy()})
    out.attrs["source"] = "statsmodels.datasets.nile; Cobb (1978), Biometrika 65:243-251"
    return out
