"""The reader's keys: the main screen's bindings (each with the id a keymap in config.json names; the core
keeps the same list in reader.core.config.BINDINGS, and a test holds the two together), how a key is named
to the user, and the rows of the help screen."""

from __future__ import annotations

from textual.binding import Binding

BINDINGS = [
    Binding("q", "quit", "Quit", id="quit", tooltip="Quit the reader"),
    Binding("question_mark", "help", "Help", id="help", tooltip="Show every key"),
    Binding("slash", "search", "Search", id="search", tooltip="Search every day: titles, authors, summaries"),
    Binding("left_square_bracket", "older_day", "Older day", show=False, id="older_day", tooltip="Step to the older day"),
    Binding("right_square_bracket", "newer_day", "Newer day", show=False, id="newer_day", tooltip="Step to the newer day"),
    Binding("s", "toggle_star", "Star", id="star", tooltip="Star or unstar the shown paper"),
    Binding("r", "toggle_read", "Read", show=False, id="read", tooltip="Mark the shown paper read or unread"),
    Binding("o", "open_arxiv", "arXiv", show=False, id="open_arxiv", tooltip="Open the arXiv page in the browser"),
    Binding("p", "open_pdf", "PDF", show=False, id="open_pdf", tooltip="Open the PDF in the browser"),
    Binding("c", "copy_citation", "Cite", id="copy_citation", tooltip="Copy the citation (BibTeX unless configured)"),
    Binding("C", "choose_citation", "Cite as…", show=False, id="choose_citation",
            tooltip="Choose a citation format (BibTeX, APA, Markdown, arXiv, RIS) with a preview, and copy"),
    Binding("h", "open_hf", "HF page", show=False, id="open_hf", tooltip="Open the Hugging Face paper page"),
    Binding("y", "copy_link", "Copy link", show=False, id="copy_link", tooltip="Copy the link p or h showed, else the arXiv link"),
    Binding("u", "toggle_unread_only", "Unread only", show=False, id="unread_only", tooltip="Show only unread papers, or all"),
    Binding("a", "toggle_authors", "All authors", show=False, id="all_authors", tooltip="Show the full author list, or the short one"),
    Binding("n", "next_unread", "Next unread", id="next_unread", tooltip="Jump to the next unread paper, across days"),
    Binding("N", "previous_unread", "Previous unread", show=False, id="previous_unread",
            tooltip="Jump to the previous unread paper, across days"),
    Binding("A", "mark_day_read", "Day read", show=False, id="mark_day_read",
            tooltip="Mark every paper of this day read (z undoes)"),
    Binding("z", "undo", "Undo", show=False, id="undo", tooltip="Undo the last 'mark day read'"),
    Binding("R", "reload", "Reload", show=False, id="reload",
            tooltip="Read the library and the reading state from disk again"),
    Binding("b", "toggle_sidebar", "Days", show=False, id="toggle_sidebar", tooltip="Show or hide the days on narrow terminals"),
    Binding("escape", "back", "Back", show=False, id="back", tooltip="Go back: summary → papers → days"),
    Binding("S", "sync_now", "Sync", show=False, id="sync_now",
            tooltip="Fetch the days since the newest one from Hugging Face now"),
    Binding("K", "summarize", "Summarize", show=False, id="summarize",
            tooltip="Write the Korean summary of this paper (or, from the day list, of the whole day) with your model"),
    Binding("l", "links", "Links", show=False, id="links",
            tooltip="Every link of the paper (arXiv, PDF, HF, code, project page), to open or copy"),
    Binding("m", "similar", "Similar", show=False, id="similar",
            tooltip="The papers of the library most like the shown one, with their scores"),
    Binding("e", "note", "Note", show=False, id="note",
            tooltip="Write a note for this paper in your editor ($EDITOR): kept with the marks, has:note finds it"),
    Binding("M", "mark_until_read", "Read up to here", show=False, id="mark_until_read",
            tooltip="Mark every paper of this day and every older day read, after asking (z undoes)"),
]

KEY_NAMES = {"question_mark": "?", "slash": "/", "left_square_bracket": "[", "right_square_bracket": "]",
             "escape": "Esc", "space": "Space"}


def pretty_keys(keys: str) -> str:
    return ", ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


def keys_of(binding: Binding, keymap: dict[str, str]) -> str:
    """The keys of a binding as the user has them (the keymap's, else the default), named for people."""
    return pretty_keys(keymap.get(binding.id or "", binding.key))


def help_rows(keymap: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """The help screen's rows: (keys, what they do, where, binding id), the keymap applied."""
    from reader.tui.widgets.days import DayList
    from reader.tui.widgets.detail import PaperDetail
    from reader.tui.widgets.papers import PaperList

    rows = [
        ("j/k, ↓/↑", "move", "lists", "*.down / *.up"),
        ("Tab / Shift+Tab", "move focus between panes", "everywhere", "(built in)"),
        ("Enter", "go deeper: day → papers → summary (marks read)", "lists", "(built in)"),
        ("Ctrl+P", "command palette: every action, go to date, theme", "everywhere", "command_palette"),
    ]
    sources = [("everywhere", BINDINGS), ("days", DayList.BINDINGS), ("papers", PaperList.BINDINGS),
               ("summary", PaperDetail.BINDINGS)]
    for where, bindings in sources:
        for binding in bindings:
            if isinstance(binding, Binding) and binding.id is not None:
                rows.append((keys_of(binding, keymap), binding.tooltip or binding.description, where, binding.id))
    return rows
