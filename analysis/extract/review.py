"""The review loop: a review file a researcher marks, and reading it back for ``normalize``.

``review.csv`` has one row per candidate (reports, tallies and events together):

``candidate_id``, ``table``
    the row's id in its table and the table's name;
``decision``
    blank as written; the researcher writes ``accept``, ``reject`` or ``edit`` (after
    changing field cells in place: an edited row is taken as it now reads);
``review_note``
    free text; for a rejection it becomes the ledger's reason;
then the fields of the three tables (a cell is blank where its table has no such
column) and the span columns ``x_article``, ``x_span_start``, ``x_span_end``,
``x_span_text``, ``x_extraction_rule``, ``x_confidence``.

``review.html`` is one self-contained page (no scripts, no external files) that shows
each article with every supporting span highlighted and numbered by candidate, and the
rejected sentences struck through with their reasons.

:func:`read_review` refuses a file with blank decisions unless ``accept_all=True``:
nothing extracted enters a series without passing through the review or that explicit
choice.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..schema import InputError

__all__ = ["REVIEW_COLUMNS", "DECISIONS", "review_frame", "review_html", "read_review", "Reviewed",
           "annotate_ledger"]

DECISIONS = ("accept", "reject", "edit")
_FIELDS = ("incident_id", "date_start", "date_end", "date_precision", "country", "location", "actor", "weapon",
           "projectiles", "fatalities", "injuries", "x_background", "since", "as_of", "count", "bound", "region",
           "source", "outlet", "date", "end_date", "kind", "label", "notes", "source_url")
_SPANS = ("x_article", "x_span_start", "x_span_end", "x_span_text", "x_extraction_rule", "x_confidence")
#: Columns of ``review.csv``, in order.
REVIEW_COLUMNS = ("candidate_id", "table", "decision", "review_note") + _FIELDS + _SPANS
_ID = {"reports": "report_id", "tallies": "tally_id", "events": "event_id"}
_TABLE_COLS = {
    "reports": ("report_id", "incident_id", "date_start", "date_end", "date_precision", "country", "location",
                "actor", "weapon", "projectiles", "fatalities", "injuries", "source", "source_url", "notes",
                "x_background"),
    "tallies": ("tally_id", "since", "as_of", "count", "bound", "region", "source", "outlet", "source_url",
                "notes"),
    "events": ("event_id", "date", "end_date", "kind", "label", "source_url"),
}


def review_frame(extraction) -> pd.DataFrame:
    """The review table of an :class:`~analysis.extract.Extraction` (decisions blank).

    Examples
    --------
    >>> from datetime import date
    >>> from analysis.extract import Article, extract
    >>> ex = extract([Article("synthetic", "SYNTHETIC. Two rockets struck Erbil air base on Monday, injuring one soldier.",
    ...                       date(2024, 1, 12), "https://example.org/synthetic")])
    >>> review_frame(ex)[["candidate_id", "table", "decision", "location", "date_start"]].values.tolist()
    [['synthetic-R1', 'reports', '', 'Erbil', '2024-01-08']]
    """
    parts = []
    for table in ("reports", "tallies", "events"):
        df = getattr(extraction, table)
        if not len(df):
            continue
        d = df.rename(columns={_ID[table]: "candidate_id"}).copy()
        d.insert(1, "table", table)
        parts.append(d)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(REVIEW_COLUMNS))
    out["decision"] = ""
    out["review_note"] = ""
    out = out.reindex(columns=list(REVIEW_COLUMNS))
    for c in ("projectiles", "fatalities", "injuries", "count", "x_span_start", "x_span_end"):
        out[c] = out[c].astype("Int64")
    return out.sort_values(["x_article", "x_span_start", "table"], kind="stable").reset_index(drop=True)


_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
article{border-top:2px solid #444;margin-top:2rem;white-space:pre-wrap}
mark{padding:0 .1em;border-radius:3px}
mark.reports{background:#ffe08a}mark.tallies{background:#a8e6a1}mark.events{background:#a9d0f5}
mark.rejected{background:#eee;text-decoration:line-through;color:#777}
sup{font-size:.7em;color:#a00;font-weight:bold}
table{border-collapse:collapse;font-size:13px;margin:1rem 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}
.legend span{margin-right:1rem}
"""


def review_html(extraction) -> str:
    """A self-contained HTML page highlighting every candidate's span in its article.

    Examples
    --------
    >>> from datetime import date
    >>> from analysis.extract import Article, extract
    >>> ex = extract([Article("synthetic", "SYNTHETIC. Two rockets struck Erbil air base on Monday, injuring one soldier.",
    ...                       date(2024, 1, 12), "https://example.org/synthetic")])
    >>> page = review_html(ex)
    >>> "<mark" in page, "<script" in page
    (True, False)
    """
    rv = review_frame(extraction)
    rej = extraction.rejected
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Extraction review</title>",
           f"<style>{_CSS}</style></head><body><h1>Extraction review</h1>",
           "<p class='legend'><span><mark class='reports'>report</mark></span><span><mark class='tallies'>tally"
           "</mark></span><span><mark class='events'>event</mark></span><span><mark class='rejected'>rejected"
           "</mark></span></p><p>Mark each row of <code>review.csv</code> accept, reject or edit; "
           "numbers in the text refer to its <code>candidate_id</code>.</p>"]
    for art in extraction.articles:
        text = art.text
        marks = []  # (start, end, css, label)
        sub = rv[rv["x_article"] == art.article_id]
        for _, r in sub.iterrows():
            marks.append((int(r.x_span_start), int(r.x_span_end), r.table, str(r.candidate_id)))
        subr = rej[rej["x_article"] == art.article_id] if len(rej) else rej
        for _, r in subr.iterrows():
            marks.append((int(r.x_span_start), int(r.x_span_end), "rejected", f"rejected: {r.reason}"))
        # a span may support several rows: merge labels of identical spans; nest nothing
        merged: dict[tuple[int, int], list] = {}
        for a, b, css, label in marks:
            merged.setdefault((a, b), []).append((css, label))
        pos, body = 0, []
        for (a, b), items in sorted(merged.items()):
            if a < pos:
                continue  # overlaps an earlier span: listed in the table only
            body.append(html.escape(text[pos:a]))
            css = items[0][0]
            labels = ", ".join(lab for _, lab in items)
            body.append(f"<mark class='{css}' title='{html.escape(labels, quote=True)}'>{html.escape(text[a:b])}"
                        f"</mark><sup>{html.escape(labels)}</sup>")
            pos = b
        body.append(html.escape(text[pos:]))
        title = html.escape(art.title or art.article_id)
        url = html.escape(art.url or "", quote=True)
        out.append(f"<h2>{title}</h2><p>{html.escape(art.article_id)} &middot; published "
                   f"{art.published.isoformat()}" + (f" &middot; <a href='{url}'>{url}</a>" if url else "") + "</p>")
        out.append("<article>" + "".join(body) + "</article>")
        if len(sub):
            cols = ["candidate_id", "table", "incident_id", "date_start", "date_end", "date_precision", "country",
                    "location", "weapon", "projectiles", "fatalities", "injuries", "since", "as_of", "count",
                    "bound", "region", "date", "kind", "x_extraction_rule", "x_confidence"]
            keep = [c for c in cols if sub[c].notna().any() and (sub[c].astype(str) != "").any()]
            out.append("<table><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in keep) + "</tr>")
            for _, r in sub.iterrows():
                cells = ["" if pd.isna(r[c]) else str(r[c]) for c in keep]
                out.append("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in cells) + "</tr>")
            out.append("</table>")
    out.append("</body></html>\n")
    return "\n".join(out)


@dataclass(frozen=True)
class Reviewed:
    """A read review file: canonical frames of the accepted rows and the review's ledger rows.

    Attributes
    ----------
    reports, tallies : pandas.DataFrame or None
        Canonical frames (validated by the readers) of the accepted report and tally
        rows; ``_file``/``_row`` point at the review file.
    events : pandas.DataFrame
        Accepted event rows (canonical columns).
    rows : pandas.DataFrame
        One row per review row: ``file, row, table, record_id, decision, review, note``
        and the span columns.
    """

    reports: pd.DataFrame | None
    tallies: pd.DataFrame | None
    events: pd.DataFrame
    rows: pd.DataFrame
    file: str

    def rejected_ledger(self) -> pd.DataFrame:
        """Ledger rows (``excluded``) for the report and tally rows rejected in review."""
        from ..normalize.ledger import ledger_frame

        r = self.rows[(self.rows["review"] == "rejected") & self.rows["table"].isin(["reports", "tallies"])]
        reasons = ["rejected in review" + (f": {n}" if n else "") for n in r["note"].fillna("")]
        return ledger_frame(file=r["file"].to_numpy(object), row=r["row"].to_numpy(object),
                            table=r["table"].to_numpy(object), record_id=r["record_id"].to_numpy(object),
                            status="excluded", incident_id=None, reason=np.asarray(reasons, object), n=len(r))


def read_review(path, *, accept_all: bool = False) -> Reviewed:
    """Read a review file written by ``extract`` and marked by a researcher.

    Parameters
    ----------
    path : path or DataFrame
        ``review.csv``, or the review table itself (:func:`review_frame`, marked).
    accept_all : bool
        Take rows with a blank decision as accepted. Without it a blank decision is an
        error naming the row: nothing extracted is counted unreviewed.

    Raises
    ------
    InputError
        Unknown decision, blank decision without ``accept_all``, missing columns, or a
        field the readers refuse (naming the review file's row and column).

    Examples
    --------
    >>> from datetime import date
    >>> from analysis.extract import Article, extract
    >>> ex = extract([Article("synthetic", "SYNTHETIC. Two rockets struck Erbil air base on Monday, injuring one soldier.",
    ...                       date(2024, 1, 12), "https://example.org/synthetic")])
    >>> rv = read_review(review_frame(ex), accept_all=True)       # blank decisions taken as accepted
    >>> rv.rows[["record_id", "review"]].values.tolist(), len(rv.reports)
    ([['synthetic-R1', 'accepted (--accept-all)']], 1)
    """
    from ..io import read_reports, read_tallies

    if isinstance(path, pd.DataFrame):  # a review table in memory (review_frame), read as its CSV would be
        import io

        df = pd.read_csv(io.StringIO(path.to_csv(index=False)), dtype=str, keep_default_na=False)
        path = Path("<review frame>")
    else:
        path = Path(path)
        if not path.exists():
            raise InputError("no such file", file=path)
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ("candidate_id", "table", "decision") if c not in df.columns]
    if missing:
        raise InputError(f"not a review file: missing column(s) {', '.join(missing)}", file=path, row=1)
    rows_no = np.arange(2, len(df) + 2)
    dec = df["decision"].str.strip().str.lower()
    bad = ~dec.isin(("",) + DECISIONS)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"decision {df['decision'].iloc[i]!r} is not one of accept, reject, edit (or blank "
                         "with --accept-all)", file=path, row=int(rows_no[i]), column="decision")
    tbad = ~df["table"].isin(list(_ID))
    if tbad.any():
        i = int(np.flatnonzero(tbad.to_numpy())[0])
        raise InputError(f"table {df['table'].iloc[i]!r} is not one of reports, tallies, events", file=path,
                         row=int(rows_no[i]), column="table")
    blank = (dec == "").to_numpy()
    if blank.any() and not accept_all:
        i = int(np.flatnonzero(blank)[0])
        k = int(blank.sum())
        noun, verb = ("candidate" if len(df) == 1 else "candidates"), ("is" if k == 1 else "are")
        raise InputError(f"{k} of {len(df)} {noun} {verb} not reviewed (blank decision); mark "
                         "each accept, reject or edit, or pass --accept-all to take them as extracted",
                         file=path, row=int(rows_no[i]), column="decision")
    review = np.where(dec == "reject", "rejected", np.where(dec == "edit", "edited",
                      np.where(dec == "accept", "accepted", "accepted (--accept-all)")))
    info = pd.DataFrame({"file": str(path), "row": rows_no, "table": df["table"].to_numpy(),
                         "record_id": df["candidate_id"].to_numpy(), "decision": dec.to_numpy(),
                         "review": review, "note": df.get("review_note", pd.Series([""] * len(df))).to_numpy()})
    for c in _SPANS:
        info[c] = df[c].to_numpy() if c in df else ""
    keep = review != "rejected"
    frames = {}
    for table in ("reports", "tallies", "events"):
        m = keep & (df["table"] == table).to_numpy()
        sub = df[m].rename(columns={"candidate_id": _ID[table]})
        cols = [c for c in _TABLE_COLS[table] if c in sub.columns]
        sub = sub[cols + [c for c in _SPANS if c in sub.columns]].copy()
        sub = sub.replace("", np.nan)
        sub[_ID[table]] = sub[_ID[table]].fillna("")
        review_rows = rows_no[m]
        if table == "events":
            frames[table] = sub.reset_index(drop=True)
            continue
        if not len(sub):
            frames[table] = None
            continue
        reader = read_reports if table == "reports" else read_tallies
        try:
            got = reader(sub.reset_index(drop=True))
        except InputError as exc:
            row = None if exc.row is None or exc.row < 2 else int(review_rows[exc.row - 2])
            raise InputError(exc.detail, file=path, row=row, column=exc.column) from None
        got["_file"] = pd.array([str(path)] * len(got), dtype="str")
        got["_row"] = review_rows.astype(np.int64)
        got["x_review"] = pd.array(review[m], dtype="str")   # passed the review: normalize counts it
        frames[table] = got
    return Reviewed(frames["reports"], frames["tallies"], frames["events"], info, str(path))


def annotate_ledger(ledger: pd.DataFrame, reviewed) -> pd.DataFrame:
    """The ledger with the review's rows: spans and decisions joined, rejections appended.

    Parameters
    ----------
    ledger : pandas.DataFrame
        The ledger table of :func:`analysis.normalize.normalize`.
    reviewed : Reviewed or sequence of Reviewed

    Rows that came from a review file gain ``x_review`` (accepted, edited, accepted
    (--accept-all), rejected) and the span columns; report and tally rows rejected in
    review are added as ``excluded`` with the reviewer's note as reason. Rows from other
    files get blanks.

    Examples
    --------
    >>> from datetime import date
    >>> from analysis.extract import Article, extract
    >>> ex = extract([Article("synthetic", "SYNTHETIC. Two rockets struck Erbil air base on Monday, injuring one soldier.",
    ...                       date(2024, 1, 12), "https://example.org/synthetic")])
    >>> from analysis.normalize import normalize
    >>> rv = read_review(review_frame(ex), accept_all=True)
    >>> ledger = annotate_ledger(normalize(rv.reports, freq="W").ledger.table, rv)
    >>> ledger[["record_id", "status", "x_review"]].values.tolist(), ledger["x_span_text"].iloc[0][:24]
    ([['synthetic-R1', 'counted', 'accepted (--accept-all)']], 'Two rockets struck Erbil')
    """
    items = [reviewed] if isinstance(reviewed, Reviewed) else list(reviewed)
    lg = pd.concat([ledger] + [r.rejected_ledger() for r in items], ignore_index=True)
    info = pd.concat([r.rows for r in items], ignore_index=True).rename(columns={"review": "x_review"})
    info = info[["file", "row", "x_review"] + list(_SPANS)].copy()
    info["row"] = info["row"].astype("Int64")
    info["file"] = info["file"].astype(object)
    key = lg[["file", "row"]].copy()
    key["file"] = key["file"].astype(object)
    key["row"] = key["row"].astype("Int64")
    joined = key.merge(info, on=["file", "row"], how="left")
    for c in ["x_review"] + list(_SPANS):
        lg[c] = joined[c].to_numpy(object)
    return lg
