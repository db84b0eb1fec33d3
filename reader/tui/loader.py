"""The library behind the first screen: the newest day is shown from its own file, then a worker brings the
library's index up to date (reader.core.index: it reads only the digests that changed, or every one when the
index is new, with its progress in the days' bottom line) and the library backed by it takes the first
screen's place; the marks settled under the lock, the library read again (R) or after an in-app sync, and
the digest warnings said once everything is read. Search asks the index (SQL): nothing to build in memory.
Without the index (a library given to make_app as it is, as the tests do, or an index that cannot be used)
the rest of the archive is read into memory in the worker instead.

A mixin of the app. Work done in a worker thread comes back through _from_worker: the call is queued in the
app's own message loop, never run straight from the thread (App.call_from_thread runs it on the event loop
whatever the app is doing, even while it takes its screens apart on the way out). The app passes news on to
its screens the same way, each in its own loop (_library_changed): a screen that was just pushed is built
(composed and mounted) before the call runs, and one that is closing or gone drops it."""

from __future__ import annotations

from collections.abc import Callable

from textual import work

from reader.core.config import Config
from reader.core.library import Library
from reader.core.session import Change, ReadingSession
from reader.core.words import count
from reader.tui.view import View


class _Quitting(Exception):
    """The reader closes while its worker brings the index up to date: the worker stops there."""


class Loading:
    session: ReadingSession
    view: View
    config: Config
    where: str
    library_factory: Callable[[], Library] | None
    index_factory: Callable[[], Library] | None
    on_first_screen: Callable[[], None] | None
    on_library_loaded: Callable[[], None] | None

    apply: Callable[[Change], None]  # the app's: a session's Change onto the widgets
    weigh_similar: Callable[[], None]  # reader.tui.weighing
    retire_library: Callable[[Library], None]

    _index_taken = False  # the library backed by the index took the first screen's place

    def still_loading(self) -> bool:
        """The rest of the library is still being read, or its index brought up to date (what lands meanwhile
        waits for it: the worker may have looked at the files before it landed)."""
        return bool(self.session.library.pending) or (self.index_factory is not None and not self._index_taken)

    def _first_screen_shown(self) -> None:
        if self.on_first_screen is not None:
            self.on_first_screen()
        self._settle_state()
        self._open_known()
        self.updates.after_first_screen()
        if self.session.library.pending or self.index_factory is not None:
            # Read the rest once the first screen is up: a worker thread started earlier would share the
            # interpreter with the first paint and slow it down.
            self.set_timer(0.05, self._load_rest)
        else:
            self.offer_catch_up()  # the whole library is read already (reader.tui.catching_up)
            self.weigh_similar()  # similar papers, when it is the library backed by its index (reader.tui.weighing)

    def _from_worker(self, callback: Callable[..., object], *args: object, **kwargs: object) -> None:
        """From a worker thread: run callback(*args, **kwargs) in the app's message loop, after what is queued
        there already; never once the reader is closing (then the call is dropped). Thread-safe; never waits."""
        self.call_later(callback, *args, **kwargs)

    @work(thread=True, exclusive=True, group="state")
    def _settle_state(self) -> None:
        """The state store's locked load, when the first screen was drawn from its lock-free read
        (StateStore settle_later): marks another process wrote in between are redrawn."""
        state = self.session.state
        changed = state.settle()
        if changed or state.notices:
            self._from_worker(self._redraw_marks)

    def _redraw_marks(self) -> None:
        self.apply(self.session.marks_changed())

    def _report_warnings(self) -> None:
        warnings = self.session.library.warnings
        if warnings:
            self.notify(f"{count(len(warnings), 'digest warning')}; first: {warnings[0]}", severity="warning",
                        markup=False, timeout=8)

    def _show_empty(self) -> None:
        from reader.tui.screens.empty import show_empty  # screens load when first used: a faster first screen

        show_empty(self, self.where)

    def _set_loading_title(self, done: int, total: int) -> None:
        self.view.set_status(f"loading {done}/{total}")

    # -- the rest of the archive ----------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="load")
    def _load_rest(self) -> None:
        if self.index_factory is not None:
            self._open_index()
            return
        parsed = self.session.library.parse_pending(
            lambda done, total: self._from_worker(self._set_loading_title, done, total) if done % 25 == 0 else None
        )
        self._from_worker(self._merge_loaded, parsed)

    def _open_index(self) -> None:
        """In the loading worker: the library backed by its index, brought up to date (each file's identity
        checked, the changed ones read; every one when the index is new), then handed to the reader."""
        assert self.index_factory is not None
        cancel = self.updates.cancel

        def progress(done: int, total: int) -> None:
            if cancel.is_set():
                raise _Quitting  # the reader is closing: what is committed stays, the rest waits for next time
            if done % 25 == 0 or done == total:
                self._from_worker(self.view.set_status, f"indexing {done}/{total}")

        library = self.index_factory()
        said = len(library.notices)  # (the index rebuilt, or not usable here: said now, not after the build)
        for notice in library.notices:
            self._from_worker(self.notify, notice, severity="warning", markup=False, timeout=10)
        try:
            library.load_rest(progress)
            if not getattr(library, "indexed", False):
                library.search_index()  # no index to ask (it cannot be used here): search in memory, as before
        except _Quitting:
            library.close()
            return
        self._from_worker(self._index_ready, library, said)

    def _index_ready(self, library: Library, said: int = 0) -> None:
        self.view.set_status("")
        self._index_taken = True
        first = self.session.library
        change = self.session.library_opened(library)
        if first is not library:
            first.close()
        for notice in library.notices[said:]:
            self.notify(notice, severity="warning", markup=False, timeout=10)
        if change.empty:
            self.apply(change)
            return
        # An open search covers the whole archive first; the day list (thousands of rows: 0.1-0.2 s at ten
        # times the archive) is drawn right after, from the app's queue; similar papers are weighed after that
        # (reader.tui.weighing: its worker starts once the screen is drawn).
        self._library_changed()
        self.call_later(self._opened_drawn, change)

    def _opened_drawn(self, change) -> None:
        self.apply(change)
        self._report_warnings()
        self.updates.library_loaded()

    def _merge_loaded(self, parsed) -> None:
        self.view.set_status("")
        change = self.session.library_grew(parsed)
        self.apply(change)
        if change.empty:
            return
        self._report_warnings()
        self.updates.library_loaded()
        self._library_changed()

    def _library_changed(self) -> None:
        """The library is read (whole, again, or with a sync's new days): let the process settle its memory,
        tell an open search that there is more to search, and weigh what changed for similar papers."""
        if self.on_library_loaded is not None:
            self.on_library_loaded()
        self.offer_catch_up()  # once, after a first sync (reader.tui.catching_up)
        self.weigh_similar()
        for screen in self.screen_stack:
            changed = getattr(screen, "library_changed", None)
            if changed is not None:
                screen.call_later(changed)  # in the screen's own loop: once it is built, never once it is gone

    def _search_status(self) -> str:
        pending = self.session.library.pending
        return f"still reading the archive ({count(pending, 'file')} left): results grow" if pending else ""

    # -- reading it again -----------------------------------------------------------------------------
    def action_reload(self) -> None:
        """R: pick up marks other processes wrote, and digests added or changed on disk."""
        self.apply(self.session.reload_marks())
        if self.library_factory is None:
            self.notify("Reading state reloaded", timeout=2)
            return
        self.view.set_status("reloading…")
        self._reload_library()

    @work(thread=True, exclusive=True, group="load")
    def _reload_library(self) -> None:
        assert self.library_factory is not None
        library = self.library_factory()
        library.merge(library.parse_pending())
        self._from_worker(self._swap_library, library)

    def _swap_library(self, library: Library) -> None:
        self.view.set_status("")
        before = self.session.library
        change = self.session.swap_library(library)
        if before is not library:
            self.retire_library(before)  # (reader.tui.weighing: not while its worker weighs in it)
        self.apply(change)
        self.show_status()
        if not change.empty:
            self._library_changed()

    def action_sync(self) -> None:
        """Palette "Sync archive": fetch the upstream archive in a worker, then show the new days."""
        if any(w.group == "sync" and w.is_running for w in self.workers):
            self.notify("A sync is already running", timeout=3)
            return
        self.view.set_status("sync: starting…")
        self._sync_archive()

    @work(thread=True, exclusive=True, group="sync")
    def _sync_archive(self) -> None:
        from reader.sources.archive import DEFAULT_SOURCE, sync

        source = self.config.sync_source or DEFAULT_SOURCE

        def progress(phase: str, fraction: float | None) -> None:
            text = f"sync: {phase}" + (f" {fraction:.0%}" if fraction is not None else "…")
            self._from_worker(self.view.set_status, text)

        try:
            result = sync(source, progress=progress)
        except Exception as exc:  # noqa: BLE001 - SyncError and anything else: one line, the reader goes on
            self._from_worker(self._sync_failed, str(exc) or exc.__class__.__name__)
            return
        self._from_worker(self._synced, result.summary())

    def _sync_failed(self, reason: str) -> None:
        self.view.set_status("")
        self.notify(f"Sync failed: {reason}", severity="error", markup=False, timeout=12)

    def _synced(self, summary: str) -> None:
        self.view.set_status("")
        self.notify(f"Synced: {summary}", markup=False, timeout=10)
        if self.library_factory is not None:
            self._reload_library()
