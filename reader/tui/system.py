"""The app's edges: the clipboard and the web browser. Tests replace System with a fake at this one seam."""

from __future__ import annotations

import os
import shutil
import sys
from typing import NamedTuple

# Browsers that run inside the terminal: handing them the terminal would wreck the screen.
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
