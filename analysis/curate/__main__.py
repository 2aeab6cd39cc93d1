"""``python -m analysis.curate [RAW_DIR [OUT_DIR]]``: rebuild the canonical tables of ``data/``."""

from . import main

raise SystemExit(main())
