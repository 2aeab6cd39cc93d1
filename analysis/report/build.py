"""Assemble a report: compute everything from the spec, draw the figures, write the files.

Three steps, each usable alone:

``compute(spec) -> ReportData``
    the series (from incidents, or from tallies where they reach and incidents
    elsewhere), the count model with events, changepoints (PELT and the exact Bayesian
    posterior), attribution to events, and the question sections the spec holds
    (:mod:`analysis.report.sections`); plain data, no files.
``figures(data) -> dict[str, matplotlib.figure.Figure]``
    every published figure, drawn from ``ReportData`` only (plots never fit).
``build_report(spec, out_dir) -> BuiltReport``
    writes ``reports/<name>/``: ``index.html`` (self-contained), ``report.md``,
    ``figures/`` (PNG, SVG, PDF), ``tables/`` (CSV, LaTeX), ``results.json`` and
    ``manifest.json``. Building twice gives byte-identical files.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..schema import InputError
from ..series import CountSeries
from .render import Document, render_html, render_markdown, write_table
from .spec import ReportSpec, load_spec

__all__ = ["ReportData", "BuiltReport", "compute", "figures", "build_report", "default_out_dir"]


def default_out_dir() -> Path:
    """``reports/`` at the repository root.

    Examples
    --------
    >>> default_out_dir().name
    'reports'
    """
    return Path(__file__).resolve().parents[2] / "reports"


@dataclass
class ReportData:
    """Everything a report shows, as data."""

    spec: ReportSpec
    series: CountSeries
    normalized: Any
    fit: Any = None
    segmentation: Any = None
    bayes: Any = None
    events: pd.DataFrame | None = None
    attribution: pd.DataFrame | None = None
    alignment: Any = None
    comparison: pd.DataFrame | None = None
    #: Results of the question sections, by spec key (:mod:`analysis.report.sections`).
    sections: dict = field(default_factory=dict)
    extras: dict = field(default_factory=dict)


@dataclass
class BuiltReport:
    out_dir: Path
    files: list[Path]
    data: ReportData


class _Steps:
    """A tqdm bar over the report's steps: on a terminal unless quiet, silent otherwise."""

    def __init__(self, total: int, quiet: bool):
        import sys
        self.bar = None
        if not quiet and sys.stderr.isatty():
            from tqdm.std import tqdm
            self.bar = tqdm(total=total, desc="report", unit="step", leave=False)

    def __call__(self, name: str):
        if self.bar is not None:
            self.bar.set_postfix_str(name)
            self.bar.update(1)

    def close(self):
        if self.bar is not None:
            self.bar.close()


# --------------------------------------------------------------------------- compute
def compute(spec: ReportSpec | str | Path | None = None, *, quiet: bool = True,
            _steps=None) -> ReportData:
    """Run every analysis step the spec asks for.

    Parameters
    ----------
    spec : ReportSpec, path or None
        The spec (the bundled case study when None).
    quiet : bool, default True
        When False and stderr is a terminal, a progress bar follows the steps.

    Examples
    --------
    >>> from analysis.synthetic import write_toy_spec
    >>> spec = write_toy_spec()          # synthetic reports and spec in a new folder
    >>> data = compute(spec)
    >>> data.series.n, data.series.total, data.segmentation.changepoints
    (8, 12.0, ())
    """
    step = _steps or _Steps(5, quiet)
    from .. import io as aio
    from ..normalize import normalize

    spec = spec if isinstance(spec, ReportSpec) else load_spec(spec)
    s, d = spec.series, spec.data
    reports = _read_all(aio.read_reports, d["reports"], spec)
    tallies = _read_all(aio.read_tallies, d["tallies"], spec)
    window = tuple(s["window"]) if s["window"] else None
    aliases = aio.read_aliases(d["aliases"]) if d.get("aliases") else None
    extras = {"reports": reports, "tallies": tallies, "aliases": aliases}
    if s["source"] in ("tallies+incidents", "tallies"):
        from ..normalize.sources import tallies_and_incidents
        if window is None:
            raise InputError(f'[series] source = "{s["source"]}" needs a window of whole periods',
                             file=spec.path, column="series.window")
        try:
            comb = tallies_and_incidents(reports, tallies, source=s["tally_source"], region=s["tally_region"],
                                         since=s["tally_since"], bounds=s["bounds"], window=window,
                                         freq=s["freq"], aliases=aliases, noun=s["noun"],
                                         dedupe=s.get("dedupe", "auto"))
        except ValueError as exc:
            raise InputError(str(exc), file=spec.path, column="series") from None
        try:
            series = comb.tallies_only() if s["source"] == "tallies" else comb.series
        except ValueError as exc:
            raise InputError(str(exc), file=spec.path, column="series.window") from None
        norm = comb.normalized
        extras["combined"] = comb
    else:
        norm = normalize(reports=reports, tallies=tallies, freq=s["freq"], groups=tuple(s["groups"]),
                         allocate=s["allocate"], window=window, window_days=s["window_days"],
                         aliases=aliases, rule=s["tally_rule"], dedupe=s["dedupe"])
        series = norm.series
    data = ReportData(spec=spec, series=series, normalized=norm, extras=extras)
    step("normalised")

    events = _read_all(aio.read_events, [d["events"]] if d["events"] else [], spec)
    data.events = events

    from ..models import fit_counts
    m = spec.model
    data.fit = fit_counts(series, family=m["family"], trend=m["trend"], seasonality=m["seasonality"],
                          events=list(m["events"]), cov_type=m["cov_type"])
    step("count model")

    from ..changepoints import BayesianChangepoints, detect_changepoints
    c = spec.changepoints
    data.segmentation = detect_changepoints(series, method=c["method"], cost=c["cost"],
                                            penalty=c["penalty"], min_size=c["min_size"])
    step("changepoints")
    if c["bayes"]:
        data.bayes = BayesianChangepoints(p_change=c["p_change"], min_size=c["min_size"]).fit(series)
    step("Bayesian posterior")

    if events is not None:
        from ..events import alignment_test, attribute_changes
        a = spec.attribution
        change_dates = [series.start[i] for i in data.segmentation.changepoints]
        # events that date features of the series itself are not candidate causes
        candidates = (events[~events["kind"].isin(a["exclude_kinds"]).fillna(False)]
                      if "kind" in events.columns else events)
        data.extras["excluded_events"] = sorted(set(events["event_id"]) - set(candidates["event_id"]))
        data.attribution = attribute_changes(change_dates, candidates, window_days=a["window_days"])
        if change_dates:
            # changes can only fall on interval starts that leave min_size rows either side
            k = int(c["min_size"])
            cand = series.start[k:series.n - k + 1]
            data.alignment = alignment_test(change_dates, candidates["date"],
                                            window=(series.start.min(), series.start.max()),
                                            candidates=cand, draws=a["draws"], seed=spec.seed)
    from .sections import ORDER, REGISTRY
    for key in ORDER:
        if key in spec.given:
            data.sections[key] = REGISTRY[key].compute(spec, data, spec.sections[key])
    step("attribution")
    if _steps is None:
        step.close()
    return data


def _display_path(path, spec: ReportSpec) -> str:
    """A path as reports show it: relative to the spec's repository or folder, never absolute."""
    p = Path(path).resolve()
    try:
        return p.relative_to(_root(spec)).as_posix()
    except ValueError:
        return p.name


def _root(spec: ReportSpec) -> Path:
    """Folder that report paths are shown relative to: the repository for a spec inside
    it (the bundled ones), the spec's own folder otherwise."""
    repo = Path(__file__).resolve().parents[2]
    if spec.path is None:
        return repo
    p = Path(spec.path).resolve()
    if (repo / "pyproject.toml").is_file() and repo in p.parents:
        return repo
    return p.parent


def _read_all(reader, paths, spec):
    frames = []
    for p in paths:
        f = reader(p)
        if "_file" in f.columns:
            f = f.assign(_file=_display_path(p, spec))
        frames.append(f)
    return pd.concat(frames, ignore_index=True) if frames else None


# --------------------------------------------------------------------------- figures
def figures(data: ReportData) -> dict:
    """Every published figure of the report, keyed by file stem.

    Examples
    --------
    >>> from analysis.synthetic import write_toy_spec
    >>> spec = write_toy_spec()          # synthetic reports and spec in a new folder
    >>> import matplotlib.pyplot as plt
    >>> figs = figures(compute(spec))
    >>> "counts" in figs
    True
    >>> plt.close("all")
    """
    import matplotlib.pyplot as plt

    from .. import plots

    out = {}
    ev = data.events
    with plots.project_style():
        wev = _window_events(ev, data.series)
        fig, ax = plt.subplots(figsize=(10, 4.2))
        spread, gaps = _count_sources(data)
        plots.plot_counts(data.series, ax=ax, spread=spread, no_coverage=gaps)
        if wev is not None:
            plots.plot_events(wev, ax=ax, labels=event_label_column(wev), max_label_chars=None)
        ax.set_xlabel(_period_axis_label(data.series))
        if spread is not None or gaps:
            from ..plots._axes import place_legend
            place_legend(ax)
        out["counts"] = fig

        if data.fit is not None:
            fig, ax = plt.subplots(figsize=(10, 4.2))
            ax.set_xlabel(_period_axis_label(data.series))   # before the legend is placed under it
            plots.plot_fit(_fit_frame(data.fit), ax=ax)
            steps = _step_marks(data.fit, ev)
            if steps is not None:        # the dates of the model's event terms, labelled
                plots.plot_events(steps, ax=ax, labels=True)
            out["model_fit"] = fig
            terms = data.fit.terms
            ev_terms = terms[terms["name"].str.contains(":", regex=False)]
            if len(ev_terms):
                fig, ax = plt.subplots(figsize=(7, 0.6 * len(ev_terms) + 1.6))
                plots.plot_forest(ev_terms, ax=ax, labels=term_labels(ev_terms["name"], ev))
                out["rate_ratios"] = fig

        if data.segmentation is not None:
            if data.bayes is not None:
                ax_top, ax_bot = plots.series_with_probability(
                    data.series, data.bayes.prob_change, events=wev, event_labels=event_label_column(wev),
                    max_label_chars=None, segments=data.segmentation.segments,
                    xlabel=_period_axis_label(data.series))
                out["changepoints"] = ax_top.figure
            else:
                fig, ax = plt.subplots(figsize=(10, 4.2))
                plots.plot_counts(data.series, ax=ax)
                if wev is not None and len(wev):
                    plots.plot_events(wev, ax=ax, labels=event_label_column(wev), max_label_chars=None)
                ax.set_xlabel(_period_axis_label(data.series))
                plots.plot_segments(data.segmentation.segments, ax=ax, legend=False)
                from ..plots._axes import legend_below
                legend_below(ax)
                out["changepoints"] = fig

        tallies = getattr(data.normalized, "tallies", None)
        tframe = _tally_frame(tallies)
        if tframe is not None and len(tframe):
            out["tallies"] = _tallies_figure(tframe, data.spec.series.get("tally_source"))
    return out


def _step_marks(fit, ev):
    """An events frame of the model's event terms (date and a short label), for plot_events."""
    names = [n for n in fit.terms["name"].astype(str) if ":" in n]
    if not names:
        return None
    labels = term_labels(names, ev)
    rows = []
    for n in names:
        when = n.split(":", 1)[1]
        try:
            day = pd.Timestamp(when)
        except ValueError:
            continue
        rows.append({"event_id": n, "date": day, "end_date": pd.NaT, "kind": "model term",
                     "label": labels.get(n, n)})
    return pd.DataFrame(rows) if rows else None


def _tallies_figure(tframe, main=None):
    """The main counter's chains (each day it counts from its own style) above, the other
    counters' statements in a small panel below (no connectors, so they do not crowd it)."""
    import matplotlib.pyplot as plt

    from .. import plots

    t = tframe[tframe["region"].astype("object").fillna("all").eq("all")] if "region" in tframe else tframe
    sources = t["source"].astype("object").fillna("").astype(str)
    main = main if main in set(sources) else sources.value_counts().idxmax()
    others = sorted(set(sources) - {main})
    if not others:
        fig, ax = plt.subplots(figsize=(10, 4.6))
        plots.plot_tallies(t, ax=ax, chains="since")
        ax.set_xlabel("date of the statement (as of)")
        return fig
    fig, (top, bot) = plt.subplots(2, 1, figsize=(10, 6.2), sharex=True,
                                   gridspec_kw={"height_ratios": [3, 1.3]})
    plots.plot_tallies(t, ax=top, source=main, chains="since")
    top.set_title(f"{main}: cumulative count, one line per day it counts from")
    plots.plot_tallies(t, ax=bot, source=others, connect=False, max_colors=7)
    bot.set_title(f"{len(others)} other counters: their statements")
    bot.set_xlabel("date of the statement (as of)")
    return fig


def _count_sources(data):
    """Rows spread from tally totals (most of their days) and the stretches no source covers."""
    spread = None
    comb = data.extras.get("combined")
    if comb is not None:
        d = comb.daily
        days = pd.DatetimeIndex(d["day"])
        tally = (d["source"] == "tallies").to_numpy()
        s, e = data.series.start, data.series.end
        spread = np.array([tally[(days >= a) & (days < b)].mean() > 0.5 if ((days >= a) & (days < b)).any()
                           else False for a, b in zip(s, e)])
        if not spread.any():
            spread = None
    gaps = []
    cov = data.sections.get("coverage")
    if cov is not None:
        gaps = [(pd.Timestamp(a), pd.Timestamp(b)) for a, b in cov.facts.get("gaps", [])]
    return spread, gaps


def _period_axis_label(series) -> str:
    return {"W": "ISO week (Monday to Sunday)", "M": "calendar month", "D": "day",
            "Q": "calendar quarter", "Y": "year"}.get(series.freq, "date")


#: More listed events than this are labelled by ``event_id`` (keyed in the caption).
MAX_TEXT_LABELS = 8
#: A label longer than this is never cut on a figure: the events are labelled by id instead.
MAX_LABEL_CHARS = 48


def event_label_column(ev):
    """``labels`` for plot_events: event ids (keyed in the caption) when whole labels would
    crowd the figure (more than MAX_TEXT_LABELS events) or one would be longer than
    MAX_LABEL_CHARS; else True (the labels, drawn whole: no figure shows a cut label)."""
    if ev is None or "event_id" not in ev.columns or not len(ev):
        return True
    if len(ev) > MAX_TEXT_LABELS or "label" not in ev.columns:
        return "event_id"
    longest = ev["label"].astype("object").fillna("").astype(str).str.len().max()
    return "event_id" if longest > MAX_LABEL_CHARS else True


def term_labels(names, ev) -> dict:
    """Readable forest-plot labels: ``level:2024-01-28`` -> ``step at 28 Jan 2024 (E007)``."""
    kinds = {"level": "step", "slope": "slope change", "pulse": "pulse", "level+slope": "step and slope"}
    out = {}
    for name in names:
        kind, _, when = str(name).partition(":")
        try:
            day = pd.Timestamp(when)
        except ValueError:
            continue
        text = f"{kinds.get(kind, kind)} at {day.day} {day:%b %Y}"
        if ev is not None and "event_id" in ev.columns:
            ids = ev.loc[pd.to_datetime(ev["date"]) == day, "event_id"].astype(str).tolist()
            if ids:
                text += f" ({', '.join(ids)})"
        out[str(name)] = text
    return out


def _window_events(ev, series):
    if ev is None:
        return None
    lo, hi = series.start.min(), series.end.max()
    return ev[(ev["date"] >= lo) & (ev["date"] < hi)].reset_index(drop=True)


def _fit_frame(fit) -> pd.DataFrame:
    obs = fit.predict()
    ev_names = [n for n in fit.terms["name"] if ":" in n]
    if ev_names:
        cf = fit.predict(counterfactual=ev_names)
        obs = obs.assign(cf_mean=cf["mean"].to_numpy(), cf_low=cf["ci_low"].to_numpy(),
                         cf_high=cf["ci_high"].to_numpy())
    return obs


def _tally_frame(tallies):
    if tallies is None:
        return None
    return getattr(tallies, "cumulative", None)


# --------------------------------------------------------------------------- writing
def build_report(spec=None, out_dir=None, *, quiet: bool = True) -> BuiltReport:
    """Build the report of ``spec`` (the bundled case study when None) under ``out_dir/<name>``.

    The spec is validated first (:func:`~analysis.report.load_spec`). The report is
    written into a staging folder beside ``out_dir/<name>`` and swapped in only when
    complete, ``manifest.json`` last (:func:`analysis._atomic.staged_dir`): a run
    interrupted at any point leaves the previous complete report, or nothing. A lock file
    ``out_dir/.<name>.lock`` makes a second build into the same folder fail at once with
    :class:`~analysis._atomic.OutputLockedError` naming the process that holds it.

    Examples
    --------
    >>> from analysis.synthetic import write_toy_spec
    >>> spec = write_toy_spec()          # synthetic reports and spec in a new folder
    >>> rep = build_report(spec, spec.parent / "out")
    >>> sorted(p.name for p in rep.out_dir.iterdir())
    ['figures', 'index.html', 'manifest.json', 'report.md', 'results.json', 'tables']
    """
    from .._atomic import OutputLock, checkpoint, clean_stale, staged_dir

    spec = spec if isinstance(spec, ReportSpec) else load_spec(spec)
    root = Path(out_dir) if out_dir is not None else default_out_dir()
    target = root / spec.name
    created = not root.exists()
    try:
        with OutputLock(target):
            clean_stale(target)  # staging folders of killed builds
            step = _Steps(7, quiet)
            data = compute(spec, quiet=quiet, _steps=step)
            checkpoint("report-computed")
            with staged_dir(target) as stage:
                rels = _write_report(data, stage, step)
            step.close()
    except BaseException:
        if created:  # a failed first build leaves no empty folder behind
            with contextlib.suppress(OSError):
                root.rmdir()
        raise
    files = [target / r for r in rels]
    return BuiltReport(out_dir=target, files=files, data=data)


def _write_report(data: ReportData, out: Path, step) -> list[str]:
    """Write every file of the report into the (staging) folder ``out``, the manifest
    last; returns the paths written, relative to ``out``."""
    from .._atomic import checkpoint
    from ..plots import save_figure
    from . import narrative
    from .manifest import write_manifest
    from .provenance import provenance

    spec = data.spec
    (out / "figures").mkdir(parents=True, exist_ok=True)
    (out / "tables").mkdir(parents=True, exist_ok=True)

    import matplotlib.pyplot as plt
    fig_files: list[Path] = []
    figs = figures(data)
    step("figures")
    if step.bar is not None:  # saving (PNG, SVG, PDF) is the longest step: one tick per figure
        step.bar.total += len(figs)
    fig_objs = {}
    for key, fig in figs.items():
        paths = save_figure(fig, out / "figures" / key, formats=tuple(spec.outputs["figure_formats"]),
                            dpi=spec.outputs["dpi"])
        fig_files += [Path(p) for p in paths]
        fig_objs[key] = out / "figures" / f"{key}.png"
        plt.close(fig)
        step(f"saved {key}")
        checkpoint("report-figure")
    sections, tables = narrative.sections(data, fig_objs)
    table_files = []
    for t in tables:
        table_files += write_table(t, out / "tables")
    checkpoint("report-tables")

    inputs = list(spec.data["reports"]) + list(spec.data["tallies"])
    if spec.data["events"]:
        inputs.append(spec.data["events"])
    params = spec.to_dict()
    params["data"] = {k: ([_display_path(x, spec) for x in v] if isinstance(v, list)
                          else (_display_path(v, spec) if v else v)) for k, v in params["data"].items()}
    prov = provenance(inputs, parameters=params, seed=spec.seed,
                      root=_root(spec))
    interactive, vega_js = {}, ""
    if spec.outputs.get("interactive"):
        from . import interactive as vl
        interactive = {k: vl.script_json(v) for k, v in vl.charts(data).items() if k in fig_objs}
        vega_js = vl.javascript_bundle()
    doc = Document(title=spec.title, subtitle=spec.description, sections=sections, provenance=prov,
                   figure_formats=tuple(spec.outputs["figure_formats"]), interactive=interactive,
                   vega_js=vega_js)
    (out / "index.html").write_text(render_html(doc), encoding="utf-8")
    (out / "report.md").write_text(render_markdown(doc), encoding="utf-8")
    results = narrative.results_json(data)
    results["provenance"] = prov
    (out / "results.json").write_text(json.dumps(_jsonable(results), indent=2, sort_keys=True,
                                                 allow_nan=False) + "\n", encoding="utf-8")
    checkpoint("report-pages")
    files = fig_files + table_files + [out / n for n in ("index.html", "report.md", "results.json")]
    write_manifest(out, files)  # every file of the report, written last
    checkpoint("report-manifest")
    step("written")
    return [Path(f).relative_to(out).as_posix() for f in files] + ["manifest.json"]


def _jsonable(o):
    if isinstance(o, dict):
        return {str(k): _jsonable(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_jsonable(v) for v in o]
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (float, np.floating)):
        return float(o) if np.isfinite(o) else None
    if isinstance(o, (pd.Timestamp,)):
        return o.strftime("%Y-%m-%d")
    if isinstance(o, pd.DataFrame):
        return _jsonable(o.to_dict("records"))
    if o is pd.NaT or (o is not None and not isinstance(o, (str, bool, int)) and pd.isna(o)):
        return None
    return o
