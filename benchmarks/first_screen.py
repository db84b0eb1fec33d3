"""Time to the first screen: the newest day's top paper on screen, against a bare Textual app.

Two ways, both from process start: in a real terminal (tmux, polling the screen every 5 ms, as
../shared/tools/tui-drive does) and headless (Textual's own headless driver, the process printing when the
paper is shown). The bare app (Header, one Static, Footer) is measured the same way in the same run.
"""

from __future__ import annotations

import functools
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
BARE_TEXT = "bare textual app ready"


def env_with_home(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for var, name in (("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"), ("XDG_CONFIG_HOME", "config")):
        (home / name).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / name)
    env.pop("DAILY_PAPERS_STATE", None)
    return env


def reader_command(library: Path) -> list[str]:
    return [PYTHON, "-m", "reader", str(library)]


def bare_command() -> list[str]:
    return [PYTHON, str(HERE / "bare_app.py")]


def tmux_time(command: list[str], text: str, env: dict[str, str], size=(160, 45), timeout=60.0) -> float:
    sock = Path(tempfile.mkdtemp(prefix="bench-tmux-")) / "sock"
    tmux = ["tmux", "-S", str(sock)]
    exports = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items() if k.startswith(("XDG_", "PATH", "HOME", "HF_")))
    shell = f"env TERM=xterm-256color COLORTERM=truecolor {exports} {shlex.join(command)}; sleep 600"
    start = time.perf_counter()
    subprocess.run(tmux + ["-f", "/dev/null", "new-session", "-d", "-s", "b", "-x", str(size[0]), "-y", str(size[1]), shell],
                   check=True, env=env)
    try:
        while time.perf_counter() - start < timeout:
            screen = subprocess.run(tmux + ["capture-pane", "-p", "-t", "b"], capture_output=True, text=True).stdout
            if text in screen:
                return time.perf_counter() - start
            time.sleep(0.005)
        raise RuntimeError(f"{text!r} never appeared; last screen:\n{screen}")
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)
        shutil.rmtree(sock.parent, ignore_errors=True)


def headless_time(kind: str, library: Path | None, env: dict[str, str], timeout=120.0) -> float:
    """Seconds from spawning the process to its READY line (a frame holds the first screen)."""
    args = [PYTHON, str(HERE / "headless_probe.py"), kind]
    if library is not None:
        args += [str(library), newest_top_title(library)]
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        for line in proc.stdout:
            if line.strip() == "READY":
                return time.perf_counter() - start
        raise RuntimeError(f"headless probe ended without READY: {proc.stderr.read()[-2000:]}")
    finally:
        proc.kill()
        proc.wait(timeout)


@functools.lru_cache(maxsize=None)
def newest_top_title(library: Path) -> str:
    from reader.core.library import Library

    lib = Library.open([library])
    lib.load_newest()
    return lib.newest().papers[0].title[:24]


def tmux_cursor_latencies(library: Path, env: dict[str, str], moves: int = 60, size=(160, 45),
                          bare: bool = False, own: bool = False,
                          before: list[str] = (), during: str | None = None) -> tuple[list[float], list[float]]:
    """j/k in a real terminal, each key sent once the previous move shows: (seconds from sending the key to
    tmux showing the next paper's id, seconds from the app receiving the key to it writing the frame that
    holds that id). The first is end to end (tmux, process spawns for capture-pane polling every 2 ms,
    Textual's frame pacing); the second is the app's own share, logged inside it (benchmarks/key_probe.py).

    bare=True measures the reference instead: a bare OptionList updating one Static, in the same way.
    own=True starts the reader with no PATH (`library` is then the user's library, where env's XDG_DATA_HOME
    says); `before` are tmux keys sent once the first screen is up (K to summarise a day, say); `during` is a
    text the moves wait for first (the similar papers' progress under the days, say: they are made then)."""
    from reader.core.library import Library

    lib = Library.open([library])
    lib.load_newest()
    ids = [p.arxiv_id for p in lib.newest().papers]
    log_path = Path(tempfile.mkdtemp(prefix="bench-keys-")) / "keys.log"
    probe = [PYTHON, str(HERE / "key_probe.py"), str(log_path)]
    command = probe + (["bare", *ids] if bare else ["reader"] if own else ["reader", str(library)])
    sock = Path(tempfile.mkdtemp(prefix="bench-tmux-")) / "sock"
    tmux = ["tmux", "-S", str(sock)]
    probe_env = {**env, "IDS": ",".join(ids)}
    exports = " ".join(shlex.quote(f"{k}={v}") for k, v in probe_env.items()
                       if k.startswith(("XDG_", "PATH", "HOME", "IDS", "HF_", "OPENAI_")))
    shell = f"env TERM=xterm-256color COLORTERM=truecolor {exports} {shlex.join(command)}; sleep 600"
    subprocess.run(tmux + ["-f", "/dev/null", "new-session", "-d", "-s", "b", "-x", str(size[0]), "-y", str(size[1]), shell],
                   check=True, env=env)

    def wait_for(text: str, timeout: float = 10.0) -> float:
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if text in subprocess.run(tmux + ["capture-pane", "-p", "-t", "b"], capture_output=True, text=True).stdout:
                return time.perf_counter()
            time.sleep(0.002)
        raise RuntimeError(f"{text!r} never appeared")

    latencies = []
    targets = []
    try:
        wait_for(f"arXiv {ids[0]}", 60)
        time.sleep(1.0)  # let the rest of the archive load in its worker
        for key in before:
            subprocess.run(tmux + ["send-keys", "-t", "b", key], check=True)
            time.sleep(0.2)
        if during is not None:
            wait_for(during, 120)
        position = 0
        for i in range(moves):
            step = 1 if (i // (len(ids) - 1)) % 2 == 0 else -1
            position += step
            targets.append(ids[position])
            start = time.perf_counter()
            subprocess.run(tmux + ["send-keys", "-t", "b", "j" if step > 0 else "k"], check=True)
            latencies.append(wait_for(f"arXiv {ids[position]}") - start)
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)
        shutil.rmtree(sock.parent, ignore_errors=True)
    inside = _key_to_frame(log_path.read_text().splitlines(), targets)
    shutil.rmtree(log_path.parent, ignore_errors=True)
    return latencies, inside


def _key_to_frame(lines: list[str], targets: list[str]) -> list[float]:
    """Pair the n-th key logged with the first frame after it that holds the n-th target id."""
    keys = [float(line.split()[1]) for line in lines if line.startswith("K ")]
    frames = [(float(line.split()[1]), line.split()[2].split(",")) for line in lines if line.startswith("W ")]
    out = []
    for at, target in zip(keys, targets):
        written = next((t for t, shown in frames if t >= at and target in shown), None)
        if written is None:
            raise RuntimeError(f"no frame showed {target} after its key")
        out.append(written - at)
    return out
