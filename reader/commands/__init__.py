"""Subcommands of the daily-papers CLI: one module each, each with register(subparsers)."""
