"""A small report spec on synthetic data (labelled synthetic), quick to build.

Used by the reproduce and kill tests: 30 weekly-ish reports, two events, PNG and SVG
figures at a low dpi, few draws.
"""

from pathlib import Path

import numpy as np
import pandas as pd


def write_small_spec(folder: Path, name: str = "synthetic-small") -> Path:
    rng = np.random.default_rng(13)
    days = np.sort(rng.integers(0, 120, size=30))
    dates = (pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d")
    pd.DataFrame({"report_id": [f"SYN{i}" for i in range(30)], "date": dates,
                  "country": "Synthetica", "location": [f"Place {i % 5}" for i in range(30)],
                  "weapon": "rocket", "source": "synthetic test data"}).to_csv(
        folder / "reports.csv", index=False)
    pd.DataFrame({"event_id": ["E1", "E2"], "date": ["2024-02-01", "2024-03-10"], "end_date": ["", ""],
                  "kind": ["talks", "strike"], "label": ["Synthetic talks", "Synthetic strike"],
                  "source_url": ["", ""]}).to_csv(folder / "events.csv", index=False)
    spec = folder / "spec.toml"
    spec.write_text(f'name = "{name}"\ntitle = "Synthetic small report"\nseed = 5\n'
                    '[data]\nreports = ["reports.csv"]\nevents = "events.csv"\n'
                    '[series]\nfreq = "W"\n[model]\nfamily = "poisson"\nevents = ["2024-02-01:level"]\n'
                    '[changepoints]\nmin_size = 2\n[attribution]\ndraws = 199\n'
                    '[outputs]\nfigure_formats = ["png", "svg"]\ndpi = 40\n')
    return spec
