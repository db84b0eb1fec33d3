"""A checked summary written into every digest holding the paper, atomically, under the library's lock."""

from __future__ import annotations

import threading
from pathlib import Path

from reader.sources.summarize.errors import PaperFailed
from reader.sources.summarize.targets import Target

WRITE_WAIT = 600.0  # how long a finished summary waits for the library (a sync holds it while it runs)


def write_summary(library: Path, target: Target, sections: list[tuple[str, str]], *,
                  cancel: threading.Event | None = None, wait: float = WRITE_WAIT) -> None:
    """Write the sections into every digest holding the paper, each file replaced atomically, under the
    library's lock. PaperFailed (one line) when no digest holds it any more or the library is busy."""
    from reader.core.atomic import write_text_atomic
    from reader.core.library_lock import LibraryLockError, lock_library
    from reader.sources.hf_digest import with_korean

    try:
        lock = lock_library(library, wait=wait, cancel=cancel)
    except LibraryLockError as exc:
        raise PaperFailed(f"cannot write it: {exc}") from None
    written = 0
    try:
        for name in target.files:
            path = Path(name)
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                continue
            except (OSError, UnicodeDecodeError) as exc:
                raise PaperFailed(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
            changed = with_korean(text, target.arxiv_id, sections)
            if changed is None:
                continue
            try:
                if changed != text:
                    write_text_atomic(path, changed, exclusive=True)  # we hold the library's lock
            except OSError as exc:
                raise PaperFailed(f"cannot write {path}: {exc.strerror or exc}") from None
            written += 1
    finally:
        lock.release()
    if not written:
        raise PaperFailed("its Hugging Face day no longer holds it (a sync replaced the day?)")
