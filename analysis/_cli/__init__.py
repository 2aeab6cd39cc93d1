"""Subcommands of the ``incident-trends`` CLI, one module each (see analysis.cli)."""
