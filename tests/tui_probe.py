"""The reader as `daily-papers PATH ...` opens it, run headless in its own process (so a test can measure its
memory and time), pressing the given keys; prints what it showed as one JSON object.

    python tests/tui_probe.py --keys "j a" PATH ...
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


async def probe(paths: list[str], keys: list[str]) -> dict:
    from rich.console import Console
    from textual.app import App

    from reader.core.opening import open_library
    from reader.core.config import Config
    from reader.core.state import StateStore
    from reader.tui.app import make_app
    from reader.tui.widgets.detail import PaperDetail
    from tui_support import FakeSystem

    notified: list[str] = []
    original = App.notify

    def notify(app, message, **kw):
        notified.append(str(message))
        return original(app, message, **kw)

    App.notify = notify  # type: ignore[method-assign]
    start = time.monotonic()
    library = open_library(paths, load=False)
    library.load_newest()
    app = make_app(library, StateStore.in_memory(), system=FakeSystem(), config=Config(read_delay=60))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        first_screen = time.monotonic() - start
        await app.workers.wait_for_complete()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        detail = app.query_one(PaperDetail)
        out = io.StringIO()
        Console(file=out, width=150, color_system=None, force_terminal=False).print(detail.renderable)
        result = {
            "first_screen": first_screen,
            "total": time.monotonic() - start,
            "dates": len(app.library.dates()),
            "current": app.current_key,
            "shown": detail.paper.arxiv_id if detail.paper else None,
            "detail": out.getvalue(),
            "notifications": notified,
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", default="")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    result = asyncio.run(probe(args.paths, args.keys.split()))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
