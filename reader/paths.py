"""Every file location in one place.

User files follow platformdirs (XDG_DATA_HOME, XDG_CACHE_HOME and XDG_CONFIG_HOME are honoured on Linux);
DAILY_PAPERS_STATE points the state file elsewhere (a synced folder, say). The bundled sample days and the
stylesheet ship inside the wheel as reader/_data and reader/_styles; in a source checkout or an editable
install they are the top-level data/ and styles/ folders.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "daily-papers"
STATE_ENV = "DAILY_PAPERS_STATE"
_PACKAGE = Path(__file__).resolve().parent


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    return platformdirs.user_cache_path(APP_NAME, appauthor=False)


def index_dir() -> Path:
    """The library's index (reader.core.index): one SQLite file per library, only ever a cache."""
    return cache_dir() / "index"


def config_dir() -> Path:
    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def library_dir() -> Path:
    return data_dir() / "library"


def state_path(override: str | os.PathLike[str] | None = None) -> Path:
    if override:
        return Path(override).expanduser()
    env = os.environ.get(STATE_ENV)
    if env:
        return Path(env).expanduser()
    return data_dir() / "state.json"


def remembered_path() -> Path:
    """What the reader remembers between sessions (reader.core.remembered): this machine's, in its data folder."""
    return data_dir() / "remembered.json"


def config_path() -> Path:
    return config_dir() / "config.json"


def _bundled(name: str) -> Path:
    installed = _PACKAGE / f"_{name}"
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def bundled_data_dir() -> Path:
    """The two sample digests that ship with the reader."""
    return _bundled("data")


def styles_dir() -> Path:
    return _bundled("styles")


def stylesheet() -> Path:
    return styles_dir() / "reader.tcss"
