"""Benchmark: ``analysis.extract`` against hand labels of real articles (texts kept outside the project).

    python benchmarks/extract.py --texts FILE_OR_DIR --labels tests/extract/labels.csv [--verbose]

``--texts`` is a JSONL file of ``{url, published, text}`` (or a directory of them); the
texts are other people's words and are never committed. ``--labels`` is the hand labelling
(``tests/extract/labels.csv``, rules in ``tests/extract/README.md``): one row per labelled
incident or tally, keyed by URL, with the article's ``split`` (``dev``: used while writing
rules; ``heldout``: never looked at while changing rules).

Printed per split:

incidents
    precision and recall. A predicted incident (the reports sharing an ``incident_id``) and
    a labelled one match when they come from the same article, have the same country, the
    same place (a label with no place matches any) and overlapping date intervals; matching
    is one to one, labels in file order, first fitting prediction.
date interval
    share of matched incidents whose predicted ``[date_start, date_end]`` contains the
    labelled interval (a day, or the span the text allows): the true date is then inside.
projectiles, casualties
    share of matched incidents with a labelled value where one of the incident's variant
    reports states that value (casualties: fatalities and injuries, each labelled field).
tallies
    precision and recall on ``(count, bound)`` per article; predicted tallies with the same
    count and bound in one article are one (a figure repeated in headline and body).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analysis.extract import extract, read_articles  # noqa: E402


def _int(v):
    return None if v is None or pd.isna(v) or v == "" else int(float(v))


def _d(v):
    return None if v is None or pd.isna(v) or v == "" else pd.Timestamp(v).date()


def predicted_incidents(reports: pd.DataFrame) -> list[dict]:
    out = []
    for iid, g in reports.groupby("incident_id", sort=False):
        ds = [_d(v) for v in g["date_start"] if _d(v)]
        de = [_d(v) for v in g["date_end"] if _d(v)]
        first = lambda col: next((v for v in g[col] if isinstance(v, str) and v), None)  # noqa: E731
        out.append({"id": iid, "url": g["source_url"].iloc[0], "country": first("country"),
                    "place": first("location"), "start": min(ds) if ds else None, "end": max(de) if de else None,
                    "projectiles": {_int(v) for v in g["projectiles"] if _int(v) is not None},
                    "fatalities": {_int(v) for v in g["fatalities"] if _int(v) is not None},
                    "injuries": {_int(v) for v in g["injuries"] if _int(v) is not None},
                    "span": g["x_span_text"].iloc[0][:90]})
    return out


def evaluate(ex, labels: pd.DataFrame, urls: set, verbose=False, name="") -> dict:
    lab = labels[labels["url"].isin(urls)]
    li = lab[lab["item"] == "incident"]
    lt = lab[lab["item"] == "tally"]
    reps = ex.reports[ex.reports["source_url"].isin(urls)]
    pred = predicted_incidents(reps) if len(reps) else []
    used = set()
    pairs = []
    missed = []
    for _, L in li.iterrows():
        ls, le = _d(L.date_start), _d(L.date_end)
        hit = None
        for j, p in enumerate(pred):
            if j in used or p["url"] != L.url or p["country"] != L.country:
                continue
            if isinstance(L.place, str) and L.place and p["place"] != L.place:
                continue
            if p["start"] is None or p["end"] < ls or p["start"] > le:
                continue
            hit = j
            break
        if hit is None:
            missed.append(L)
        else:
            used.add(hit)
            pairs.append((L, pred[hit]))
    n_pred, n_lab = len(pred), len(li)
    res = {"articles": len(urls), "incidents_labelled": n_lab, "incidents_predicted": n_pred,
           "incident_precision": len(pairs) / n_pred if n_pred else float("nan"),
           "incident_recall": len(pairs) / n_lab if n_lab else float("nan")}
    ok_date = [p["start"] <= _d(L.date_start) and p["end"] >= _d(L.date_end) for L, p in pairs]
    res["date_contains"] = sum(ok_date) / len(ok_date) if ok_date else float("nan")
    res["date_n"] = len(ok_date)

    def acc(fields):
        hits = []
        for L, p in pairs:
            for f in fields:
                v = _int(L[f])
                if v is not None:
                    hits.append(v in p[f])
        return (sum(hits) / len(hits) if hits else float("nan")), len(hits)
    res["projectiles_acc"], res["projectiles_n"] = acc(["projectiles"])
    res["casualties_acc"], res["casualties_n"] = acc(["fatalities", "injuries"])

    tal = ex.tallies[ex.tallies["source_url"].isin(urls)]
    ptal = {(r.source_url, _int(r["count"]), r["bound"]) for _, r in tal.iterrows()}
    ltal = [(r.url, _int(r["count"]), r["bound"]) for _, r in lt.iterrows()]
    tp = sum(1 for t in set(ltal) if t in ptal)
    res["tallies_labelled"], res["tallies_predicted"] = len(ltal), len(ptal)
    res["tally_precision"] = tp / len(ptal) if ptal else float("nan")
    res["tally_recall"] = tp / len(ltal) if ltal else float("nan")
    if verbose:
        print(f"--- {name}: missed incidents")
        for L in missed:
            print(f"  {L.url[:60]} {L.country}/{L.place} {L.date_start}..{L.date_end}")
        print(f"--- {name}: unmatched predictions")
        for j, p in enumerate(pred):
            if j not in used:
                print(f"  {p['url'][:60]} {p['country']}/{p['place']} {p['start']}..{p['end']} | {p['span']}")
        print(f"--- {name}: date misses")
        for (L, p), ok in zip(pairs, ok_date):
            if not ok:
                print(f"  {L.url[:60]} label {L.date_start}..{L.date_end} pred {p['start']}..{p['end']}")
        print(f"--- {name}: projectile and casualty misses")
        for L, p in pairs:
            for f in ("projectiles", "fatalities", "injuries"):
                v = _int(L[f])
                if v is not None and v not in p[f]:
                    print(f"  {L.url[:60]} {f}: label {v} pred {sorted(p[f])}")
        print(f"--- {name}: tally misses (labelled not found / predicted not labelled)")
        for t in ltal:
            if t not in ptal:
                print(f"  - {t[0][:60]} {t[1]} {t[2]}")
        for t in sorted(ptal - set(ltal), key=str):
            print(f"  + {t[0][:60]} {t[1]} {t[2]}")
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--texts", required=True, help="JSONL of {url, published, text}, or a directory of them")
    ap.add_argument("--labels", required=True, help="labels CSV (tests/extract/labels.csv)")
    ap.add_argument("--verbose", action="store_true", help="list misses (of the dev split only)")
    args = ap.parse_args(argv)
    t = Path(args.texts)
    files = sorted(t.glob("*.jsonl")) if t.is_dir() else [t]
    arts = read_articles(files)
    labels = pd.read_csv(args.labels, dtype=str, keep_default_na=False)
    have = {a.url for a in arts}
    missing = sorted(set(labels["url"]) - have)
    if missing:
        print(f"warning: {len(missing)} labelled URL(s) have no text in {args.texts}", file=sys.stderr)
    ex = extract(arts)
    split = labels.drop_duplicates("url").set_index("url")["split"]
    rows = {}
    for name in ("dev", "heldout"):
        urls = {u for u in split.index[split == name] if u in have}
        rows[name] = evaluate(ex, labels, urls, verbose=args.verbose and name == "dev", name=name)
    fmt = pd.DataFrame({k: {m: (f"{v:.2f}" if isinstance(v, float) else str(v)) for m, v in r.items()}
                        for k, r in rows.items()})
    print(fmt.to_string())
    print("targets (heldout): incident precision and recall >= 0.8, date_contains >= 0.75, tallies >= 0.85")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
