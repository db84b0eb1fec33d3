"""A small tmux driver for tests that need a real terminal (as ../shared/tools/tui-drive does)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


class Terminal:
    def __init__(self, command: list[str], size=(120, 35), env: dict[str, str] | None = None) -> None:
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is needed for the real-terminal tests (.ci/apt-packages installs it)")
        self.sock = Path(tempfile.mkdtemp(prefix="term-")) / "sock"
        self.tmux = ["tmux", "-S", str(self.sock)]
        env = dict(os.environ if env is None else env)
        exports = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items()
                           if k.startswith(("XDG_", "DAILY_PAPERS", "HOME", "PATH")))
        shell = f"env TERM=xterm-256color COLORTERM=truecolor {exports} {shlex.join(command)}; echo '[exited' $?']'; sleep 60"
        subprocess.run(self.tmux + ["-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", str(size[0]),
                                    "-y", str(size[1]), shell], check=True, env=env)
        subprocess.run(self.tmux + ["set", "-g", "set-clipboard", "on"], check=True)

    def screen(self) -> str:
        return subprocess.run(self.tmux + ["capture-pane", "-p", "-t", "t"], capture_output=True, text=True).stdout

    def wait(self, text: str, timeout: float = 20.0) -> str:
        end = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < end:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.02)
        raise AssertionError(f"{text!r} never appeared; the screen:\n{screen}")

    def keys(self, *keys: str) -> None:
        subprocess.run(self.tmux + ["send-keys", "-t", "t", *keys], check=True)

    def clipboard(self) -> str:
        return subprocess.run(self.tmux + ["show-buffer"], capture_output=True, text=True).stdout

    def close(self) -> None:
        subprocess.run(self.tmux + ["kill-server"], capture_output=True)
        shutil.rmtree(self.sock.parent, ignore_errors=True)

    def __enter__(self) -> "Terminal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
