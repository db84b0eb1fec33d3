"""Small made-up digests (our own text, not the archive's) and local git repositories for the sync tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def day_text(date: str, ids: list[str], *, title: str = "Paper") -> str:
    """A digest of one day in the archive's 2024 layout: one `### [title](link)` entry per id."""
    lines = [f"## Daily Papers ({date})", ""]
    for n, arxiv_id in enumerate(ids):
        lines += [
            f"### [{title} {arxiv_id}: a study](https://arxiv.org/abs/{arxiv_id})",
            "",
            f"![](https://example.org/{arxiv_id}.png)",
            "",
            f"Vote: {len(ids) - n}",
            "",
            "Authors: Kim Minsu, Lee Jiwoo",
            "",
            f"- **What's New**: {arxiv_id} 논문은 새로운 방법을 제안합니다.",
            "- **Technical Details**: 두 단계로 학습합니다.",
            "",
        ]
    return "\n".join(lines)


def write_day(root: Path, date: str, ids: list[str], **kw) -> Path:
    """root/YYYY/MM/DD.md holding the day."""
    y, m, d = date.split("-")
    path = root / y / m / f"{d}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(day_text(date, ids, **kw), encoding="utf-8")
    return path


def readme_text(date: str, ids: list[str]) -> str:
    """What the upstream README looks like: project prose around a copy of the latest day."""
    return "\n".join([
        "# Daily Papers (Korean)", "", "허깅페이스 데일리 페이퍼 요약.", "",
        day_text(date, ids), "",
        "## License", "", "CC BY-NC 4.0", "", "## Citation", "", "```", "@misc{x}", "```", "",
    ])


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout


class Upstream:
    """A git repository laid out like l-yohai/daily_papers_ko: paper_logs/YYYY/MM/DD.md and a README."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True)
        git(path, "init", "-q", "-b", "main")

    @property
    def url(self) -> str:
        return self.path.as_uri()

    def add_day(self, date: str, ids: list[str], **kw) -> None:
        write_day(self.path / "paper_logs", date, ids, **kw)
        (self.path / "README.md").write_text(readme_text(date, ids), encoding="utf-8")

    def commit(self, message: str = "update") -> None:
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "-m", message)
