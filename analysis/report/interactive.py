"""Interactive versions of the report's main figures, embedded in ``index.html`` so it works offline.

With ``[outputs] interactive = true`` the HTML report carries, under the counts, model-fit
and changepoint figures, a Vega-Lite version of the same figure (specs written with
Altair). Hovering a week shows its count (and bounds), how it was counted, its reports
and sources, and the listed events in it; clicking a week of the counts chart lists its
source URLs, each a link. The Vega, Vega-Lite and Vega-Embed JavaScript is inlined from
the bundle that ``vl-convert-python`` ships (no network request, no CDN), so the file
works offline. The static PNG/SVG/PDF figures stay the reproducible artefacts; the
interactive versions are drawn from the same :class:`~analysis.report.build.ReportData`
and the same numbers.

``charts(data) -> dict[str, dict]``
    the Vega-Lite specs, keyed by figure stem (``counts``, ``model_fit``, ``changepoints``).
``week_table(data) -> pandas.DataFrame``
    one row per period of the series with what the tooltips show.
``javascript_bundle() -> str``
    the Vega + Vega-Lite + Vega-Embed bundle for one ``<script>`` element.
``script_json(spec) -> str``
    a spec as JSON that is safe inside ``<script type="application/json">``.
"""

from __future__ import annotations

import functools
import json
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from .._format import fmt_date, fmt_num, plural

__all__ = ["charts", "week_table", "javascript_bundle", "script_json", "WIDTH", "MAX_LINKS"]

#: Width of the plotting area of every interactive chart (CSS pixels).
WIDTH = 720
#: Source URLs listed for one clicked week (more are counted, and all are in the Sources section).
MAX_LINKS = 15

_BASIS_COLORS = {"dated incidents": "#56B4E9", "spread from tally totals": "#A9D8F2",
                 "no source covers these days": "#E4E4E4"}
_EVENT = "#555555"
_SEGMENT = "#D55E00"
_FIT = "#0072B2"
_PROBABILITY = "#009E73"


def _need():
    """altair and vl_convert, or an error that says what to install and which key asked for them."""
    try:
        import altair as alt
        import vl_convert as vlc
    except ImportError as exc:  # pragma: no cover - both are dependencies of the package
        raise ImportError("[outputs] interactive = true needs altair and vl-convert-python "
                          f"(pip install altair vl-convert-python): {exc}") from None
    return alt, vlc


def _vl_version(vlc, alt) -> str:
    want = ".".join(str(alt.VEGALITE_VERSION).lstrip("v").split(".")[:2])
    have = list(vlc.get_vegalite_versions())
    if want not in have:
        raise RuntimeError(f"altair writes Vega-Lite {want} specs but vl-convert-python bundles only "
                           f"{', '.join(have)}; install versions that agree (see constraints.txt)")
    return want


@functools.lru_cache(maxsize=1)
def javascript_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed in one script (globals ``vega``, ``vegaLite``, ``vegaEmbed``).

    The bundle comes with ``vl-convert-python`` for the Vega-Lite version Altair writes;
    it is the same string on every call, so the report stays byte-identical.
    """
    alt, vlc = _need()
    js = vlc.javascript_bundle(vl_version=_vl_version(vlc, alt))
    if "</script" in js.lower():  # it is inlined in a <script> element
        raise RuntimeError("the Vega bundle contains '</script' and cannot be inlined in the report")
    return js


def script_json(spec: dict) -> str:
    """``spec`` as JSON for a ``<script type="application/json">`` element.

    ``<``, ``>`` and ``&`` are written as ``\\u003c`` etc., so text from the data (an
    event label ``</script><script>...``) can neither end the element nor start markup;
    ``JSON.parse`` gives the original strings back.
    """
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# --------------------------------------------------------------------------- data
def _ms(values) -> np.ndarray:
    """Datetimes -> milliseconds since 1970 (UTC), as Vega reads temporal numbers."""
    idx = pd.DatetimeIndex(pd.to_datetime(pd.Index(values)))
    return (idx.as_unit("ns").asi8 // 1_000_000).astype("int64")


def _span_text(start, end) -> str:
    """``29 Jan – 4 Feb 2024`` for a half-open interval [start, end)."""
    a, b = pd.Timestamp(start), pd.Timestamp(end) - pd.Timedelta(days=1)
    if a == b:
        return f"{a.day} {a:%b %Y}"
    left = f"{a.day} {a:%b}" + ("" if a.year == b.year else f" {a:%Y}")
    return f"{left} \u2013 {b.day} {b:%b %Y}"


def _web(url) -> str | None:
    u = str(url).strip() if isinstance(url, str) else ""
    return u if u.lower().startswith(("http://", "https://")) else None


def _host(url: str) -> str:
    h = urlsplit(url).netloc.lower()
    return h[4:] if h.startswith("www.") else h


def _week_sources(data) -> list[dict]:
    """Per row of the series: source URLs (ordered), tally statements and incidents behind it.

    Rows counted from tallies rest on the tally statements whose interval reaches into
    them; rows counted from the incident list on the reports of the incidents dated in
    them (the reports of each incident, else the incident's own ``source_url``).
    """
    s = data.series
    starts, ends = pd.DatetimeIndex(s.start), pd.DatetimeIndex(s.end)
    out = [{"urls": [], "tallies": [], "incidents": []} for _ in range(s.n)]
    comb = data.extras.get("combined")
    tally_days = None
    if comb is not None:
        d = comb.daily
        tally_days = set(pd.DatetimeIndex(d.loc[d["source"] == "tallies", "day"]))
        path = getattr(comb, "tally_path", None)
        traw = data.extras.get("tallies")
        turl = ({str(k): v for k, v in zip(traw["tally_id"], traw["source_url"])}
                if traw is not None and {"tally_id", "source_url"} <= set(traw.columns) else {})
        if path is not None and len(path):
            a = pd.DatetimeIndex(path["interval_start"])
            b = pd.DatetimeIndex(path["interval_end"])
            for i in range(s.n):
                days = [x for x in pd.date_range(starts[i], ends[i] - pd.Timedelta(days=1)) if x in tally_days]
                if not days:
                    continue
                lo, hi = min(days), max(days)
                hit = (a <= hi) & (b > lo)
                for tid in path.loc[hit, "tally_id"].astype(str):
                    out[i]["tallies"].append(tid)
                    u = _web(turl.get(tid))
                    if u and u not in out[i]["urls"]:
                        out[i]["urls"].append(u)
    inc = getattr(data.normalized, "incidents", None)
    if inc is not None and len(inc):
        inc = inc[inc["counted"].astype(bool)] if "counted" in inc.columns else inc
        reps = data.extras.get("reports")
        rurl = ({str(k): v for k, v in zip(reps["report_id"], reps["source_url"])}
                if reps is not None and {"report_id", "source_url"} <= set(reps.columns) else {})
        day = pd.DatetimeIndex(inc["date_start"]).normalize()
        counted = (~day.isin(pd.DatetimeIndex(sorted(tally_days))) if tally_days is not None
                   else np.ones(len(day), bool))  # days counted from the tallies rest on them
        for i in range(s.n):
            sel = (day >= starts[i]) & (day < ends[i]) & counted
            for row in inc[sel].itertuples(index=False):
                out[i]["incidents"].append(str(row.incident_id))
                ids = [r.strip() for r in str(getattr(row, "report_ids", "") or "").split(";") if r.strip()]
                urls = [_web(rurl.get(r)) for r in ids] or []
                urls = [u for u in urls if u] or [u for u in [_web(getattr(row, "source_url", None))] if u]
                for u in urls:
                    if u not in out[i]["urls"]:
                        out[i]["urls"].append(u)
    return out


def _short(text: str, n: int = 90) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


def _events_frame(data) -> pd.DataFrame | None:
    from .build import _window_events

    ev = _window_events(data.events, data.series)
    if ev is None or not len(ev):
        return None
    ev = ev.sort_values("date", kind="stable").reset_index(drop=True)
    return pd.DataFrame({
        "t": _ms(ev["date"]),
        "event": ev["event_id"].astype(str) if "event_id" in ev else [f"event {k + 1}" for k in range(len(ev))],
        "date": [fmt_date(d) for d in ev["date"]],
        "kind": ev["kind"].astype("object").fillna("").astype(str) if "kind" in ev else "",
        "label": [_short(x, 140) for x in ev["label"].astype("object").fillna("")] if "label" in ev else "",
        "url": [_web(u) or "" for u in ev["source_url"]] if "source_url" in ev else "",
    })


def week_table(data) -> pd.DataFrame:
    """One row per period of the series, with every field the tooltips show.

    Columns: ``t0``/``t1`` (start and exclusive end, ms since 1970 UTC), ``week`` (label
    and days), ``count`` (as in the series), ``lower``/``upper`` (bounds of censored
    rows, else NaN), ``count_text``, ``basis`` (dated incidents, spread from tally
    totals, or no source covers these days), ``reports`` (reports counted in the row),
    ``n_sources``, ``sources`` (hosts of the source URLs), ``events`` (listed events
    dated in the row) and ``urls`` (the URLs, in order).
    """
    from .build import _count_sources

    s = data.series
    d = s.data
    counts = s.counts.astype(float)
    lower = np.asarray(s.lower, float)
    upper = np.asarray(s.upper, float)
    cens = np.asarray(s.censored, bool)
    spread, gaps = _count_sources(data)
    starts, ends = pd.DatetimeIndex(s.start), pd.DatetimeIndex(s.end)
    srcs = _week_sources(data)
    ev = _events_frame(data)
    labels = list(s.labels)
    rows = []
    for i in range(s.n):
        a, b = starts[i], ends[i]
        in_gap = any(a < g1 and b > g0 for g0, g1 in gaps)
        if spread is not None and spread[i]:
            basis = "spread from tally totals"
        elif in_gap and counts[i] == 0:
            basis = "no source covers these days"
        else:
            basis = "dated incidents"
        if cens[i]:
            hi = "no upper bound" if not np.isfinite(upper[i]) else fmt_num(upper[i])
            ctext = f"{fmt_num(counts[i])} (censored: from {fmt_num(lower[i])} to {hi})"
        else:
            ctext = fmt_num(counts[i])
        urls = srcs[i]["urls"]
        hosts = list(dict.fromkeys(_host(u) for u in urls))
        stext = (f"{plural(len(urls), 'URL')}: " + ", ".join(hosts[:4])
                 + (f" (+{len(hosts) - 4} more)" if len(hosts) > 4 else "")) if urls else "none"
        if srcs[i]["tallies"]:
            stext += "; tally statements " + ", ".join(srcs[i]["tallies"])
        etext = "none"
        if ev is not None:
            t0, t1 = _ms([a])[0], _ms([b])[0]
            hit = ev[(ev["t"] >= t0) & (ev["t"] < t1)]
            if len(hit):
                etext = "; ".join(f"{r.event} ({r.date}): {_short(r.label, 60)}" for r in hit.itertuples())
        nrep = int(d["n_reports"].iloc[i]) if "n_reports" in d.columns else len(srcs[i]["incidents"])
        rows.append({"week": f"{labels[i]}, {_span_text(a, b)}", "count": float(counts[i]),
                     "lower": float(lower[i]) if cens[i] else None,
                     "upper": (float(upper[i]) if np.isfinite(upper[i]) else None) if cens[i] else None,
                     "count_text": ctext, "basis": basis, "reports": nrep, "n_sources": len(urls),
                     "sources": stext, "events": etext, "urls": urls})
    out = pd.DataFrame(rows)
    out.insert(0, "t1", _ms(ends))
    out.insert(0, "t0", _ms(starts))
    return out


def _links_frame(weeks: pd.DataFrame) -> pd.DataFrame:
    """The click panel's lines: the URLs of each week (at most MAX_LINKS), or a line saying none."""
    rows = []
    for w in weeks.itertuples(index=False):
        urls = list(w.urls)
        if not urls:
            rows.append({"week": w.week, "line": 0, "text": f"{w.week}: no source URL for this period",
                         "url": None})
            continue
        rows.append({"week": w.week, "line": 0, "text": f"{w.week}: {plural(len(urls), 'source')}",
                     "url": None})
        for k, u in enumerate(urls[:MAX_LINKS], start=1):
            rows.append({"week": w.week, "line": k, "text": _short(u, 110), "url": u})
        if len(urls) > MAX_LINKS:
            rows.append({"week": w.week, "line": MAX_LINKS + 1,
                         "text": f"+{len(urls) - MAX_LINKS} more: see the Sources section", "url": None})
    return pd.DataFrame(rows, columns=["week", "line", "text", "url"])


# --------------------------------------------------------------------------- charts
def _x(alt, lo, hi, title):
    return alt.X("t0:T", title=title, scale=alt.Scale(type="utc", domain=[int(lo), int(hi)]),
                 axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=8))


def _week_tooltip(alt, extra=()):
    return [alt.Tooltip("week:N", title="period"), alt.Tooltip("count_text:N", title="count"),
            *extra, alt.Tooltip("basis:N", title="counted from"),
            alt.Tooltip("reports:Q", title="reports counted"),
            alt.Tooltip("sources:N", title="sources"), alt.Tooltip("events:N", title="events")]


def _hover_layer(alt, weeks, x, tooltip, name, *, click=None):
    hover = alt.selection_point(name=f"{name}_hover", on="pointerover", clear="pointerout",
                                fields=["week"], empty=False)
    layer = alt.Chart(weeks).mark_rect(color="#808080").encode(
        x=x, x2="t1:T", opacity=alt.condition(hover, alt.value(0.16), alt.value(0.001)), tooltip=tooltip)
    params = [hover] + ([click] if click is not None else [])
    # named: Altair would otherwise name the view carrying the params from a per-process hash,
    # and the report would differ from one build to the next
    return layer.add_params(*params).properties(name=f"{name}_periods")


def _event_layers(alt, ev, x_title):
    if ev is None:
        return []
    x = alt.X("t:T", title=x_title)
    tip = [alt.Tooltip("event:N", title="event"), alt.Tooltip("date:N"), alt.Tooltip("kind:N"),
           alt.Tooltip("label:N"), alt.Tooltip("url:N", title="source (click to open)")]
    rule = alt.Chart(ev).mark_rule(color=_EVENT, strokeDash=[4, 3], strokeWidth=0.8).encode(x=x)
    mark = alt.Chart(ev).mark_point(shape="triangle-down", filled=True, size=60, color=_EVENT,
                                    yOffset=-7, cursor="pointer").encode(
        x=x, y=alt.value(0), tooltip=tip, href=alt.Href("url:N"))
    return [rule, mark]


def _domain(weeks):
    return weeks["t0"].min(), weeks["t1"].max()


def counts_chart(data, weeks: pd.DataFrame, x_title: str) -> dict:
    """Counts per period (colour: how counted), no-coverage stretches, events; hover and click."""
    alt, _ = _need()
    lo, hi = _domain(weeks)
    x = _x(alt, lo, hi, x_title)
    from .build import _count_sources
    _, gaps = _count_sources(data)
    basis_scale = alt.Scale(domain=list(_BASIS_COLORS), range=list(_BASIS_COLORS.values()))
    color = alt.Color("basis:N", scale=basis_scale, title=None, legend=alt.Legend(orient="top", labelLimit=0))
    plot = weeks.drop(columns=["urls"])
    layers = []
    if gaps:
        g = pd.DataFrame({"t0": _ms([a for a, _ in gaps]), "t1": _ms([b for _, b in gaps]),
                          "basis": "no source covers these days"})
        g["t0"], g["t1"] = g["t0"].clip(lo, hi), g["t1"].clip(lo, hi)
        layers.append(alt.Chart(g).mark_rect().encode(x=x, x2="t1:T", color=color))
    layers.append(alt.Chart(plot).mark_rect(stroke="white", strokeWidth=0.5).encode(
        x=x, x2="t1:T", y=alt.Y("count:Q", title=f"count per {_unit(data)}"), y2=alt.datum(0), color=color))
    if plot["lower"].notna().any():
        b = plot[plot["lower"].notna()].assign(mid=lambda f: (f["t0"] + f["t1"]) // 2)
        b["upper"] = b["upper"].fillna(b["lower"])
        layers.append(alt.Chart(b).mark_rule(color="#333333").encode(x="mid:T", y="lower:Q", y2="upper:Q"))
    click = alt.selection_point(name="counts_click", on="click", fields=["week"], empty=False,
                                toggle=False, clear="dblclick")
    layers.append(_hover_layer(alt, plot, x, _week_tooltip(alt), "counts", click=click))
    layers += _event_layers(alt, _events_frame(data), x_title)
    top = alt.layer(*layers).properties(width=WIDTH, height=300, name="counts_main")
    links = _links_frame(weeks)
    panel = alt.Chart(links).mark_text(align="left", baseline="middle", fontSize=11, dx=2).encode(
        y=alt.Y("line:O", axis=None), text="text:N", href=alt.Href("url:N"),
        color=alt.condition("datum.url", alt.value("#0B5CAD"), alt.value("#333333")),
        tooltip=alt.Tooltip("url:N", title="opens")).transform_filter(click).properties(
        width=WIDTH, height=alt.Step(15), name="counts_links",
        title=alt.Title("Sources of the clicked period (click a bar's period above; each link opens its page)",
                        fontSize=11, fontWeight="normal", anchor="start"))
    chart = alt.vconcat(top, panel, spacing=12)
    return _finish(alt, chart)


def _unit(data) -> str:
    from ..plots._axes import bin_unit
    return bin_unit(freq=data.series.freq) or "period"


def _finish(alt, chart) -> dict:
    chart = chart.configure_view(stroke=None).configure_axis(grid=True, gridColor="#EEEEEE",
                                                             labelFontSize=11, titleFontSize=12)
    spec = chart.to_dict()  # validated against the Vega-Lite schema
    spec.pop("$schema", None)
    spec["$schema"] = f"https://vega.github.io/schema/vega-lite/v{alt.VEGALITE_VERSION}.json"
    return spec


def fit_chart(data, weeks: pd.DataFrame, x_title: str) -> dict:
    """Observed counts, fitted mean with its interval, the counterfactual; step dates; hover."""
    alt, _ = _need()
    from .build import _fit_frame, _step_marks

    f = _fit_frame(data.fit).reset_index(drop=True)
    lo, hi = _domain(weeks)
    x = _x(alt, lo, hi, x_title)
    mid = (weeks["t0"].to_numpy() + weeks["t1"].to_numpy()) // 2
    steps = _step_marks(data.fit, data.events)
    first_step = _ms(steps["date"]).min() if steps is not None and len(steps) else None
    lines, bands = [], []
    what_fit, what_cf = "fitted mean (95% CI)", "counterfactual: no event terms (95% CI)"
    for k in range(len(f)):
        lines.append({"mid": int(mid[k]), "value": float(f["mean"].iloc[k]), "what": what_fit})
        bands.append({"mid": int(mid[k]), "low": float(f["ci_low"].iloc[k]), "high": float(f["ci_high"].iloc[k]),
                      "what": what_fit})
        if "cf_mean" in f.columns and first_step is not None and weeks["t1"].iloc[k] > first_step:
            lines.append({"mid": int(mid[k]), "value": float(f["cf_mean"].iloc[k]), "what": what_cf})
            bands.append({"mid": int(mid[k]), "low": float(f["cf_low"].iloc[k]),
                          "high": float(f["cf_high"].iloc[k]), "what": what_cf})
    colors = alt.Scale(domain=[what_fit, what_cf], range=[_FIT, _SEGMENT])
    # one legend for the bands and the lines (a layer without it would drop the merged legend)
    color = alt.Color("what:N", scale=colors, title=None,
                      legend=alt.Legend(orient="bottom", symbolType="stroke", labelLimit=0, symbolOpacity=1,
                                        symbolStrokeWidth=2))
    xm = alt.X("mid:T", title=x_title)
    band = alt.Chart(pd.DataFrame(bands)).mark_area(opacity=0.18).encode(
        x=xm, y="low:Q", y2="high:Q", color=color, detail="what:N")
    line = alt.Chart(pd.DataFrame(lines)).mark_line(strokeWidth=2).encode(
        x=xm, y=alt.Y("value:Q", title=f"count per {_unit(data)}"), color=color,
        strokeDash=alt.StrokeDash("what:N", scale=alt.Scale(domain=[what_fit, what_cf], range=[[1, 0], [6, 3]]),
                                  legend=None))
    obs = pd.DataFrame({"mid": mid, "observed": f["observed"].to_numpy(float)})
    pts = alt.Chart(obs).mark_circle(size=22, opacity=1, color="#222222").encode(x=xm, y="observed:Q")
    plot = weeks.drop(columns=["urls"]).assign(
        fitted=[f"{m:.2f} ({a:.2f}\u2013{b:.2f})" for m, a, b in zip(f["mean"], f["ci_low"], f["ci_high"])],
        counterfactual=([f"{m:.2f} ({a:.2f}\u2013{b:.2f})" for m, a, b in zip(f["cf_mean"], f["cf_low"], f["cf_high"])]
                        if "cf_mean" in f.columns else "none"))
    tip = _week_tooltip(alt, (alt.Tooltip("fitted:N", title="fitted mean (95% CI)"),
                              alt.Tooltip("counterfactual:N", title="without event terms (95% CI)")))
    layers = [band, line, pts, _hover_layer(alt, plot, x, tip, "fit")]
    if steps is not None and len(steps):
        st = pd.DataFrame({"t": _ms(steps["date"]), "label": steps["label"].astype(str)})
        layers.append(alt.Chart(st).mark_rule(color=_EVENT, strokeDash=[4, 3]).encode(
            x=alt.X("t:T", title=x_title), tooltip=alt.Tooltip("label:N", title="event term")))
        layers.append(alt.Chart(st).mark_text(align="left", dx=3, dy=-6, fontSize=10, color=_EVENT).encode(
            x=alt.X("t:T", title=x_title), y=alt.value(0), text="label:N"))
    chart = alt.layer(*layers).properties(width=WIDTH, height=300, name="fit_main")
    return _finish(alt, chart)


def changepoint_chart(data, weeks: pd.DataFrame, x_title: str) -> dict:
    """Counts with the segment rates and intervals, events; P(change) below; hover on both."""
    alt, _ = _need()
    seg = data.segmentation.segments
    lo, hi = _domain(weeks)
    x = _x(alt, lo, hi, x_title)
    factor = seg["exposure"].to_numpy(float) / seg["n"].to_numpy(float)
    i0, i1 = seg["start"].to_numpy(int), seg["end"].to_numpy(int)
    segs = pd.DataFrame({"t0": weeks["t0"].to_numpy()[i0], "t1": weeks["t1"].to_numpy()[i1 - 1],
                         "rate": seg["rate"].to_numpy(float) * factor,
                         "low": seg["ci_low"].to_numpy(float) * factor,
                         "high": seg["ci_high"].to_numpy(float) * factor})
    seg_of = np.zeros(len(weeks), int)
    for k, (a, b) in enumerate(zip(i0, i1)):
        seg_of[a:b] = k
    unit = _unit(data)
    seg_text = [f"{k + 1} of {len(segs)}: {segs['rate'].iloc[k]:.2f} per {unit} "
                f"(95% CI {segs['low'].iloc[k]:.2f}\u2013{segs['high'].iloc[k]:.2f})" for k in seg_of]
    plot = weeks.drop(columns=["urls"]).assign(segment=seg_text)
    extra = [alt.Tooltip("segment:N", title="segment rate")]
    if data.bayes is not None:
        plot["p_change"] = np.round(np.asarray(data.bayes.prob_change, float), 4)
        extra.append(alt.Tooltip("p_change:Q", title="P(change starts here)", format=".3f"))
    tip = _week_tooltip(alt, extra)
    layers = [
        alt.Chart(plot).mark_rect(color=_BASIS_COLORS["dated incidents"], stroke="white", strokeWidth=0.5).encode(
            x=x, x2="t1:T", y=alt.Y("count:Q", title=f"count per {unit}"), y2=alt.datum(0)),
        alt.Chart(segs).mark_rect(color=_SEGMENT, opacity=0.22).encode(x=x, x2="t1:T", y="low:Q", y2="high:Q"),
        alt.Chart(segs).mark_rule(color=_SEGMENT, strokeWidth=2.5).encode(x=x, x2="t1:T", y="rate:Q"),
    ]
    if len(segs) > 1:
        layers.append(alt.Chart(segs.iloc[1:]).mark_rule(color=_SEGMENT, strokeDash=[1, 2]).encode(x=x))
    layers.append(_hover_layer(alt, plot, x, tip, "cpt"))
    layers += _event_layers(alt, _events_frame(data), x_title)
    top = alt.layer(*layers).properties(width=WIDTH, height=260, name="cpt_main")
    if data.bayes is None:
        return _finish(alt, top)
    bot_layers = [
        alt.Chart(plot).mark_rect(color=_PROBABILITY).encode(
            x=x, x2="t1:T", y=alt.Y("p_change:Q", title="P(change)", scale=alt.Scale(domain=[0, 1])),
            y2=alt.datum(0)),
        alt.Chart(pd.DataFrame({"p": [0.5]})).mark_rule(color="#999999", strokeDash=[3, 3]).encode(y="p:Q"),
        _hover_layer(alt, plot, x, tip, "prob"),
    ]
    bot = alt.layer(*bot_layers).properties(width=WIDTH, height=90, name="cpt_prob")
    return _finish(alt, alt.vconcat(top, bot, spacing=8))


def charts(data) -> dict:
    """The Vega-Lite specs of the interactive figures, keyed by figure stem.

    ``counts`` always; ``model_fit`` with a fitted model; ``changepoints`` with a
    segmentation (with the P(change) panel when the Bayesian posterior was run).
    """
    from .build import _period_axis_label

    weeks = week_table(data)
    x_title = _period_axis_label(data.series)
    out = {"counts": counts_chart(data, weeks, x_title)}
    if data.fit is not None:
        out["model_fit"] = fit_chart(data, weeks, x_title)
    if data.segmentation is not None:
        out["changepoints"] = changepoint_chart(data, weeks, x_title)
    return out
