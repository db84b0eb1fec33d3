"""Writing files without losing what was there: whole or not at all, through symbolic links, keeping modes.

- `write_bytes_atomic(path, data)`: a crash leaves the old file or the new one, never half of either. A
  symbolic link at `path` is written through (the file it points to is replaced and the link stays a link);
  a file that exists keeps its permission bits (and its owner, where we may set it); a new file gets the
  user's umask, like any file the user makes, unless `private=True` (0600: the reading state). A writer
  killed between the two steps leaves its temporary (`.NAME.xxxxxxxx.tmp`) beside the file: a writer that
  holds the lock for that file passes `exclusive=True`, and the temporaries of dead writers are removed.
- `write_output(path, text)`: what `-o FILE` of a command writes. As above for a regular file (or a name not
  there yet); `-` and /dev/stdout (/dev/fd/N, /proc/self/fd/N) are the process's own stream, and anything else
  that is not a regular file (a FIFO, a terminal, /dev/null) is written directly, never replaced by a file.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import sys
from pathlib import Path

_TEMP_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_"
# The streams a process already has, by the names shells and /dev give them.
_OWN_STREAM = re.compile(r"/dev/(?:std(?P<std>in|out|err)|fd/(?P<fd>[0-9]+))|/proc/self/fd/(?P<pfd>[0-9]+)")


def _token() -> str:
    """8 characters, as mkstemp makes them (the state store recognises its dead temporaries by this shape)."""
    return "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(8))


def write_through(path: str | os.PathLike[str]) -> Path:
    """The file a write to path should replace: path itself, or where the symbolic link(s) at path lead."""
    target = Path(path)
    if os.path.islink(target):
        return Path(os.path.realpath(target))
    return target


def create_beside(target: Path, name: str, *, private: bool = False) -> int:
    """A new file `name` in target's folder, open for writing (O_EXCL), whose mode is what target should have
    once it is replaced by it: target's own permission bits (and owner) if it is a file, else 0666 less the
    umask (0600 if private). Raises FileExistsError when name is taken."""
    try:
        st = os.stat(target)
    except OSError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        st = None
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(target.parent / name, flags, 0o600 if private else 0o666)
    if st is not None:
        try:
            if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()) and hasattr(os, "fchown"):
                try:
                    os.fchown(fd, st.st_uid, st.st_gid)
                except OSError:
                    pass  # not ours to give away: the bits below still apply
            os.fchmod(fd, stat.S_IMODE(st.st_mode))
        except OSError:
            os.close(fd)
            os.unlink(target.parent / name)
            raise
    return fd


def fsync_folder(folder: str | os.PathLike[str]) -> None:
    """Make a rename in folder durable (where the platform allows it)."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def remove_dead_temporaries(target: str | os.PathLike[str]) -> None:
    """Remove the temporaries that killed writers of target left beside it. Only for a caller holding the
    lock under which every writer of target writes: no temporary of a live writer can be there."""
    target = write_through(target)
    pattern = re.compile(re.escape(f".{target.name}.") + f"[{_TEMP_ALPHABET}]{{8}}" + r"\.tmp")
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        if pattern.fullmatch(name):
            try:
                os.unlink(target.parent / name)
            except OSError:
                pass


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes, *, private: bool = False,
                       exclusive: bool = False) -> None:
    given = Path(path)
    given.parent.mkdir(parents=True, exist_ok=True)
    target = write_through(given)  # never creates the folder a link points into: a missing disk stays missing
    if exclusive:
        remove_dead_temporaries(target)
    while True:
        tmp = target.parent / f".{target.name}.{_token()}.tmp"
        try:
            fd = create_beside(target, tmp.name, private=private)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_folder(target.parent)


def write_text_atomic(path: str | os.PathLike[str], text: str, *, private: bool = False,
                      exclusive: bool = False) -> None:
    write_bytes_atomic(path, text.encode("utf-8"), private=private, exclusive=exclusive)


def is_standard_output(path: str) -> bool:
    """-o - and -o /dev/stdout (and its other names): the output the command writes when there is no -o."""
    if path == "-":
        return True
    m = _OWN_STREAM.fullmatch(path)
    return bool(m) and (m["std"] == "out" or (m["fd"] or m["pfd"]) == "1")


def write_output(path: str | os.PathLike[str], text: str) -> None:
    """Write a command's output to FILE: see the module's description. Raises OSError."""
    name = os.fspath(path)
    if is_standard_output(name):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    data = text.encode("utf-8")
    m = _OWN_STREAM.fullmatch(name)
    if m:  # another stream of ours (stderr, a descriptor the shell opened): written as it is, never reopened
        fd = {"in": 0, "out": 1, "err": 2}[m["std"]] if m["std"] else int(m["fd"] or m["pfd"])
        if fd == 2:
            sys.stderr.flush()
        _write_all(fd, data)
        return
    try:
        st = os.stat(name)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(21, "Is a directory", name)
    if st is not None and not stat.S_ISREG(st.st_mode):
        # A FIFO, a terminal, a device: what the user asked to write to; replacing it by a file would be wrong.
        fd = os.open(name, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        return
    write_bytes_atomic(name, data)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
