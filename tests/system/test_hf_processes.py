"""Hugging Face sync in real processes: kill -9 in the middle of a sync (the rest of its tests: tests/unit/test_hf.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from test_hf import (  # noqa: F401 - its fixtures and helpers
    HubServer,
    KILL_SCRIPT,
    MetadataStore,
    RECORDED,
    REPO,
    digest_path,
    read_file,
    synced,
)


def test_kill_9_in_the_middle_leaves_no_half_day_and_the_next_sync_completes(tmp_path):
    library, store_path = tmp_path / "library", tmp_path / "metadata.sqlite3"
    with HubServer() as hub:
        script = KILL_SCRIPT.format(tests=str(REPO / "tests"), library=str(library), store=str(store_path), url=hub.url)
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=REPO, text=True)
        written = 0
        for line in proc.stdout:
            if line.startswith("WROTE"):
                written += 1
                if written == 3:
                    os.kill(proc.pid, signal.SIGKILL)
                    break
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        for path in library.rglob("*.md"):  # whole days only (a write killed half way left its temporary)
            assert not read_file(path).warnings
        _, store, result = synced(tmp_path, hub, store=MetadataStore(store_path), since="2025-05-12")
    recorded = [d for d in RECORDED if "2025-05-12" <= d <= "2025-05-31"]
    assert result.failed == []
    assert not [p for p in library.rglob("*") if p.name.endswith(".tmp")]  # the next sync removed them
    for day in recorded:
        assert len(read_file(digest_path(library, day)).papers) == len(RECORDED[day])
        assert len(store.day(day)) == len(RECORDED[day])
