"""The reader's core: pure Python, never imports Textual (tests/test_core_isolation.py checks)."""
