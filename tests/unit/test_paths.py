"""reader.paths: where the user's files live, as platformdirs says, found on Linux without importing it."""

from __future__ import annotations

import sys

import platformdirs
import pytest

from reader import paths

KINDS = {"data": ("XDG_DATA_HOME", paths.data_dir, platformdirs.user_data_path),
         "cache": ("XDG_CACHE_HOME", paths.cache_dir, platformdirs.user_cache_path),
         "config": ("XDG_CONFIG_HOME", paths.config_dir, platformdirs.user_config_path)}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("xdg", [None, "", "/srv/xdg", "/srv/xdg/", "relative/xdg", "  ", "~/xdg"])
@pytest.mark.parametrize("home", [None, "", "/home/someone", "/home/someone/", "/", "relative-home"])
def test_the_user_folders_are_platformdirs_own(monkeypatch, kind, xdg, home):
    variable, ours, theirs = KINDS[kind]
    for name, value in ((variable, xdg), ("HOME", home)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    try:
        expected = theirs("daily-papers", appauthor=False)
    except RuntimeError:  # (platformdirs: no home it can use)
        with pytest.raises(RuntimeError):
            ours()
        return
    assert ours() == expected


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG spec is read without platformdirs on Linux only")
def test_on_linux_the_usual_folders_are_found_without_platformdirs(monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", "/srv/cache")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", "/home/someone")
    for _, _, theirs in KINDS.values():  # neither asked nor imported
        monkeypatch.setattr(platformdirs, theirs.__name__, None)
    monkeypatch.setitem(sys.modules, "platformdirs", None)
    assert paths.index_dir().as_posix() == "/srv/cache/daily-papers/index"
    assert paths.library_dir().as_posix() == "/home/someone/.local/share/daily-papers/library"
