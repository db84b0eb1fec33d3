"""Shared test setup: every user directory points at a temporary folder, never the real home."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = REPO.parent / "shared" / "corpus" / "daily_papers_ko"
CLOSED_PORT = "http://127.0.0.1:9"  # the discard port: nothing listens there
NETWORK_ENDPOINTS = ("HF_ENDPOINT", "OPENAI_BASE_URL", "DAILY_PAPERS_ARXIV_API", "DAILY_PAPERS_ARXIV_PDF")


def point_user_dirs_at(base: Path, monkeypatch) -> dict[str, Path]:
    """Every user directory a folder under base, the environment cleared of what would reach the real home or
    a real service."""
    dirs = {}
    for var, name in (("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"), ("XDG_CONFIG_HOME", "config"),
                      ("XDG_STATE_HOME", "state")):
        path = base / name
        path.mkdir()
        monkeypatch.setenv(var, str(path))
        dirs[name] = path
    monkeypatch.setenv("HOME", str(base))
    # A terminal's size comes from the terminal: xdist's workers set COLUMNS=80 and LINES=24, which a program
    # started in a real terminal (tmux) would take over the terminal's own size.
    for var in ("COLUMNS", "LINES"):
        monkeypatch.delenv(var, raising=False)
    for var in ("DAILY_PAPERS_STATE", "DAILY_PAPERS_DEBUG", "DAILY_PAPERS_LIBRARY", "HF_TOKEN", "OPENAI_API_KEY",
                "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    # No test reaches a real service: every endpoint points at a closed port on loopback unless the test
    # starts its own server there (connection refused at once, never the internet).
    for var in NETWORK_ENDPOINTS:
        monkeypatch.setenv(var, CLOSED_PORT)
    return dirs


@pytest.fixture(autouse=True)
def user_dirs(tmp_path_factory, monkeypatch) -> dict[str, Path]:
    return point_user_dirs_at(tmp_path_factory.mktemp("home"), monkeypatch)


@pytest.fixture(scope="session")
def isolated(tmp_path_factory):
    """For a fixture wider than a test (made before user_dirs is): `with isolated():` the same environment."""
    @contextlib.contextmanager
    def context():
        with pytest.MonkeyPatch.context() as monkeypatch:
            point_user_dirs_at(tmp_path_factory.mktemp("home"), monkeypatch)
            yield
    return context


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The real archive (../shared/corpus). Missing it is an error, not a skip: CI must run these tests."""
    if not CORPUS.is_dir():
        pytest.fail(f"the real archive is missing: {CORPUS} (tests over the archive must run)")
    return CORPUS


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


# -- the suite on xdist's workers (pyproject: -n auto --dist loadgroup) ------------------------------------------
# Every test runs beside another on the other worker, so none may depend on the machine being its own: a real
# terminal is a tmux server of its own (tests/terminal.py: its own socket, the pane's real size, waits for what
# the screen shows), servers listen on a port the OS picks, mounts are made in a mount namespace of their own
# (unshare -m), every user directory is a folder of the test's own (user_dirs above).
# What must not be done twice at once, or is better done once, runs on one worker, one test after another: each
# test that uses one of these fixtures is put in its group (new tests that use them follow on their own).
XDIST_GROUP_OF_FIXTURE = {
    "texmf_var": "tex",  # the fonts METAFONT makes on the first pdfLaTeX build: made once, then shared
}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups (it adds them to the test ids)
def pytest_collection_modifyitems(config, items):
    for item in items:
        for fixture in getattr(item, "fixturenames", ()):
            group = XDIST_GROUP_OF_FIXTURE.get(fixture)
            if group:
                item.add_marker(pytest.mark.xdist_group(group))
