"""Bringing the library up to date while the reader runs, never making the user wait.

- Hugging Face days: after the first screen, when `auto_sync` is on and the library's newest day is older
  than today (UTC), the days since are fetched in a worker (reader.sources.hf_sync, the same sync as
  `daily-papers sync --hf-only`). Progress shows in the sidebar's bottom line, each day appears as it lands
  (newest first), one notice at the end ("3 new days, 41 papers"). Offline or failing: one quiet line
  ("offline; last synced 2026-12-01 08:14") where the progress was, never a dialog. `S` syncs now.
- Korean summaries: `K` summarises the shown paper (or, from the day list, the whole day) with the user's
  model (reader.sources.summarize) in a worker; the pane shows the Korean sections as each paper lands.
  `summarizer.auto_summarize` summarises the new days right after a sync.

Only the user's own library is synced or summarised (`library_path`): a reader opened on other folders
(`daily-papers PATH`) never writes into them. Updates talks to the app through `Host`; `Updating` is the app's
side of it (a mixin, as the loader and the sharing are).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from textual import work

from reader.core.freshness import age, behind, local_time, today_utc
from reader.core.session import STARRED, ReadingSession
from reader.core.words import count

if TYPE_CHECKING:
    from reader.core.config import Config
    from reader.core.library import Library
    from reader.core.parse import ParsedFile


class Host(Protocol):
    """What Updates needs of the app."""

    library: "Library"
    config: "Config"
    config_path: Path

    def from_worker(self, callback: Callable[..., object], *args: object) -> None: ...
    def notify(self, message: str, *, severity: str = ..., timeout: float | None = ..., markup: bool = ...) -> None: ...
    def show_status(self) -> None: ...
    def files_changed(self, parsed_files: list["ParsedFile"]) -> None: ...
    def still_loading(self) -> bool: ...
    def updates_done(self, metadata_changed: bool) -> None: ...
    def reload_library(self) -> None: ...
    def showing_own_library(self) -> bool: ...
    def summary_target(self) -> tuple[str, list[str]] | None: ...
    def run_in_thread(self, work: Callable[[], None], group: str) -> None: ...


def one_line(exc: BaseException) -> str:
    from reader.core.sanitize import visible_line

    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return visible_line(text)[:200]


class Updates:
    def __init__(self, host: Host, library_path: Path | None, *, today: Callable[[], str] = today_utc) -> None:
        self.host = host
        self.library_path = library_path  # the user's library (None: the reader shows folders it was given)
        self.today = today
        self.cancel = threading.Event()  # set when the reader quits: workers stop at their next step
        self.syncing = False
        self._auto = False  # the running sync was started by the reader itself (then it says less)
        self.summarizing = False
        self.status = ""  # the quiet line: progress, or what the last sync could not do
        self._waiting: list["ParsedFile"] = []  # days that landed while the rest of the library was read
        self._reload_after = False  # the reader showed the sample days: it reads the library when done

    # -- what the sidebar says ----------------------------------------------------------------------------
    def freshness(self) -> str:
        """"up to today", "up to yesterday", "572 days behind" (its newest day is that old; "" for an empty
        library)."""
        dates = self.host.library.dates()
        if not dates:
            return ""
        words = age(dates[0], self.today())
        return words.replace(" old", " behind") if words.endswith(" old") else f"up to {words}"

    def _set_status(self, text: str) -> None:
        self.status = text
        self.host.show_status()

    # -- syncing ------------------------------------------------------------------------------------------
    def after_first_screen(self) -> None:
        """Start the automatic sync, if it is on and the library is behind today."""
        if self.library_path is None or not self.host.config.auto_sync:
            return
        dates = self.host.library.dates() if self.host.showing_own_library() else []
        if behind(dates[0] if dates else None, self.today()):
            self.sync(auto=True)

    def sync(self, *, auto: bool = False) -> None:
        if self.library_path is None:
            self.host.notify("S syncs your own library; this reader shows the folders it was given",
                             timeout=6, markup=False)
            return
        if self.syncing:
            if not auto:
                self.host.notify("A sync is already running", timeout=3)
            return
        self.syncing = True
        self._auto = auto
        self._set_status("sync: starting…")
        self.host.run_in_thread(self._sync, "hf-sync")

    def _sync(self) -> None:
        """In a worker thread."""
        from reader.core.parse import read_file
        from reader.sources.hf_sync import open_hub, sync_hf

        config = self.host.config
        http = None
        try:
            http = open_hub(endpoint_setting=config.hf_endpoint, per_5min=config.hf_requests_per_5min,
                            cancel=self.cancel)
            result = sync_hf(
                library=self.library_path, http=http, today=self.today(), cancel=self.cancel,
                progress=lambda p: self.host.from_worker(self._progress, p.days_done, p.days_total),
                landed=lambda date, path: self.host.from_worker(self._landed, read_file(str(path))))
        except Exception as exc:  # noqa: BLE001 - a locked library, a full disk, anything: one quiet line
            self.host.from_worker(self._finished, None, one_line(exc))
            return
        finally:
            if http is not None:
                http.close()
        failed = None
        if result.offline or (result.failed and not result.new_days and not result.updated_days):
            failed = f"offline; last synced {self._last_synced()}" if result.offline else (
                f"sync: {count(len(result.failed), 'day')} failed (the next sync tries again)")
        self.host.from_worker(self._finished, result, failed)

    def _last_synced(self) -> str:
        """When a day was last fetched from the Hub (the metadata store's newest stamp), as local time."""
        from reader.core.metadata import MetadataStore

        try:
            with MetadataStore(readonly=True) as store:
                stamps = [record.fetched for record in store.days().values()]
        except Exception:  # noqa: BLE001 - no store yet, or one that cannot be read
            stamps = []
        return local_time(max(stamps)) if stamps else "never"

    def _progress(self, done: int, total: int) -> None:
        if self.syncing and total:
            self._set_status(f"sync: {done}/{count(total, 'day')}")

    def _landed(self, parsed: "ParsedFile") -> None:
        if not self.host.showing_own_library():
            # The reader shows the sample days (the library was empty): it reads the library itself at once,
            # and again when the sync is done.
            if not self._reload_after:
                self._reload_after = True
                self.host.reload_library()
            return
        if self.host.still_loading():
            self._waiting.append(parsed)  # the loading worker is reading the library: after it
            return
        self.host.files_changed([parsed])

    def library_loaded(self) -> None:
        """The reader has read the whole library: days that landed meanwhile are taken in now."""
        waiting, self._waiting = self._waiting, []
        if waiting and not self.host.still_loading():
            self.host.files_changed(waiting)

    def _finished(self, result, failed: str | None) -> None:
        self.syncing = False
        auto = self._auto
        self._set_status(failed or "")
        self.host.updates_done(metadata_changed=result is not None)
        if self._reload_after:
            self._reload_after = False
            self.host.reload_library()
        if result is None or failed:
            if not auto and failed:
                self.host.notify(f"Sync: {failed}", severity="warning", timeout=8, markup=False)
            return
        new_days, papers = len(result.new_days), result.new_papers
        if new_days or papers:
            self.host.notify(f"{count(new_days, 'new day')}, {count(papers, 'paper')}", timeout=8)
        elif not auto:
            self.host.notify("Up to date: no new papers", timeout=4)
        if result.new_days and not self.cancel.is_set():
            self._auto_summarize(result.new_days)

    # -- summaries ----------------------------------------------------------------------------------------
    def _settings(self):
        from reader.core.summarizer_config import read_summarizer_setting

        return read_summarizer_setting(self.host.config_path)

    def _auto_summarize(self, dates: list[str]) -> None:
        settings, _ = self._settings()
        if settings.auto_summarize and settings.model:
            self._summarize(settings, dates=dates, ids=[], auto=True)

    def summarize(self) -> None:
        """K: the shown paper, or the whole day when the day list has the focus."""
        if self.library_path is None:
            self.host.notify("K summarises papers of your own library; this reader shows the folders it was "
                             "given", timeout=6, markup=False)
            return
        if self.summarizing:
            self.host.notify("Summaries are being written already", timeout=3)
            return
        target = self.host.summary_target()
        if target is None:
            self.host.notify("No paper to summarise here", timeout=3)
            return
        kind, keys = target
        settings, problems = self._settings()
        if not settings.model:
            self.host.notify("To write Korean summaries, set summarizer.model in config.json "
                             "(README: Korean summaries from your own model)", severity="warning", timeout=10,
                             markup=False)
            return
        self._summarize(settings, dates=keys if kind == "day" else [], ids=keys if kind == "paper" else [],
                        auto=False)

    def _summarize(self, settings, *, dates: list[str], ids: list[str], auto: bool) -> None:
        self.summarizing = True
        self._set_status("summaries: starting…")
        self.host.run_in_thread(lambda: self._summarize_in_thread(settings, dates, ids, auto), "summarize")

    def _summarize_in_thread(self, settings, dates: list[str], ids: list[str], auto: bool) -> None:
        from reader.core.parse import read_file
        from reader.sources import summarize as engine

        try:
            targets = []
            already = 0
            if ids:
                selection = engine.select(self.library_path, ids=ids)
                targets, already = selection.targets, selection.already
            for date in dates:
                selection = engine.select(self.library_path, date=date)
                targets += selection.targets
                already += selection.already
            if not targets:
                message = ("it has its Korean summary already" if already else
                           "only papers of the Hugging Face days can be summarised")
                self.host.from_worker(self._summarized, None, message, auto)
                return

            def progress(state) -> None:
                if state.last is not None and state.last.ok:
                    for name in next((t.files for t in targets if t.arxiv_id == state.last.arxiv_id), ()):
                        self.host.from_worker(self._landed, read_file(name))
                self.host.from_worker(self._set_status, f"summaries: {state.done + state.failed}/{state.total}")

            result = engine.summarize(targets, settings, library=self.library_path, progress=progress,
                                      cancel=self.cancel)
        except Exception as exc:  # noqa: BLE001 - a setup error (one line), a library in use: one line
            self.host.from_worker(self._summarized, None, one_line(exc), auto)
            return
        self.host.from_worker(self._summarized, result, None, auto)

    def _summarized(self, result, problem: str | None, auto: bool) -> None:
        self.summarizing = False
        self._set_status("")
        self.host.updates_done(metadata_changed=False)
        if result is None:
            if not auto:
                self.host.notify(f"Summaries: {problem}", severity="warning", timeout=8, markup=False)
            return
        failed = bool(result.failed or result.fatal)
        text = result.summary()
        if result.failed and not result.fatal:
            text += f"; first failure {result.failed[0]}"
        self.host.notify(f"Summaries: {text}", severity="warning" if failed else "information", timeout=10,
                         markup=False)


class Updating:
    """The app's side of Updates: where its news go on screen, and the keys S, K and l."""

    session: ReadingSession
    updates: Updates
    sync_library: Path | None

    def exit(self, *args, **kwargs) -> None:
        self.updates.cancel.set()  # a sync or summaries in flight stop at their next step
        super().exit(*args, **kwargs)

    def from_worker(self, callback: Callable[..., object], *args: object) -> None:
        self._from_worker(callback, *args)

    def run_in_thread(self, work: Callable[[], None], group: str) -> None:
        self.run_worker(work, thread=True, group=group, exit_on_error=False)

    # -- how fresh, on screen --------------------------------------------------------------------------
    def _sidebar_shown(self) -> bool:
        screen = self.screen_stack[0] if self.screen_stack else None
        return self.width_class(self.size.width) == "-wide" or (screen is not None and screen.has_class("-show-days"))

    def list_note(self) -> str:
        """What the paper list adds to its bottom line while the days are folded away."""
        if self._sidebar_shown():
            return ""
        return self.updates.status or self.updates.freshness()

    def show_status(self) -> None:
        if self.view.days.is_attached:
            self.view.show_freshness(self.updates.freshness(), self.updates.status)

    def on_resize(self) -> None:
        self.call_after_refresh(self.show_status)  # the days may have folded away, or come back

    # -- what landed -----------------------------------------------------------------------------------
    def files_changed(self, parsed_files: list) -> None:
        self.apply(self.session.files_changed(parsed_files))
        self.show_status()

    def updates_done(self, metadata_changed: bool) -> None:
        """A sync or a summarising run ended: an open search covers what landed; after a sync, the pane
        shows what the Hub now knows."""
        detail = self.view.detail
        if metadata_changed:
            detail.known_version += 1
            if detail.lookup is None:
                self._open_known()  # the first sync has just made the store
            elif detail.paper is not None:
                self.view.draw_detail(detail.paper, reset=False)
        self._library_changed()

    @work(thread=True, group="metadata")
    def _open_known(self) -> None:
        """The metadata store (what the Hub knows of each paper), opened read-only off the first screen's way
        and only once a sync has made it (showing a paper never writes); the pane shows it from then on."""
        from reader.core.metadata import MetadataStore, default_path

        try:
            store = MetadataStore(readonly=True) if default_path().is_file() else None
        except Exception:  # noqa: BLE001 - a store that cannot be read: the digests alone
            store = None
        if store is not None:
            self._from_worker(self._known_ready, store)

    def _known_ready(self, store) -> None:
        detail = self.view.detail
        detail.lookup = store.paper
        detail.known_version += 1
        if detail.paper is not None:
            self.view.draw_detail(detail.paper, reset=False)

    def reload_library(self) -> None:
        if self.library_factory is not None:
            self._reload_library()

    def showing_own_library(self) -> bool:
        if self.sync_library is None:
            return False
        own = str(self.sync_library)
        return any(root == own for root in getattr(self.session.library, "roots", ()))

    def summary_target(self) -> tuple[str, list[str]] | None:
        """What K summarises: the day, when the day list has the focus; else the shown paper."""
        key = self.session.key
        if self.focused is self.view.days and key not in (None, STARRED):
            return "day", [key]
        paper = self.session.current
        return ("paper", [paper.arxiv_id]) if paper is not None else None

    # -- keys -------------------------------------------------------------------------------------------
    def action_sync_now(self) -> None:
        self.updates.sync()

    def action_summarize(self) -> None:
        self.updates.summarize()

    def action_links(self) -> None:
        from reader.tui.screens.links import open_links

        paper = self.session.current
        if paper is not None:
            known = self.view.detail.lookup(paper.arxiv_id) if self.view.detail.lookup else None
            open_links(self, paper, known)
