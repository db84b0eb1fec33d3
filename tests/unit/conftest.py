"""tests/unit: no process and no Textual app, so the bulk of the suite runs in seconds. A test here that starts
a process (subprocess, a git or a TeX run) or runs an app fails with the place it belongs: tests/system
(real processes, tmux, git, mounts, TeX) or tests/tui (Pilot and snapshots). Loopback servers on threads
(tests/hub_server.py, model_server.py, arxiv_server.py) are fine here."""

from __future__ import annotations

import subprocess

import pytest


@pytest.fixture(autouse=True)
def _unit_tests_start_no_process_and_run_no_app(monkeypatch):
    def no_process(*args, **kwargs):
        raise AssertionError("a unit test starts no process: this test belongs in tests/system")

    monkeypatch.setattr(subprocess.Popen, "__init__", no_process)
    try:
        from textual.app import App
    except ImportError:  # pragma: no cover - Textual is a dependency
        return

    def no_app(*args, **kwargs):
        raise AssertionError("a unit test runs no Textual app: this test belongs in tests/tui")

    monkeypatch.setattr(App, "run_test", no_app)
    monkeypatch.setattr(App, "run", no_app)
