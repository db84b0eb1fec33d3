"""The app's edges: the clipboard, the web browser (the system's, or the `browser` command of config.json) and
the user's editor (notes). Tests replace System with a fake at this one seam."""

from __future__ import annotations

import os
import shutil
import sys
from typing import NamedTuple

# Browsers that run inside the terminal: handing them the terminal would wreck the screen.
# A browser command still running after this many seconds has opened its window (many never exit while it is
# open); one that exits non-zero before has failed.
BROWSER_GRACE = 3.0
CONSOLE_BROWSERS = {"www-browser", "links", "links2", "elinks", "lynx", "w3m", "browsh", "carbonyl"}


class OpenResult(NamedTuple):  # records on the first screen's import path are tuples: a dataclass costs ~1 ms
    opened: bool
    reason: str = ""


class System:
    """Real clipboard and browser."""

    def graphical_browser_available(self) -> bool:
        browser_env = os.environ.get("BROWSER", "")
        if browser_env:
            names = {os.path.basename(part.split()[0]) for part in browser_env.split(os.pathsep) if part.strip()}
            if names and names <= CONSOLE_BROWSERS:
                return False
        if sys.platform in ("darwin", "win32"):
            return not os.environ.get("SSH_CONNECTION")
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))

    def open_url(self, url: str) -> OpenResult:
        """Open url in a graphical browser; never a text browser in our own terminal. Blocking: call in a thread."""
        if not self.graphical_browser_available():
            where = "over SSH" if os.environ.get("SSH_CONNECTION") else "on this machine"
            return OpenResult(False, f"no graphical browser {where}")
        import webbrowser

        try:
            browser = webbrowser.get()
        except webbrowser.Error:
            return OpenResult(False, "no web browser found")
        name = getattr(browser, "name", "") or ""
        if os.path.basename(name) in CONSOLE_BROWSERS:
            return OpenResult(False, "only a text-mode browser is available")
        try:
            ok = browser.open(url)
        except Exception as exc:  # noqa: BLE001 - any failure of the browser is reported, never raised
            return OpenResult(False, f"the browser failed: {exc}")
        return OpenResult(bool(ok), "" if ok else "the browser did not start")

    def run_browser(self, command: str, url: str) -> OpenResult:
        """The `browser` setting: its words split as a shell would (shlex) but never run by one, %u replaced
        by the URL as one argument (the URL added at the end when there is no %u). Blocking: call in a
        thread. A command that is not found or fails (exits non-zero within a few seconds): its reason."""
        import subprocess

        from reader.core.config import browser_argv

        argv = browser_argv(command, url)
        try:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
        except OSError as exc:
            return OpenResult(False, f"the browser command {argv[0]!r} could not run ({exc.strerror or exc})")
        try:
            code = process.wait(timeout=BROWSER_GRACE)
        except subprocess.TimeoutExpired:
            return OpenResult(True)  # still running: a browser window, most likely
        if code != 0:
            return OpenResult(False, f"the browser command {argv[0]!r} failed (exit code {code})")
        return OpenResult(True)

    def editor(self) -> list[str] | None:
        """The user's editor as argv: $VISUAL, else $EDITOR (split as a shell would, never run by one), else
        nano or vi where installed; None when there is none."""
        import shlex

        for name in ("VISUAL", "EDITOR"):
            value = os.environ.get(name, "").strip()
            if value:
                try:
                    argv = shlex.split(value)
                except ValueError:
                    continue
                if argv:
                    return argv
        for fallback in ("nano", "vi"):
            found = shutil.which(fallback)
            if found:
                return [found]
        return None

    def suspended(self, app):
        """The app suspended while the editor has the terminal (Textual's App.suspend)."""
        return app.suspend()

    def run_editor(self, argv: list[str], path: str) -> str:
        """Run the editor on path in this terminal (the app is suspended); "" when it ended well, else why."""
        import subprocess

        try:
            code = subprocess.call([*argv, path])
        except OSError as exc:
            return f"the editor {argv[0]!r} could not run ({exc.strerror or exc}); set $EDITOR to one that can"
        return "" if code == 0 else f"the editor {argv[0]!r} ended with exit code {code}; the note was not changed"

    def copy_system_clipboard(self, text: str) -> bool:
        """Copy with pyperclip where it has a backend (xclip, xsel, wl-copy, pbcopy, ...)."""
        if sys.platform.startswith("linux") and not (
            (os.environ.get("DISPLAY") and (shutil.which("xclip") or shutil.which("xsel")))
            or (os.environ.get("WAYLAND_DISPLAY") and shutil.which("wl-copy"))
        ):
            return False
        try:
            import pyperclip

            pyperclip.copy(text)
            return True
        except Exception:  # noqa: BLE001 - pyperclip raises its own errors for a missing backend
            return False
