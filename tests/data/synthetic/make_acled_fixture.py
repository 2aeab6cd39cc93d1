"""Write ``acled_export_synthetic.csv``: a SYNTHETIC file in the shape of a current ACLED export.

All 31 columns of ACLED Codebook Table 1 (https://acleddata.com/knowledge-base/codebook/),
in that order; every value is drawn by this seeded generator (no real event is described:
ids start with ``SYN``, every ``notes`` cell says "Synthetic event"). Event types,
sub-event types, actor types ("inter") and interaction labels use the codebook's own
vocabulary; ``event_date`` follows the codebook's time-precision rule (precision 2 on a
week's middle day, precision 3 on the month's 15th, 1st or last day); fatalities are
Poisson; ``timestamp`` is a Unix time some days after the event.

Run ``python tests/data/synthetic/make_acled_fixture.py`` to regenerate (byte-identical).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp")
SUB = {  # sub-event type -> (event type, disorder type); ACLED Codebook Table 2
    "Armed clash": ("Battles", "Political violence"),
    "Air/drone strike": ("Explosions/Remote violence", "Political violence"),
    "Shelling/artillery/missile attack": ("Explosions/Remote violence", "Political violence"),
    "Remote explosive/landmine/IED": ("Explosions/Remote violence", "Political violence"),
    "Attack": ("Violence against civilians", "Political violence"),
    "Abduction/forced disappearance": ("Violence against civilians", "Political violence"),
    "Peaceful protest": ("Protests", "Demonstrations"),
    "Arrests": ("Strategic developments", "Strategic developments"),
}
COUNTRIES = (("SYN-A", 900, "Eastern Africa", ("North", "South", "Coast")),
             ("SYN-B", 901, "Middle Africa", ("Lakes", "Hills")))


def make(n: int = 240, seed: int = 20240301) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        country, iso, region, admins = COUNTRIES[int(rng.integers(len(COUNTRIES)))]
        sub = list(SUB)[int(rng.integers(len(SUB)))]
        etype, dtype = SUB[sub]
        prec = int(rng.choice([1, 2, 3], p=[0.8, 0.15, 0.05]))
        day = pd.Timestamp("2022-01-01") + pd.Timedelta(days=int(rng.integers(0, 365)))
        if prec == 2:  # the middle of a Monday-Sunday week: Thursday
            day = day - pd.Timedelta(days=day.weekday()) + pd.Timedelta(days=3)
        elif prec == 3:
            day = day.replace(day=int(rng.choice([15, 1, day.days_in_month])))
        if etype == "Protests":
            a1, i1, a2, i2 = f"Protesters ({country})", "Protesters", "", ""
        elif etype == "Violence against civilians":
            a1, i1, a2, i2 = "Synthetic Militia X", "Political militia", f"Civilians ({country})", "Civilians"
        elif etype == "Strategic developments":
            a1, i1, a2, i2 = f"Police Forces of {country}", "State forces", "Synthetic Rebels Y", "Rebel group"
        else:
            a1, i1 = f"Military Forces of {country}", "State forces"
            a2, i2 = ("Synthetic Rebels Y", "Rebel group") if rng.random() < 0.7 else ("", "")
        interaction = f"{i1}-{i2}" if i2 else f"{i1} only"
        admin1 = admins[int(rng.integers(len(admins)))]
        geo = int(rng.choice([1, 2, 3], p=[0.7, 0.2, 0.1]))
        fat = int(rng.poisson(2.0)) if dtype == "Political violence" else 0
        rows.append({
            "event_id_cnty": f"SYN{i + 1}", "event_date": day.strftime("%Y-%m-%d"),
            "year": day.year, "time_precision": prec, "disorder_type": dtype,
            "event_type": etype, "sub_event_type": sub, "actor1": a1, "assoc_actor_1": "",
            "inter1": i1, "actor2": a2, "assoc_actor_2": "", "inter2": i2,
            "interaction": interaction,
            "civilian_targeting": "Civilians targeted" if i2 == "Civilians" else "",
            "iso": iso, "region": region, "country": country, "admin1": admin1,
            "admin2": f"{admin1} District", "admin3": "",
            "location": f"Synthetic Town {int(rng.integers(1, 40))}",
            "latitude": round(float(rng.uniform(-5, 10)), 4),
            "longitude": round(float(rng.uniform(20, 40)), 4), "geo_precision": geo,
            "source": "Synthetic source", "source_scale": "National",
            "notes": f"Synthetic event {i + 1} (generated, not a real event).",
            "fatalities": fat, "tags": "",
            "timestamp": int((day + pd.Timedelta(days=int(rng.integers(3, 30)))).timestamp()),
        })
    return pd.DataFrame(rows, columns=list(COLUMNS))


if __name__ == "__main__":
    out = Path(__file__).with_name("acled_export_synthetic.csv")
    make().to_csv(out, index=False, lineterminator="\n")
    print(out)
