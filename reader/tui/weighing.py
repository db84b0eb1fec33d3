"""Similar papers made ready after the first screen: once the library backed by its index is the reader's (the
index worker handed it over, or the reader was given one), a worker thread brings the index's similarity
tables up to date (reader.core.finding.refresh_similar: at ten times the archive, weighing every paper the
first time takes about a minute), its progress in the days' bottom line as `indexing N/M` was ("similar terms
31%" while the terms of every paper are counted, then "similar papers 31%" as they are weighed: a share, as
"similar papers 10257/32720" is wider than the days' pane). Then, in the same worker, the best papers of each
heavy word are weighed for search (reader.core.finding.tiers: "search lists 31%"; about 20 s at ten times the
archive, after any change of papers; search gives the same pages meanwhile, only slower). Nothing waits for it: meanwhile `m` and For you say in one notice that similar papers
are being prepared, and work once it is done (their own refresh then finds nothing to do).

While the user presses keys (clicks, scrolls) it waits, between two transactions, and goes on half a second
after the last one: its Python would share the interpreter with every key (the cursor's p95 in tmux at 10x
went from 68 to 157 ms while it ran). Quitting stops it at its next step (what it committed stays; the next
refresh, the reader's or `daily-papers similar`'s, finishes the work). A day that lands (a sync, a reload)
weighs just the papers that changed, in the same worker.

A mixin of the app, beside the loader (reader.tui.loader)."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import work

from reader.core.library import Library
from reader.core.session import ReadingSession
from reader.tui.view import View

QUIET = 0.5  # seconds without a key (or a click, or a scroll) before the worker goes on


class _Stopped(Exception):
    """The reader closes: the worker stops where it is."""


class Weighing:
    session: ReadingSession
    view: View
    index_factory: Callable[[], Library] | None

    _weighing: str | None = None  # how far the worker is, in words (None: it does not run)
    _weighing_library: Library | None = None  # the library the worker weighs in (closed by it once swapped)
    _weigh_again = False  # the library changed while the worker ran: once more after it
    _similar_ready = False  # the worker weighed similar papers (and goes on with the search lists)
    _index_taken = False

    def weigh_similar(self) -> None:
        """Start the worker (once the next frame is drawn), for a library backed by its index (nothing to weigh
        in memory); when it runs already, once more after it (papers landed meanwhile)."""
        library = self.session.library
        if not getattr(library, "indexed", False):
            return
        if self._weighing is not None:
            self._weigh_again = True
            return
        self._weighing = "starting"
        self._similar_ready = False
        self._weighing_library = library
        # after the next frame: the screen the news changed (the day list, thousands of rows) is drawn first
        self.call_after_refresh(self._weigh, library)

    def similar_not_ready(self) -> str | None:
        """What `m` and For you say instead of opening while similar papers are not ready (None: they open)."""
        if self._weighing is not None and not self._similar_ready:
            return (f"Similar papers are being prepared ({self._weighing}): m and For you work once that is "
                    "done")
        if self.index_factory is not None and not self._index_taken:
            return ("Similar papers need the library's index, which is still being read: m and For you work "
                    "once it is ready")
        return None

    @work(thread=True, exclusive=True, group="similar", exit_on_error=False)
    def _weigh(self, library: Library) -> None:
        from reader.core import finding

        cancel = self.updates.cancel

        def progress(stage: str, done: int, total: int) -> None:
            # Between two transactions: here the worker waits while the user moves (it would share the
            # interpreter with every key), and stops when the reader closes (what is committed stays, the next
            # refresh finishes it).
            while not cancel.is_set() and self.user_active():
                cancel.wait(QUIET / 5)
            if cancel.is_set():
                raise _Stopped
            share = f"{100 * done // total}%" if total else "0%"
            if stage == "tiers":
                self._from_worker(self._weighing_progress, f"search lists {share}",
                                  f"{done}/{total} heavy words' best papers weighed")
            elif stage == "weighing":
                self._from_worker(self._weighing_progress, f"similar papers {share}", f"{done}/{total} papers weighed")
            else:
                self._from_worker(self._weighing_progress, f"similar terms {share}",
                                  f"terms counted in {done}/{total} papers")

        from reader.tui.updates import one_line

        try:
            finding.refresh_similar(library, progress, self.user_active)
        except _Stopped:
            return
        except Exception as exc:  # noqa: BLE001 - said once; m and For you then try on their own
            self._from_worker(self._weighed, library, f"Similar papers could not be prepared: {one_line(exc)}")
            return
        self._from_worker(self._similar_weighed)
        try:
            finding.refresh_tiers(library, progress, self.user_active)  # (then the heavy words' best papers)
        except _Stopped:
            return
        except Exception as exc:  # noqa: BLE001 - said once; search weighs every paper instead (the same pages)
            self._from_worker(self._weighed, library, f"The search lists could not be weighed ({one_line(exc)}): "
                                                      "search gives the same results, only slower")
            return
        self._from_worker(self._weighed, library, None)

    _last_input = float("-inf")  # when the user last pressed a key, clicked or scrolled (input_clock's time)

    def input_clock(self) -> float:
        return time.monotonic()

    def user_active(self) -> bool:
        """A key, a click or a scroll in the last QUIET seconds (any thread may ask)."""
        return self.input_clock() - self._last_input < QUIET

    async def on_event(self, event) -> None:
        from textual import events

        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)):
            self._last_input = self.input_clock()
        await super().on_event(event)

    def _similar_weighed(self) -> None:
        if self._weighing is not None:
            self._similar_ready = True  # m and For you open while the search lists are weighed

    def _weighing_progress(self, status: str, words: str) -> None:
        if self._weighing is not None:
            self._weighing = words
            self.view.set_status(status)

    def _weighed(self, library: Library, problem: str | None) -> None:
        self._weighing = None
        self._weighing_library = None
        self.view.set_status(self.updates.status)
        if library is not self.session.library:
            library.close()  # swapped meanwhile (a reload): its connections were left to the worker
        if problem is not None:
            self.notify(problem, severity="warning", markup=False, timeout=8)
        if self._weigh_again:
            self._weigh_again = False
            self.weigh_similar()

    def retire_library(self, library: Library) -> None:
        """A library the reader no longer shows is closed, unless the worker still weighs in it (it closes
        it when it is done)."""
        if library is not self._weighing_library:
            library.close()
