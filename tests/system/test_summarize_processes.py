"""Summaries in real processes: a run killed with kill -9, the key in no traceback of the real command (the rest: tests/unit/test_summarize.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from test_summarize import (  # noqa: F401 - its fixtures and helpers
    DAYS,
    EVERY,
    KEY,
    ModelServer,
    REPO,
    SUMMARY_SECTIONS,
    all_papers,
    digest_path,
    engine,
    library,
    main,
    read_file,
    run,
    summarized,
    use,
)


def test_a_killed_run_loses_only_the_papers_in_flight_and_the_next_does_only_the_rest(library, capsys):
    script = textwrap.dedent("""
        import sys
        from reader.sources.summarize import run as engine
        from reader.cli import main
        real = engine.write_summary
        def written(*a, **k):
            real(*a, **k)
            print("WROTE", flush=True)
        engine.write_summary = written
        raise SystemExit(main(["summarize"]))
    """)
    with ModelServer() as server:
        use(server, concurrency=2)
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=REPO, text=True,
                                env=dict(os.environ))
        written = 0
        for line in proc.stdout:
            if line.startswith("WROTE"):
                written += 1
                if written == 3:
                    os.kill(proc.pid, signal.SIGKILL)
                    break
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        # a write killed between its two steps may leave its temporary; the next run's writes remove it
        for day in DAYS:
            assert not read_file(digest_path(library, day)).warnings
        done = summarized(library)
        assert 3 <= len(done) < len(EVERY)
        for arxiv_id in done:  # whole: the three sections, never one or two
            assert [s.name for s in all_papers(library)[arxiv_id].sections[:3]] == list(SUMMARY_SECTIONS)
        before = len(server.requests)
        code, out, _ = run(capsys)
        assert code == 0 and out.startswith(f"{len(EVERY) - len(done)} papers summarized")
        assert len(server.requests) - before == len(EVERY) - len(done)
    assert summarized(library) == set(EVERY)
    assert not [p for p in library.rglob("*") if p.name.endswith(".tmp")]


def test_the_key_is_in_no_traceback_even_with_debug(library, user_dirs):
    env = dict(os.environ, OPENAI_API_KEY=KEY, DAILY_PAPERS_DEBUG="1")
    with ModelServer(key="sk-the-right-one-000000") as server:
        use(server)
        for argv in (["summarize"], ["summarize", "--dry-run"]):
            done = subprocess.run([sys.executable, "-m", "reader", *argv], capture_output=True, text=True,
                                  env=env, cwd=REPO, timeout=60)
            assert KEY not in done.stdout + done.stderr and KEY[-10:] not in done.stdout + done.stderr
        assert done.returncode == 0  # the dry run
    env["OPENAI_API_KEY"] = KEY + "\n" + "é"  # a key no header can carry: refused, never shown
    done = subprocess.run([sys.executable, "-m", "reader", "summarize"], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=60)
    assert done.returncode == 1 and KEY not in done.stdout + done.stderr
    assert "the key in OPENAI_API_KEY holds spaces, line breaks or non-ASCII" in done.stderr
