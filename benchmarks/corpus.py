"""The archives the benchmarks read: the real one (../shared/corpus) and N shifted copies of it.

Copy k moves every day k*400 days later and every new-style arXiv id k*100 months later (2408.03326 ->
2812.03326 for k=1...), so the copies are distinct days and distinct papers, as a growing archive would be.
Generated under benchmarks/.work/ (git-ignored), never committed.
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


def scaled(copies: int) -> Path:
    """A folder with `copies` shifted copies of the real archive (copy 0 is the archive itself)."""
    target = WORK / f"corpus-x{copies}"
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
    stamp.write_text("ok")
    return target


def size_of(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*.md")]
    return len(files), sum(p.stat().st_size for p in files)
