"""A non-editable wheel carries data/, styles/ and the summarizer's prompt and finds them at run time, from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_wheel_ships_data_and_styles_and_runs_from_elsewhere(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(wheels.glob("daily_papers-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    assert {"reader/_data/2024-08-07.md", "reader/_data/2024-08-15.md", "reader/_styles/reader.tcss"} <= names
    assert "reader/sources/summarize/summary_prompt.txt" in names  # the summarizer's default prompt, beside its code
    assert any(n.endswith("entry_points.txt") for n in names)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "site"))
    probe = subprocess.run(
        [sys.executable, "-c", "import reader.paths as p; print(p.bundled_data_dir()); print(p.stylesheet().is_file())"],
        capture_output=True, text=True, cwd=elsewhere, env=env,
    )
    data_dir, has_css = probe.stdout.split()
    assert Path(data_dir) == tmp_path / "site" / "reader" / "_data" and has_css == "True"
    dates = subprocess.run([sys.executable, "-m", "reader", "dates"], capture_output=True, text=True, cwd=elsewhere, env=env)
    assert dates.returncode == 0 and dates.stdout == "2024-08-15  8\n2024-08-07  12\n"
