"""Failing disks: a read-only library, a state folder that cannot be written, a full disk during a state write,
a cache folder that cannot be written. Each scenario (tests/disk_scenarios.py) runs in its own process, once
with fault injection (everywhere) and once on the real thing where this machine allows it (root and
`unshare -m`: a read-only bind mount, a 256 KB tmpfs filled up)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hardening import run_measured

SCRIPT = str(Path(__file__).resolve().parents[1] / "disk_scenarios.py")


@functools.cache
def real_mounts_available() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    done = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                           "mount -t tmpfs -o size=64k tmpfs /mnt && umount /mnt"], capture_output=True)
    return done.returncode == 0


MECHANISMS = ["seam", *(["mount"] if real_mounts_available() else [])]


def run_scenario(name: str, mechanism: str, root: Path) -> None:
    command = [sys.executable, SCRIPT, name, str(root), mechanism]
    if mechanism == "mount":  # its own mount namespace: the mounts vanish with the process
        command = ["unshare", "-m", "--propagation", "private", *command]
    run = run_measured(command, env=dict(os.environ), timeout=120)
    assert run.code == 0, f"{name} ({mechanism}):\n{run.out}\n{run.err}"
    assert '"ok": true' in run.out


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_a_read_only_library_is_read_and_nothing_in_it_changes(tmp_path, mechanism):
    run_scenario("read_only_library", mechanism, tmp_path)


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_an_unwritable_state_folder_keeps_changes_in_memory_and_says_so_once(tmp_path, mechanism):
    run_scenario("read_only_state", mechanism, tmp_path)


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_a_full_disk_during_a_state_write_keeps_the_previous_state_and_tells_the_user(tmp_path, mechanism):
    run_scenario("full_disk", mechanism, tmp_path)


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_an_unwritable_cache_folder_means_running_without_a_cache(tmp_path, mechanism):
    run_scenario("unwritable_cache", mechanism, tmp_path)


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_a_library_index_on_a_disk_turned_read_only_means_one_notice_and_the_same_answers(tmp_path, mechanism):
    run_scenario("read_only_index", mechanism, tmp_path)


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_a_library_that_is_a_mount_point_is_synced_and_imported_into(tmp_path, mechanism):
    run_scenario("mounted_library", mechanism, tmp_path)


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_a_library_on_another_file_system_is_synced_and_imported_into(tmp_path, mechanism):
    run_scenario("library_on_another_disk", mechanism, tmp_path)


def test_the_fault_seam_really_fails_writes(tmp_path):
    """The seam is not vacuous: under it, a write to the folder fails as the real file system would."""
    code = (
        "import sys, errno; sys.path.insert(0, sys.argv[2]); import disk_scenarios as d; d.FAULTS = d.Faults();"
        "from pathlib import Path; p = Path(sys.argv[1]); d.FAULTS.read_only.append(str(p));"
        "from reader.core.atomic import write_text_atomic\n"
        "try:\n    write_text_atomic(p / 'x', 'y')\nexcept OSError as e:\n    print(errno.errorcode[e.errno])"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path), str(Path(SCRIPT).parent)],
                          capture_output=True, text=True)
    assert done.stdout.strip() == "EROFS" and not any(tmp_path.iterdir()), done.stderr


def test_a_writer_holding_the_lock_removes_what_killed_writers_left_and_nothing_else(tmp_path):
    from reader.core.atomic import write_text_atomic

    day = tmp_path / "03.md"
    day.write_text("old", encoding="utf-8")
    dead = tmp_path / ".03.md.k1ll3d_x.tmp"  # a writer killed between writing and renaming
    dead.write_text("half", encoding="utf-8")
    others = [tmp_path / ".04.md.k1ll3d_x.tmp", tmp_path / ".03.md.notes.tmp", tmp_path / "03.md.k1ll3d_x.tmp"]
    for other in others:
        other.write_text("not ours", encoding="utf-8")
    write_text_atomic(day, "new")  # without the lock: another writer's temporary may be live
    assert dead.exists()
    write_text_atomic(day, "newer", exclusive=True)
    assert not dead.exists() and day.read_text(encoding="utf-8") == "newer"
    assert all(other.read_text(encoding="utf-8") == "not ours" for other in others)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["03.md", *(o.name for o in others)])
