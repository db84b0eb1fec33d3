"""A small tmux driver for tests that need a real terminal (as ../shared/tools/tui-drive does).

Made for a loaded machine and parallel workers (pytest-xdist): every terminal has its own tmux server (its own
socket, never the user's), the program sees the terminal's real size (COLUMNS and LINES, which xdist's workers
set to 80x24, are taken out of its environment), and every wait is for what the screen shows, bounded by a
generous timeout that fails with the screen in the message. A screen is read only once it has settled (two
captures in a row alike), so a frame tmux has only half taken in is never what a test looks at."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

WAIT = 60.0  # seconds: far beyond any first paint on an idle machine, bounded on a loaded one
POLL = 0.02
TMUX_TIMEOUT = 30  # a tmux command that takes longer than this has hung


class Terminal:
    def __init__(self, command: list[str], size=(120, 35), env: dict[str, str] | None = None) -> None:
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is needed for the real-terminal tests (.ci/apt-packages installs it)")
        self.size = size
        self.sock = Path(tempfile.mkdtemp(prefix="term-")) / "sock"
        self.tmux = ["tmux", "-S", str(self.sock)]
        env = {k: v for k, v in (os.environ if env is None else env).items() if k not in ("COLUMNS", "LINES")}
        self._env = env
        exports = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items()
                           if k.startswith(("XDG_", "DAILY_PAPERS", "HOME", "PATH")))
        shell = (f"env -u COLUMNS -u LINES TERM=xterm-256color COLORTERM=truecolor {exports} {shlex.join(command)}; "
                 "echo '[exited' $?']'; sleep 600")
        self._run("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", str(size[0]), "-y", str(size[1]), shell)
        self._run("set", "-g", "set-clipboard", "on")
        shown = self._run("display", "-p", "-t", "t", "#{pane_width}x#{pane_height}").stdout.strip()
        if shown != f"{size[0]}x{size[1]}":
            self.close()
            raise AssertionError(f"tmux made a {shown} terminal, not {size[0]}x{size[1]}")

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(self.tmux + list(args), check=check, capture_output=True, text=True, env=self._env,
                              timeout=TMUX_TIMEOUT)

    def screen(self, joined: bool = False) -> str:
        """The screen's text; joined: the lines the terminal wrapped are joined again (tmux knows which),
        so a long line reads whole whatever the terminal's width or the length of a temporary path in it."""
        return self._run("capture-pane", "-p", *(["-J"] if joined else []), "-t", "t", check=False).stdout

    def wait_until(self, ready: Callable[[str], bool], what: str, timeout: float = WAIT,
                   joined: bool = False) -> str:
        """The settled screen once ready(screen) holds; an AssertionError naming `what`, with the screen, if it
        never does within timeout seconds."""
        start = time.monotonic()
        screen, before = "", None
        while time.monotonic() - start < timeout:
            screen = self.screen(joined)
            if screen == before and ready(screen):
                return screen
            before = screen
            time.sleep(POLL)
        raise AssertionError(f"{what} within {timeout:.0f} s; the screen:\n{screen}")

    def wait(self, *texts: str, timeout: float = WAIT, joined: bool = False) -> str:
        """The settled screen once it shows every one of texts."""
        return self.wait_until(lambda screen: all(text in screen for text in texts),
                               f"never showed {' and '.join(map(repr, texts))}", timeout, joined)

    def gone(self, text: str, timeout: float = WAIT) -> str:
        """The settled screen once text is no longer on it."""
        return self.wait_until(lambda screen: text not in screen, f"{text!r} never went", timeout)

    def keys(self, *keys: str) -> None:
        self._run("send-keys", "-t", "t", *keys)

    def clipboard(self) -> str:
        return self._run("show-buffer", check=False).stdout

    def wait_clipboard(self, ready: Callable[[str], bool] = bool, timeout: float = WAIT) -> str:
        """The terminal's clipboard (what the program sent by OSC 52) once ready(clipboard) holds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            copied = self.clipboard()
            if ready(copied):
                return copied
            time.sleep(POLL)
        raise AssertionError(f"the terminal's clipboard never got what was copied within {timeout:.0f} s: "
                             f"{self.clipboard()!r}; the screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(self.tmux + ["kill-server"], capture_output=True, timeout=TMUX_TIMEOUT)
        shutil.rmtree(self.sock.parent, ignore_errors=True)

    def __enter__(self) -> "Terminal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
