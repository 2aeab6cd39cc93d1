"""The ``incident-trends`` command: thin wrappers around the public API.

Exit codes (DESIGN section 6): 0 success, 2 bad usage, 1 bad data (message on stderr
naming file, row and column). With ``--format json`` a command prints exactly one JSON
object on stdout and nothing else there.

Each subcommand lives in ``analysis/_cli/<name>.py`` and defines ``add_parser(sub)``
(returns the parser) and ``run(args) -> dict`` (the JSON object). ``render_text`` is
optional; without it the text format prints the same object readably.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

from .schema import IncidentTrendsError

COMMANDS = ("extract", "normalize", "fit", "changepoints", "report", "reproduce", "panel", "monitor")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2 with argparse's usual text
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="incident-trends",
                     description="Statistical analysis of conflict-incident trends.")
    from . import __version__
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        try:
            mod = importlib.import_module(f"analysis._cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"analysis._cli.{name}":
                continue
            raise
        p = mod.add_parser(sub)
        p.set_defaults(_module=mod)
        if not any(a.dest == "format" for a in p._actions):
            p.add_argument("--format", choices=("text", "json"), default="text",
                           help="output format (json: one object on stdout)")
        if not any(a.dest == "quiet" for a in p._actions):
            p.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def _default(o):
    import numpy as np
    import pandas as pd
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return None if not np.isfinite(o) else float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, (pd.Timestamp,)):
        return o.isoformat()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _clean(o):
    """Replace non-finite floats by None so the JSON is standard."""
    import math
    if isinstance(o, float):
        return o if math.isfinite(o) else None
    if isinstance(o, dict):
        return {k: _clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_clean(v) for v in o]
    return o


def emit(obj: dict, fmt: str, text: str | None = None) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(_clean(json.loads(json.dumps(obj, default=_default))),
                                    sort_keys=False, allow_nan=False) + "\n")
    else:
        sys.stdout.write((text if text is not None else json.dumps(obj, indent=2, default=_default)) + "\n")


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    mod = args._module
    try:
        result = mod.run(args)
    except IncidentTrendsError as exc:
        print(f"incident-trends {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(f"incident-trends {args.command}: error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 1
    if isinstance(result, int):
        return result
    if result is not None:
        text = mod.render_text(result) if hasattr(mod, "render_text") and args.format == "text" else None
        emit(result, args.format, text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
