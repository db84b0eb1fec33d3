"""The archives the benchmarks read: the real one (../shared/corpus) and N shifted copies of it.

Copy k moves every day k*420 days later (a real date: the shift is counted in days, so a 29 February only
lands where there is one) and every new-style arXiv id k*100 months later (2408.03326 -> 3212.03326 for
k=1 ...), so the copies are distinct days and distinct papers, as a growing archive would be: check() says
so of every generated archive (10x: 32,720 distinct ids, 2,390 days). Generated under benchmarks/.work/
(git-ignored), never committed.
"""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
REAL = HERE.parent.parent / "shared" / "corpus" / "daily_papers_ko"

_DAY = re.compile(r"(## Daily Papers \()(\d{4}-\d{2}-\d{2})(\))")
_ID = re.compile(r"(arxiv\.org/(?:abs|pdf)/|papers/)(\d{2})(\d{2})\.(\d{4,5})")


def real() -> Path:
    if not REAL.is_dir():
        raise SystemExit(f"the real archive is missing: {REAL}")
    return REAL


def _shift_day(text: str, days: int) -> str:
    return (date.fromisoformat(text) + timedelta(days=days)).isoformat()


def _shift_ids(text: str, k: int) -> str:
    def repl(m: re.Match) -> str:
        months = int(m[2]) * 12 + int(m[3]) - 1 + 100 * k
        return f"{m[1]}{months // 12 % 100:02d}{months % 12 + 1:02d}.{m[4]}"

    return _ID.sub(repl, text)


def check(folder: Path, copies: int) -> None:
    """The generated archive is `copies` times the archive's papers, each arXiv id as often as in the
    archive (distinct papers, not repeated ones), on real dates only, each day's file named for its day."""
    import sys

    sys.path.insert(0, str(HERE.parent))
    from reader.core.library import Library

    archive = Library.open([real()]).load_all()
    copy = Library.open([folder]).load_all()
    dates = copy.dates()
    assert len(copy) == copies * len(archive) and len(copy.ids()) == copies * len(archive.ids()), (
        len(copy), len(copy.ids()))
    assert len(dates) == copies * len(archive.dates()) and all(date.fromisoformat(d).isoformat() == d for d in dates)
    named = {f"{p.parent.parent.name}-{p.parent.name}-{p.stem}" for p in folder.rglob("*.md")}
    assert named == set(dates), sorted(named ^ set(dates))[:5]


def scaled(copies: int, target: Path | None = None) -> Path:
    """A folder with `copies` shifted copies of the real archive (copy 0 is the archive itself)."""
    target = target or WORK / f"corpus-x{copies}"
    stamp = target / ".complete"
    if stamp.exists():
        return target
    if target.exists():
        shutil.rmtree(target)
    files = sorted(real().rglob("*.md"))
    for k in range(copies):
        shift = 420 * k
        for path in files:
            day = date(int(path.parent.parent.name), int(path.parent.name), int(path.stem))
            new_day = day + timedelta(days=shift)
            text = path.read_text(encoding="utf-8")
            if k:
                text = _DAY.sub(lambda m: m[1] + _shift_day(m[2], shift) + m[3], text)
                text = _shift_ids(text, k)
            out = target / f"{new_day:%Y}" / f"{new_day:%m}" / f"{new_day:%d}.md"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
    check(target, copies)
    stamp.write_text("ok")
    return target


def size_of(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*.md")]
    return len(files), sum(p.stat().st_size for p in files)
