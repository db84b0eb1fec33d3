"""Which index file is a library's: one per set of roots, named by them (store.index_path), computed with
nothing imported (a command starts its check ahead with it before importing its modules: ahead.py)."""

from __future__ import annotations

import os

try:  # hashlib's blake2b without hashlib, whose OpenSSL costs a command's start 4 ms
    from _blake2 import blake2b
except ImportError:  # (a Python built without it)
    from hashlib import blake2b


def index_name(roots) -> str:
    """The index file's name for a library opened on `roots` (files and folders), whichever way they are
    written (relative, through a link, in another order)."""
    resolved = sorted({os.path.realpath(os.path.abspath(os.path.expanduser(os.fspath(r)))) for r in roots})
    return blake2b("\0".join(resolved).encode("utf-8", "surrogateescape"), digest_size=10).hexdigest() + ".sqlite3"
