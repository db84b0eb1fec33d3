"""Running git for the sync: never a prompt, never the user's terminal, its progress reported, its errors one
line (SyncError), and every git it starts ended before the sync lets the library's lock go."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

from reader.sources.archive.errors import SyncCancelled, SyncError

Progress = Callable[[str, float | None], None]  # (what is happening, fraction done 0..1 or None)

_GIT_PROGRESS = re.compile(r"^(?:remote: )?(?P<phase>[A-Za-z][A-Za-z ]*):\s+(?P<pct>[0-9]{1,3})% ")
_GIT_LOCATION_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
                      "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES")
# Maintenance that git starts after a fetch runs before the fetch returns (never detached, outliving our lock).
GIT_CONFIG = ["-c", "gc.autoDetach=false", "-c", "maintenance.autoDetach=false"]


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATION_VARS}
    env["GIT_TERMINAL_PROMPT"] = "0"  # never ask for a password: fail instead (and no terminal: see popen_git)
    env["LC_ALL"] = "C"  # progress and errors in the words we parse
    env.pop("LANGUAGE", None)
    return env


def find_git() -> str:
    git = shutil.which("git")
    if git is None:
        raise SyncError("git is not installed (or not on PATH); install git and run the sync again")
    return git


def popen_git(git: str, args: list[str], **kw) -> subprocess.Popen:
    try:
        # A session of its own: no controlling terminal, so nothing (ssh, a credential helper) can prompt on
        # the user's screen, and the TUI's screen stays intact. Ctrl-C reaches Python, which ends git.
        return subprocess.Popen([git, *args], stdout=subprocess.PIPE, env=git_env(), start_new_session=True,
                                **kw)
    except OSError as exc:
        raise SyncError(f"cannot run git: {exc.strerror or exc}") from None


def end_git(proc: subprocess.Popen) -> None:
    """Stop git and every process it started (its session is its own): asked first, so that it removes its
    lock files; killed if it does not go."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except OSError:
            proc.send_signal(sig)
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _reason(stderr_lines: list[str], code: int) -> str:
    for prefix in ("fatal: ", "error: "):
        found = [line for line in stderr_lines if line.startswith(prefix)]
        if found:
            return found[0][len(prefix):].strip()
    meaningful = [line for line in stderr_lines if line.strip() and not _GIT_PROGRESS.match(line)]
    return meaningful[-1].strip() if meaningful else f"git exited with status {code}"


def run_git(git: str, args: list[str], *, progress: Progress | None = None,
             cancel: threading.Event | None = None, sink: Callable[[bytes], None] | None = None) -> str:
    """Run git; report its --progress lines; return stdout (or hand it to sink piece by piece, as it comes,
    and return ""). Raises SyncError (one line) when it fails."""
    proc = popen_git(git, args, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
    chunks: queue.Queue[bytes | None] = queue.Queue()
    out: list[bytes] = []

    def pump(stream, take, last=None) -> None:
        try:
            while data := stream.read1(65536):
                take(data)
        except (OSError, ValueError):
            pass
        finally:
            if last is not None:
                last(None)

    readers = [threading.Thread(target=pump, args=(proc.stderr, chunks.put, chunks.put), daemon=True),
               threading.Thread(target=pump, args=(proc.stdout, sink or out.append), daemon=True)]
    for reader in readers:
        reader.start()
    lines: list[str] = []
    pending = ""
    try:
        while True:
            if cancel is not None and cancel.is_set():
                raise SyncCancelled()
            try:
                data = chunks.get(timeout=0.1)
            except queue.Empty:
                continue
            if data is None:
                break
            pending += data.decode("utf-8", errors="replace")
            *complete, pending = re.split(r"[\r\n]", pending)
            for line in complete:
                _note(line, lines, progress)
            pending = pending[-4096:]  # a line git never ends is not kept whole
        if pending:
            _note(pending, lines, progress)
        for reader in readers:
            reader.join()
        code = proc.wait()
    finally:
        end_git(proc)
    if code != 0:
        raise SyncError(_reason(lines, code))
    return b"".join(out).decode("utf-8", errors="surrogateescape")


def _note(line: str, lines: list[str], progress: Progress | None) -> None:
    if not line.strip():
        return
    m = _GIT_PROGRESS.match(line)
    if m:
        if progress:
            progress(m["phase"].strip(), min(int(m["pct"]), 100) / 100)
        return
    lines.append(line)
    del lines[:-50]


def is_repository(git: str, repo: Path) -> bool:
    if not (repo / "HEAD").is_file():
        return False
    try:
        run_git(git, [f"--git-dir={repo}", "rev-parse", "--git-dir"])
    except SyncError:
        return False
    return True


def git_version(git: str) -> tuple[int, ...]:
    m = re.search(r"([0-9]+)\.([0-9]+)", run_git(git, ["version"]))
    return (int(m[1]), int(m[2])) if m else (0, 0)
