"""Reading the files the reader keeps or is given, safely: one helper for all of them.

Every file the reader opens for reading (a digest, the reading state and its journal, config.json, the parse
cache, a `state import` file) may be something else than it should: a FIFO (opening one for reading blocks
until a writer comes), a device (/dev/zero never ends, /dev/tty waits for keys), a folder, or a file of
gigabytes. read_regular() looks before it reads: only a regular file, opened without blocking, and never
more than its limit (a bigger file is refused whole, never read into memory). check_regular() is the same
look without the read, for files that are about to be written or locked.

load_json() is json.loads for data from disk: whatever the parser cannot take (not JSON, not UTF-8, nesting
deep enough to exhaust the stack, a number of 5,000 digits, memory) is a ValueError, which every caller
already treats as damage, never a crash.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
from collections.abc import Iterator
from typing import Any, BinaryIO

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def kind_of(mode: int) -> str:
    """What a file of this st_mode is, in words ("a FIFO", "a folder", ...)."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


class FileRefused(OSError):
    """A file that is not read: not a regular file, or bigger than its limit. An OSError (so every
    `except OSError` that handles an unreadable file handles it too) whose str() is one line naming the path;
    `reason` is the same without the path."""

    def __init__(self, path: str | os.PathLike[str], reason: str, *, code: int = errno.EINVAL,
                 size: int | None = None, limit: int | None = None) -> None:
        self.reason = reason
        self.size = size
        self.limit = limit
        super().__init__(code, f"{os.fspath(path)} is {reason}", os.fspath(path))

    def __str__(self) -> str:
        return self.strerror


def _size_text(size: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size // scale} {unit}" if size % scale == 0 else f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def _check(path: str | os.PathLike[str], st: os.stat_result, limit: int | None, what: str) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise FileRefused(path, f"not a regular file ({kind_of(st.st_mode)})")
    if limit is not None and st.st_size > limit:
        size = _size_text(st.st_size)
        if size == _size_text(limit):
            size = f"{st.st_size:,} bytes"
        raise FileRefused(path, f"{size}, more than {what} may be ({_size_text(limit)})",
                          code=errno.EFBIG, size=st.st_size, limit=limit)


def check_regular(path: str | os.PathLike[str], limit: int | None = None, *, what: str = "this file"
                  ) -> os.stat_result | None:
    """The file's stat (symlinks followed), None when there is nothing there; raises FileRefused when it is
    not a regular file or is bigger than limit, OSError when it cannot be looked at."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    _check(path, st, limit, what)
    return st


@contextlib.contextmanager
def open_regular(path: str | os.PathLike[str], limit: int | None = None, *, what: str = "this file"
                 ) -> Iterator[BinaryIO]:
    """The file opened for reading in binary, once it is known to be a regular file of at most limit bytes
    (symlinks followed); raises as read_regular does. Opened with O_NONBLOCK: should it have become a FIFO
    between the look and the open, the open does not wait for a writer (and the check after it refuses)."""
    _check(path, os.stat(path), limit, what)  # look first: opening a device may do things
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        _check(path, os.fstat(fd), limit, what)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle


def read_regular(path: str | os.PathLike[str], limit: int, *, what: str = "this file",
                 stat_out: list[os.stat_result] | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (symlinks followed). Raises FileNotFoundError
    when there is none, FileRefused for a FIFO, a device, a folder or a bigger file (never opened for reading,
    never read whole), OSError when it cannot be read. A file that grows past the limit while it is read is
    refused too. stat_out, when given, receives the open file's stat."""
    with open_regular(path, limit, what=what) as handle:
        st = os.fstat(handle.fileno())
        chunks = []
        left = limit + 1
        while left > 0:  # in pieces of the size it has (or 1 MB): never a buffer of the limit's size
            chunk = handle.raw.read(min(left, max(st.st_size + 1, 4096), 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise FileRefused(path, f"more than {what} may be ({_size_text(limit)})", code=errno.EFBIG,
                              size=limit + 1, limit=limit)
        if stat_out is not None:
            stat_out.append(st)
        return b"".join(chunks) if len(chunks) != 1 else chunks[0]


def load_json(raw: bytes | bytearray | memoryview | str, encoding: str = "utf-8") -> Any:
    """json.loads for data from disk or from the user: raises ValueError (UnicodeDecodeError is one) for
    anything that is not JSON it can take, including nesting deep enough to raise RecursionError."""
    try:
        text = raw if isinstance(raw, str) else str(raw, encoding)
        return json.loads(text)
    except ValueError:
        raise
    except RecursionError:
        raise ValueError("nested too deeply to read") from None
    except (MemoryError, TypeError, OverflowError) as exc:
        raise ValueError(f"cannot be read as JSON ({exc.__class__.__name__})") from None
