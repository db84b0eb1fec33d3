"""A command's check of its files in a helper process, started before the command imports its modules.

One stat a file is the part of a command that grows with the library (2,390 files at ten times the archive:
7-10 ms here), and in a thread beside the command's first question (checking.py) it competes with the
command's own Python for the GIL: the command waited for it. Yet which files a command will check is known
before the command has imported anything: the index's snapshot of them (listing.Snapshot). So a command line
whose library is known that early (reader.startup.check_ahead, from reader.__main__: dates, list, search)
starts a bare Python (`-S -I`: the standard library only, nothing of the user's environment's Python) that
reads the snapshot, stats every file and, only if every one is as the snapshot holds, answers with the
snapshot's digest; meanwhile the command imports its modules and opens the index on another CPU.

The check (checking.Check) takes that answer for the snapshot it read itself: the same digest is the same
files with the same identities, every one found so. Anything else (no answer, another snapshot, a helper that
failed, hung, was too slow or could not start) and the command checks the files itself, as without a
helper. It waits for the answer at most as long as its own check would take, so a helper costs a command
little when it cannot help, and what the command answers is the same. It is started only where it can
help and not harm: os.posix_spawn, a CPU idle for it now (_idle_cpu: on 2 CPUs, no other task runnable;
beside one busy task or another command, a helper's start-up takes more CPU from the command than the stats
it saves), two CPUs or more, UTF-8 file names (the helper names the files as the command does), an index
file that exists. Its output is one pipe to this process; its stdin and stderr are /dev/null. It never
waits for a lock: an index a writer holds gets no answer. A helper no check took (the command asked another
index, or a ^C ended it) is ended on the way out (reader.__main__, commands.common.close_libraries); a ^C
while it starts waits until it is recorded, and one while the command waits for its answer ends it too.

Measured on the 2-core development machine, `daily-papers list` at 10x, ms a command: one at a time 53
with helpers, 61 without; beside a busy loop 77 with a helper each time, 59 without, 60 with this rule; 2,
4 and 8 at once 37-42 with, 29-33 without, 29-34 with this rule.

Importing this module costs nothing (the command has imported nothing yet when it starts a helper).
"""

from __future__ import annotations

import os
import sys

# A command waits for its helper's answer at most as long as its own check would take (about 3 us a stat here,
# with Python's loop: 2,390 files at 10x, 7-10 ms), and never less than MIN_WAIT: a helper slowed by a busy
# CPU or a slow disk costs the command no more than checking itself. (Idle, the answer is there when the
# command asks, 35 ms after its start: read in 0.2-0.6 ms; beside a busy loop at most 6 ms.)
STAT_SECONDS = 4e-6
MIN_WAIT = 0.002

# The helper: argv[1] the index file. Writes the digest of the snapshot (16 bytes) to stdout only if every
# file is found with the identity the snapshot holds (listing.Snapshot; update.unchanged compares the same).
_HELPER = r"""
import os, sys
def main():
    path = sys.argv[1]
    if not os.path.isfile(path):
        return
    from array import array
    from _sqlite3 import connect  # (sqlite3's own module, without the adapters that import datetime)
    try:
        from _blake2 import blake2b
    except ImportError:
        from hashlib import blake2b
    # (an absolute path gets an empty authority: a path that starts with // is not read as a host name)
    uri = ("file://" if path.startswith("/") else "file:") \
        + path.replace("%", "%25").replace("?", "%3f").replace("#", "%23") + "?mode=ro"
    con = connect(uri, uri=True, timeout=0)  # (an index locked by a writer: no answer, at once)
    row = con.execute("SELECT keys, identity FROM snapshot WHERE id = 1").fetchone()
    con.close()
    if row is None:
        return
    keys, identity = bytes(row[0]), bytes(row[1])
    seen = array("q")
    for st in map(os.stat, keys.decode("utf-8").split("\0")):
        seen.extend((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    if seen.tobytes() == identity:
        digest = blake2b(len(keys).to_bytes(8, "little"), digest_size=16)
        digest.update(keys)
        digest.update(identity)
        os.write(1, digest.digest())
try:
    main()
except BaseException:
    pass
os._exit(0)  # (no finalisation: the command reads the answer, or the pipe's end, at once)
"""


def digest(keys: bytes, identity: bytes) -> bytes:
    """The digest a helper answers for a snapshot of these files (`keys`) and identities, as it writes it."""
    try:
        from _blake2 import blake2b
    except ImportError:  # (a Python built without it)
        from hashlib import blake2b
    found = blake2b(len(keys).to_bytes(8, "little"), digest_size=16)
    found.update(keys)
    found.update(identity)
    return found.digest()


class Helper:
    """A helper process started for one index file; answer() waits for what it found."""

    def __init__(self, pid: int, fd: int, index_file: str) -> None:
        self.pid = pid
        self.index_file = index_file
        self._fd: int | None = fd

    def answer(self, keys: bytes, identity: bytes) -> bool:
        """True if the helper found every file of this snapshot (keys, identity) as it holds them, by the
        time the command's own check of them would have taken; the helper is ended either way (a ^C in
        between too)."""
        try:
            got = self._read(max(MIN_WAIT, (keys.count(b"\0") + 1) * STAT_SECONDS))
        finally:
            self.close()
        return len(got) == 16 and got == digest(keys, identity)

    def _read(self, wait: float) -> bytes:
        import select
        import time

        fd, self._fd = self._fd, None
        if fd is None:
            return b""
        got = b""
        deadline = time.monotonic() + wait
        try:
            while len(got) < 16:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([fd], [], [], left)[0]:
                    return b""  # (too slow, or hung: the command checks the files itself)
                more = os.read(fd, 64)
                if not more:
                    break
                got += more
        except (OSError, ValueError):
            return b""
        finally:
            os.close(fd)
        return got

    def close(self) -> None:
        """Stop waiting for it: its pipe closed, the process ended (killed if still running) and reaped."""
        if _started.get(self.index_file) is self:
            del _started[self.index_file]
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self.pid:
            pid, self.pid = self.pid, 0
            try:
                if os.waitpid(pid, os.WNOHANG) == (0, 0):
                    import signal

                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
            except (ChildProcessError, ProcessLookupError, InterruptedError):
                pass


_started: dict[str, Helper] = {}


LOADAVG = "/proc/loadavg"  # (Linux: its fourth field, the tasks runnable now out of all)


def usable() -> bool:
    """Whether a helper can run beside the command: posix_spawn, a Python to run it (not a frozen app's
    executable), two CPUs or more and one of them idle (_idle_cpu), UTF-8 file names."""
    if not hasattr(os, "posix_spawn") or not sys.executable or getattr(sys, "frozen", False) \
            or sys.getfilesystemencoding() != "utf-8":
        return False
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return cpus >= 2 and _idle_cpu()


def _idle_cpu() -> bool:
    """Whether a CPU is idle for a helper beside this command: besides it, fewer tasks runnable right now
    than the machine's CPUs less one (on 2 CPUs: none). One other CPU-bound task (a build on one core, a
    second command) leaves none: measured, `daily-papers list` at 10x beside a busy loop took 77 ms with a
    helper and 59 without. A task seen runnable may be the kernel's own brief work (on this machine, idle,
    one read in three sees one): the load is read again 0.2 ms later, and a CPU is idle if either read says
    so (one in fifty still sees one then). Where the load cannot be read (not Linux), assume one is."""
    import time

    cpus = os.cpu_count() or 1
    for pause in (0.0, 0.0002):
        if pause:
            time.sleep(pause)
        try:
            with open(LOADAVG, "rb") as file:
                tasks = file.read(256).split()[3]
            if int(tasks.partition(b"/")[0]) - 1 < cpus - 1:
                return True
        except (OSError, ValueError, IndexError):
            return True
    return False


def start(index_file: str) -> Helper | None:
    """Start the helper for `index_file` (a str path) if it can help; take() gives it to the check."""
    index_file = os.path.normpath(index_file)
    if index_file in _started or not usable() or not os.path.isfile(index_file):
        return None
    read, write = os.pipe()
    # No ^C between the helper's start and its record here (forget() ends what is recorded): SIGINT waits
    # until it is recorded. The helper itself starts with no signal blocked.
    masked = _hold_interrupts()
    try:
        try:
            pid = os.posix_spawn(sys.executable, [sys.executable, "-S", "-I", "-X", "utf8", "-c", _HELPER, index_file],
                                 os.environ, setsigmask=(), file_actions=[
                                     (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                                     (os.POSIX_SPAWN_DUP2, write, 1),
                                     (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
        except OSError:
            os.close(read)
            return None
        finally:
            os.close(write)
        helper = _started[index_file] = Helper(pid, read, index_file)
    finally:
        if masked is not None:
            import _signal

            _signal.pthread_sigmask(_signal.SIG_SETMASK, masked)
    return helper


def _hold_interrupts():
    """SIGINT blocked in this thread (the signal mask before, to put back), or None where it cannot be."""
    try:
        import _signal  # (signal's C module, imported at Python's start: signal.py imports enum)

        return _signal.pthread_sigmask(_signal.SIG_BLOCK, {_signal.SIGINT})
    except (ImportError, AttributeError, OSError, ValueError):
        return None


def take(index_file: str) -> Helper | None:
    """The helper started for `index_file`, if any (each is taken once)."""
    return _started.pop(os.path.normpath(index_file), None) if _started else None


def forget() -> None:
    """End every helper no check took (a command that ended before asking, or asked another index)."""
    while _started:
        _started.popitem()[1].close()
