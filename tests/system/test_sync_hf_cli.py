"""`daily-papers sync` with Hugging Face, as a user runs it: a real process, a loopback Hub."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hub_server import HubServer

REPO = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reader", *args], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_hf_only_sync_brings_the_days_and_prints_one_line(user_dirs):
    with HubServer() as hub:
        done = run("sync", "--hf-only", "--since", "2026-08-17", "--until", "2026-08-21", env={"HF_ENDPOINT": hub.url})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "hugging face: 5 new days, 110 new papers"
    dates = run("dates")
    assert dates.stdout.splitlines()[0].startswith("2026-08-21")


def test_the_token_is_sent_to_the_hub_and_printed_nowhere(user_dirs):
    secret = "hf_topSECRET_value_42"
    with HubServer() as hub:
        hub.fail("2026-08-19", 401, times=10)
        done = run("sync", "--hf-only", "--since", "2026-08-18", "--until", "2026-08-20",
                   env={"HF_ENDPOINT": hub.url, "HF_TOKEN": secret})
    assert all(h.get("authorization") == f"Bearer {secret}" for _, _, h in hub.requests)
    assert secret not in done.stdout + done.stderr
    assert done.returncode == 1  # a day failed: scripts can tell
    assert "2026-08-19" in done.stderr and "401" in done.stderr
    for path in Path(user_dirs["data"]).rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_an_unreachable_hub_is_one_line_per_day_and_exit_1(user_dirs):
    done = run("sync", "--hf-only", "--since", "2026-08-20", "--until", "2026-08-21")  # conftest: a closed port
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "offline" in done.stdout and "cannot connect" in done.stdout


def test_bad_dates_and_contradictions_are_usage_errors():
    assert run("sync", "--since", "2026-02-30").returncode == 2
    done = run("sync", "--hf-only", "--since", "2026-08-21", "--until", "2026-08-01")
    assert done.returncode == 2 and "after" in done.stderr
    done = run("sync", "--archive-only", "--since", "2026-08-21")
    assert done.returncode == 2 and "--archive-only" in done.stderr
    assert run("sync", "--archive-only", "--hf-only").returncode == 2
