"""How much of one thing the reader shows, and how big a digest may be.

The data is never cut: a paper keeps every character its digest gave (search finds it, `export` writes it).
What is cut is what a screen shows, with a visible marker, so one hostile or broken digest cannot make the
reader slow or fill memory:

- a digest file over MAX_DIGEST_BYTES is not read at all (a warning names it); the archive's largest day is
  under 100 KB, the whole archive (14 months) in one file about 6 MB;
- a section is shown up to SHOWN_SECTION_CHARS characters, a paper up to SHOWN_PAPER_CHARS in all (the
  archive's longest section is about 1,000); then "… (cut: N more characters)";
- a title up to SHOWN_TITLE_CHARS in the summary pane and SHOWN_ROW_CHARS in a list row (which shows less
  anyway); a section name up to SHOWN_NAME_CHARS; the full author list up to SHOWN_AUTHORS names;
- Markdown nesting (lists in lists, quotes in quotes, emphasis in links ...) up to MAX_MARKDOWN_DEPTH levels;
  deeper text is shown flat, never dropped;
- the files the reader keeps are read only up to a size no real one comes near (reader.core.files checks
  it before reading): the reading state and its journal (30,000 marks take 3 MB) and a `state import` file
  MAX_STATE_BYTES, config.json MAX_CONFIG_BYTES, the parse cache MAX_CACHE_BYTES (ten times the archive
  takes about 80 MB). A bigger state is refused and left as it is, config.json means defaults, the cache is
  not used.
"""

from __future__ import annotations

MAX_DIGEST_BYTES = 16 * 1024 * 1024
SHOWN_SECTION_CHARS = 20_000
SHOWN_PAPER_CHARS = 100_000
SHOWN_TITLE_CHARS = 1_000
SHOWN_ROW_CHARS = 300
SHOWN_NAME_CHARS = 200
SHOWN_AUTHORS = 1_000
SHOWN_AUTHOR_CHARS = 10_000
SHOWN_CITATION_CHARS = 20_000
MAX_MARKDOWN_DEPTH = 32
MAX_STATE_BYTES = 256 * 1024 * 1024
MAX_CONFIG_BYTES = 1024 * 1024
MAX_CACHE_BYTES = 512 * 1024 * 1024
# A file changed within this long of being read may change again without its size or times moving (coarse
# file-system clocks: FAT ticks in 2 s; NFS clocks may differ a little): the parse cache and the library's
# index check such a file's bytes before trusting what they stored of it (git's "racily clean").
RACY_NS = 3_000_000_000


def cut(text: str, limit: int) -> tuple[str, int]:
    """(the first `limit` characters, how many more there were)."""
    if len(text) <= limit:
        return text, 0
    return text[:limit], len(text) - limit


def marker(more: int, what: str = "character") -> str:
    from reader.core.words import count

    return f"… (cut: {count(more, 'more ' + what)})"


def size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def cut_report(paper) -> str | None:
    """One line saying what of this paper a screen shows cut (by the limits above), or None."""
    from reader.core.sanitize import clean_line
    from reader.core.words import count

    what: list[str] = []
    if len(paper.title) > SHOWN_TITLE_CHARS:
        what.append(f"the title ({count(len(paper.title), 'character')})")
    budget = SHOWN_PAPER_CHARS
    for section in paper.sections:
        size = len(section.markdown)
        if size > min(SHOWN_SECTION_CHARS, max(budget, 0)):
            what.append(f"section {clean_line(section.name)[:40]!r} ({count(size, 'character')})")
        budget -= min(size, SHOWN_SECTION_CHARS)
    if len(paper.authors) > SHOWN_AUTHORS or sum(map(len, paper.authors)) > SHOWN_AUTHOR_CHARS:
        what.append(f"the author list ({count(len(paper.authors), 'name')})")
    if not what:
        return None
    more = f" and {len(what) - 1} more" if len(what) > 1 else ""
    return (f"{paper.arxiv_id} is longer than the reader shows: {what[0]}{more} cut "
            f"(the whole text: daily-papers export --format json)")
