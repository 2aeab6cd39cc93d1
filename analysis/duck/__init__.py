"""The DuckDB engine: report files larger than memory, normalised by an embedded database.

:func:`normalize_duckdb` gives the same series and ledger as
:func:`analysis.normalize.normalize` (engine ``pandas``); :func:`normalize_engine`
dispatches on ``engine="pandas"|"duckdb"|"auto"`` (``auto``: DuckDB above
:data:`AUTO_DUCKDB_BYTES` of input).
"""

from .engine import AUTO_DUCKDB_BYTES, ENGINES, choose_engine, normalize_duckdb, normalize_engine, resolve_groups

__all__ = ["normalize_duckdb", "normalize_engine", "choose_engine", "resolve_groups",
           "AUTO_DUCKDB_BYTES", "ENGINES"]
