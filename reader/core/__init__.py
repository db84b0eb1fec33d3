"""The reader's core: pure Python, never imports Textual, the sources, the subcommands or the TUI (the import
contracts in pyproject.toml and tests/system/test_core_isolation.py check)."""
