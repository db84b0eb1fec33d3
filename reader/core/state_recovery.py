"""What the reading state keeps when its files are damaged or older: a damaged file is moved aside (never
deleted, never replacing another), and a file of an older schema is copied before it is migrated."""

from __future__ import annotations

import errno
import os
import shutil
import time
from pathlib import Path


def move_aside(path: Path, label: str) -> Path:
    """Rename path to PATH.LABEL-YYYYmmdd-HHMMSS (next to it), never replacing an existing file."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        target = path.with_name(f"{path.name}.{label}-{stamp}" + ("" if n == 1 else f"-{n}"))
        try:
            os.link(path, target)  # fails if target exists: never overwrites
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
                raise
            if target.exists():
                continue
            os.rename(path, target)  # no hard links on this file system
            return target
        os.unlink(path)
        return target
    raise OSError(errno.EEXIST, f"no free name to move {path} aside")


def backup_before_migration(path: Path, version: int) -> None:
    """A copy of a state file of an older schema (PATH.schemaN-YYYYmmdd-HHMMSS) before it is migrated."""
    target = path.with_name(f"{path.name}.schema{version}-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        if not target.exists():
            try:
                os.link(path, target)
            except OSError:
                shutil.copy2(path, target)
    except OSError:
        return  # the migration is lossless; the copy is only a courtesy
