"""What leaves the reader: a paper's links opened in the browser (or shown, where none can open), links and
citations copied (OSC 52 and the system clipboard), citations completed from arXiv, starred papers exported.

A mixin of the app (its actions are the app's to bind): it reaches the highlighted paper, the config, the
System edge (clipboard, browser) and the app's notices, workers and screens."""

from __future__ import annotations

import time
from pathlib import Path

from textual import work

from reader import paths as app_paths
from reader.core.config import Config
from reader.core.model import Paper
from reader.core.remembered import Remembered
from reader.core.session import ReadingSession
from reader.core.words import count
from reader.tui.system import System

LARGE_CITATION_CHARS = 20_000  # a citation of more text than this is built in a worker thread

# The paper's links: what o, p and h open (and show, where no browser can open them), and which y copies next.
LINKS = {
    "arxiv": ("the arXiv page", "arXiv", lambda paper: paper.url),
    "pdf": ("the PDF", "PDF", lambda paper: paper.pdf_url),
    "hf": ("the Hugging Face page", "Hugging Face", lambda paper: paper.hf_url),
}


class Sharing:
    session: ReadingSession
    config: Config
    system: System
    remembered: Remembered
    _last_link: tuple[str, str] | None = None  # (arxiv id, LINKS key) of the link o, p or h last showed
    _last_citation: tuple[str, str] | None = None  # (arXiv id, format) last copied
    _metadata = None  # the metadata store (reader.core.metadata), opened on the first citation
    _fetching: frozenset[str] = frozenset()  # arXiv ids whose metadata a worker is asking arXiv for

    def forget_link(self, paper: Paper | None) -> None:
        """The cursor moved: y copies the arXiv page of a paper whose other links were not shown."""
        if self._last_link is not None and (paper is None or paper.arxiv_id != self._last_link[0]):
            self._last_link = None

    # -- links ----------------------------------------------------------------------------------------
    def _open(self, link: str) -> None:
        paper = self.session.current
        if paper is None:
            return
        what, _, url_of = LINKS[link]
        self._last_link = (paper.arxiv_id, link)
        self._open_in_thread(url_of(paper), what)

    @work(thread=True, group="browser")
    def _open_in_thread(self, url: str, what: str) -> None:
        """Every key that opens a link comes here: the `browser` command of config.json when there is one
        (reader.tui.system.System.run_browser), else the system's browser."""
        browser = self.config.browser
        result = self.system.run_browser(browser, url) if browser else self.system.open_url(url)
        if result.opened:
            self._from_worker(self.notify, f"Opened {what} in the browser", timeout=2)
        else:
            self._from_worker(
                self.notify, f"{result.reason.capitalize()}: {url}  (y copies the link)",
                title="Link", markup=False, timeout=12,
            )

    def action_open_arxiv(self) -> None:
        self._open("arxiv")

    def action_open_pdf(self) -> None:
        self._open("pdf")

    def action_open_hf(self) -> None:
        self._open("hf")

    def copy(self, text: str, what: str) -> None:
        """OSC 52 always (it reaches the user's terminal over SSH), the system clipboard where there is one."""
        self.copy_to_clipboard(text)
        how = ["terminal (OSC 52)"]
        if self.system.copy_system_clipboard(text):
            how.append("system clipboard")
        self.notify(f"Copied {what} to the {' and '.join(how)}", markup=False, timeout=3)

    def action_copy_link(self) -> None:
        """y: the link o, p or h just opened or showed for this paper, else its arXiv page."""
        paper = self.session.current
        if paper is None:
            return
        link = self._last_link[1] if self._last_link and self._last_link[0] == paper.arxiv_id else "arxiv"
        _, name, url_of = LINKS[link]
        url = url_of(paper)
        self.copy(url, f"the {name} link {url}")

    # -- citations ------------------------------------------------------------------------------------
    def action_copy_citation(self) -> None:
        """Copy the best citation known at once; when arXiv's record is missing, ask for it in a worker (one
        request, 10 s at most) and copy again once it is here (reader.sources.citing)."""
        paper = self.session.current
        if paper is None:
            return
        cited = self._known_citation(paper)
        if len(paper.title) + sum(map(len, paper.authors)) > LARGE_CITATION_CHARS:
            self.notify(f"Building the citation of {paper.arxiv_id} (a very long entry)…", timeout=3)
            self._cite_in_thread(paper, cited.citable)
        else:
            self._copy_citation(paper, *self._citation(cited.citable))
        self._after_known(paper, cited)

    def _metadata_store(self):
        from reader.core.metadata import MetadataStore

        if self._metadata is None:
            self._metadata = MetadataStore()
        return self._metadata

    def _known_citation(self, paper: Paper):
        from reader.sources.citing import known

        return known(paper, self._metadata_store())

    def _after_known(self, paper: Paper, cited) -> None:
        if cited.missing:
            if paper.arxiv_id not in self._fetching:  # one request per paper at a time
                self._fetching = self._fetching | {paper.arxiv_id}
                self._fetch_citation(paper)
        elif cited.warning:
            self.notify(cited.warning, title="Citation", severity="warning", markup=False, timeout=8)

    def _citation(self, paper) -> tuple[str, str]:
        from reader.core.cite import format_citation

        fmt = self.config.citation_format
        try:
            return fmt, format_citation(paper, fmt)
        except (KeyError, ValueError):
            return "bibtex", format_citation(paper, "bibtex")

    def _copy_citation(self, paper: Paper, fmt: str, text: str, label: str | None = None) -> None:
        self.copy(text, f"the {label or fmt} citation of {paper.arxiv_id}")
        self._last_citation = (paper.arxiv_id, fmt)

    @work(thread=True, group="cite")
    def _cite_in_thread(self, paper: Paper, cited=None) -> None:
        """A digest with a title of megabytes takes seconds to escape for LaTeX: never on the key press."""
        fmt, text = self._citation(cited if cited is not None else paper)
        self._from_worker(self._copy_citation, paper, fmt, text)

    @work(thread=True, group="arxiv")
    def _fetch_citation(self, paper: Paper) -> None:
        from reader.sources.citing import fetched

        result = fetched(paper, self._metadata, endpoint_setting=self.config.arxiv_api)
        self._from_worker(self._citation_fetched, paper, result)

    def _citation_fetched(self, paper: Paper, result) -> None:
        """arXiv answered (or not): the open chooser shows the new texts; what was just copied of this paper is
        copied again from arXiv's metadata; else the warning."""
        from reader.core.cite import format_citation
        from reader.tui.screens.cite import LABELS, open_chooser

        self._fetching = self._fetching - {paper.arxiv_id}
        chooser = open_chooser(self, paper.arxiv_id)
        if chooser is not None:
            chooser.update_citation(result.citable, result.warning)
        elif result.citable.verified and self._last_citation and self._last_citation[0] == paper.arxiv_id:
            fmt = self._last_citation[1]
            self.copy(format_citation(result.citable, fmt),
                      f"the {LABELS.get(fmt, fmt)} citation of {paper.arxiv_id} with its authors from arXiv")
        if result.warning:
            self.notify(result.warning, title="Citation", severity="warning", markup=False, timeout=8)

    def action_choose_citation(self) -> None:
        paper = self.session.current
        if paper is None:
            return
        from reader.tui.screens.cite import LABELS, choose_citation

        cited = self._known_citation(paper)
        choose_citation(self, cited.citable, self.config.citation_format,
                        "asking arXiv for its metadata…" if cited.missing else cited.warning,
                        lambda fmt, text: self._copy_citation(paper, fmt, text, LABELS.get(fmt, fmt)))
        self._after_known(paper, cited)

    # -- export ---------------------------------------------------------------------------------------
    def ask_export(self, fmt: str) -> None:
        """The palette's export: the dialog with the path (reader.tui.screens.export), the last one by default."""
        from reader.core.exporters import EXTENSIONS
        from reader.tui.screens.export import ask_export, default_path

        if not self.session.starred_papers():
            self.notify("No starred papers to export: s stars the shown paper", severity="warning", timeout=4)
            return
        ending = next((e for e, f in EXTENSIONS.items() if f == fmt), f".{fmt}")
        remembered = self.remembered
        path = default_path(ending, remembered.get("export_folder"), remembered.get("export_name"))
        what = {"bibtex": "BibTeX", "markdown": "Markdown"}.get(fmt, fmt)
        ask_export(self, what, path, lambda target: self.export_starred_to(fmt, target))

    def export_starred_to(self, fmt: str, target: Path) -> Path | None:
        """Every starred paper as fmt to target (replaced whole); the folder and name are remembered."""
        from reader.core.atomic import write_text_atomic
        from reader.core.exporters import export_papers

        papers = self.session.starred_papers()
        try:
            write_text_atomic(target, export_papers(papers, fmt, self._metadata_store(), self.session.state.notes()))
        except OSError as exc:
            self.notify(f"Could not write {target}: {exc.strerror or exc}", severity="error", markup=False, timeout=10)
            return None
        self.remembered.remember(export_folder=str(target.parent), export_name=target.name)
        self._exported(papers, fmt, target)
        return target

    def export_starred(self, fmt: str, folder: Path | None = None) -> Path | None:
        """Write every starred paper as fmt (bibtex, markdown, ...) to a new file; returns where."""
        from reader.core.atomic import write_text_atomic
        from reader.core.exporters import EXTENSIONS, export_papers

        papers = self.session.starred_papers()
        if not papers:
            self.notify("No starred papers to export: s stars the shown paper", severity="warning", timeout=4)
            return None
        ending = next((e for e, f in EXTENSIONS.items() if f == fmt), f".{fmt}")
        stamp = time.strftime("%Y-%m-%d")
        candidates = [folder] if folder else [Path.cwd(), app_paths.data_dir() / "exports"]
        for place in candidates:
            target = place / f"starred-{stamp}{ending}"
            n = 2
            while target.exists():
                target = place / f"starred-{stamp}-{n}{ending}"
                n += 1
            try:
                write_text_atomic(target, export_papers(papers, fmt, self._metadata_store(), self.session.state.notes()))
            except OSError:
                continue
            self._exported(papers, fmt, target)
            return target
        self.notify("Could not write the export anywhere (is the disk full or read-only?)", severity="error")
        return None

    def _exported(self, papers: list[Paper], fmt: str, target: Path) -> None:
        self.notify(f"Exported {count(len(papers), 'starred paper')} to {target}", markup=False, timeout=10)
        if fmt != "json":
            from reader.core.cite import from_store

            unverified = sum(not c.verified for c in from_store(papers, self._metadata_store()))
            if unverified:
                self.notify(f"{unverified} of {count(len(papers), 'entry', 'entries')} are unverified (author order from the "
                            "archive): run `daily-papers enrich --starred`", severity="warning",
                            markup=False, timeout=10)
