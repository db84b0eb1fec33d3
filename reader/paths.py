"""Every file location in one place.

User files follow platformdirs (XDG_DATA_HOME, XDG_CACHE_HOME and XDG_CONFIG_HOME are honoured on Linux);
DAILY_PAPERS_STATE points the state file elsewhere (a synced folder, say). The bundled sample days and the
stylesheet ship inside the wheel as reader/_data and reader/_styles; in a source checkout or an editable
install they are the top-level data/ and styles/ folders.
"""

from __future__ import annotations

import os
import sys
TYPE_CHECKING = False  # (typing's, without importing typing: reader.startup.check_ahead runs before anything)
if TYPE_CHECKING:
    from pathlib import Path

APP_NAME = "daily-papers"
STATE_ENV = "DAILY_PAPERS_STATE"
_PACKAGE = os.path.dirname(os.path.realpath(__file__))  # (a str: pathlib is imported on first need, not before
# a command starts its check ahead with the folders named here: reader.startup.check_ahead)
# On Linux, where platformdirs follows the XDG base directory spec, its answer is found here without importing
# it (platformdirs and what it imports cost `daily-papers search` 6-8 ms): $XDG_..._HOME when it is an absolute
# path, else the default under an absolute $HOME. Anything else (another system, a relative or odd value, no
# HOME) asks platformdirs itself. tests/unit/test_paths.py checks the two agree.
_XDG = {"data": ("XDG_DATA_HOME", "~/.local/share"), "cache": ("XDG_CACHE_HOME", "~/.cache"),
        "config": ("XDG_CONFIG_HOME", "~/.config")}


def _path(text: str | os.PathLike[str]) -> Path:
    from pathlib import Path

    return Path(text)


def xdg_dir(kind: str) -> str | None:
    """platformdirs' user_<kind>_path for the app where the XDG spec alone says it (a str); None elsewhere."""
    if sys.platform != "linux" or hasattr(sys, "getandroidapilevel") or "ANDROID_DATA" in os.environ:
        return None
    variable, default = _XDG[kind]
    base = os.environ.get(variable, "")
    if not base:
        home = os.environ.get("HOME", "")
        if not home.startswith("/"):
            return None
        base = os.path.expanduser(default)
    if not base.startswith("/"):
        return None
    return os.path.join(base, APP_NAME)


def _user_dir(kind: str) -> Path:
    found = xdg_dir(kind)
    if found is not None:
        return _path(found)
    import platformdirs

    return getattr(platformdirs, f"user_{kind}_path")(APP_NAME, appauthor=False)


def data_dir() -> Path:
    return _user_dir("data")


def cache_dir() -> Path:
    return _user_dir("cache")


def index_dir() -> Path:
    """The library's index (reader.core.index): one SQLite file per library, only ever a cache."""
    return cache_dir() / "index"


def config_dir() -> Path:
    return _user_dir("config")


def library_dir() -> Path:
    return data_dir() / "library"


def state_path(override: str | os.PathLike[str] | None = None) -> Path:
    if override:
        return _path(override).expanduser()
    env = os.environ.get(STATE_ENV)
    if env:
        return _path(env).expanduser()
    return data_dir() / "state.json"


def remembered_path() -> Path:
    """What the reader remembers between sessions (reader.core.remembered): this machine's, in its data folder."""
    return data_dir() / "remembered.json"


def config_path() -> Path:
    return config_dir() / "config.json"


def bundled(name: str) -> str:
    """The folder of what ships with the reader (data, styles), as a str."""
    installed = os.path.join(_PACKAGE, f"_{name}")
    if os.path.isdir(installed):
        return installed
    return os.path.join(os.path.dirname(_PACKAGE), name)


def bundled_data_dir() -> Path:
    """The two sample digests that ship with the reader."""
    return _path(bundled("data"))


def styles_dir() -> Path:
    return _path(bundled("styles"))


def stylesheet() -> Path:
    return styles_dir() / "reader.tcss"
