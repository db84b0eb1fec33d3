"""Fuzzing the parser and the Markdown renderers (hypothesis): arbitrary text and bytes never raise and take
bounded time; a digest mutated line by line still gives every paper whose heading (and day) survived, with
its fields. The seeds are our own fixtures (tests/fixtures) and made-up days (digest_factory), never the
archive's text."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from digest_factory import day_text
from reader.core.parse import decode, parse_text, read_file
from reader.core.sanitize import clean, is_safe
from reader.core.text import plain_text
from reader.tui.markdown import SectionText

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEEDS = sorted(FIXTURES.glob("*.md")) + sorted((FIXTURES / "hostile").glob("*.md"))

# Pieces of the digest format, so that generated text reaches deep into the parser, not just its first line.
_PIECES = [
    "## Daily Papers (2024-08-07)", "## Daily Papers (2024-02-30)", "## Daily Papers (", "# Title", "## License",
    "### [", "### [T](https://arxiv.org/abs/2408.00001)", "### [T](https://arxiv.org/abs/2408.00001v2)",
    "### [T](hep-th/9901001)", "### [[x]](https://arxiv.org/abs/2408.00002)", "### [T](https://example.org)",
    "](", "](https://arxiv.org/abs/", "(", ")", "[", "]", "![](x.png)", "[Watch Video](https://v.mp4)",
    "<video src='x.mp4'>", "<div>", "Vote: 12", "Vote: -", "Votes: 1,234", "Authors: ['A', \"B'\", 'C']",
    "Authors: [", "Authors: A, B", "- **What's New**: ", "- ***Technical Details***: ", "- **Label:** x", "- ",
    "  - ", "1. ", "['a', 'b']", "[[[[", "**", "*", "_", "`", "```", "> ", "\\[", "\\", "\t", " ", "\n", "\r\n",
    "\r", "\x1b]52;c;ZXZpbA==\x07", "\x1b]0;t\x1b\\", "\x1b[31m", "\x1b", "\x9b", "\x9d", "\x07", "\x00", "\ufeff",
    "\u202e", "가나다", "[b]", "[/]", "[@click=app.quit]", "&#x1b;", "&#27;", "<!--", "|a|b|", "---",
]
digest_like_text = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=12)), max_size=60).map("".join)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_safe_result(parsed) -> None:
    for paper in parsed.papers:
        fields = [paper.title, paper.arxiv_id, paper.url, paper.pdf_url, paper.date, paper.thumbnail or "",
                  *paper.authors, *(s.name for s in paper.sections), *(s.markdown for s in paper.sections)]
        for text in fields:
            assert is_safe(text), text
        assert "\n" not in paper.title and "\t" not in paper.title
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", paper.date)


@FUZZ
@given(st.text())
def test_any_text_parses_without_an_exception(text):
    parsed = parse_text(text, "fuzz.md")
    _assert_safe_result(parsed)


@FUZZ
@given(digest_like_text, st.sampled_from([None, "2024-01-02"]))
def test_any_digest_like_text_parses_and_keeps_nothing_unsafe(text, default_date):
    start = time.perf_counter()
    parsed = parse_text(text, "fuzz.md", default_date=default_date)
    assert time.perf_counter() - start < 2.0  # a few hundred characters: milliseconds, never a hang
    _assert_safe_result(parsed)
    for warning in parsed.warnings:
        assert isinstance(warning.line, int) and warning.message


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_decode_and_parse_without_an_exception(data):
    text, problem = decode(data)
    if text is None:
        assert problem
        return
    _assert_safe_result(parse_text(text, "fuzz.md"))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from([b"", b"\xef\xbb\xbf", b"## Daily Papers (2024-01-01)\n"]))
def test_any_file_reads_without_an_exception(tmp_path_factory, data, prefix):
    path = tmp_path_factory.mktemp("fuzz") / "2024-01-01.md"
    path.write_bytes(prefix + data)
    parsed = read_file(path)
    _assert_safe_result(parsed)


@FUZZ
@given(st.one_of(st.text(), digest_like_text))
def test_the_markdown_renderers_never_raise(markdown):
    section = SectionText(markdown)
    assert is_safe(section.plain)
    plain_text(markdown)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=50, max_value=400), st.sampled_from(["- ", "1. ", "> ", "* ", "  - "]))
def test_deep_nesting_renders_in_bounded_time(depth, bullet):
    nested = "\n".join("  " * i + bullet + f"level {i}" for i in range(depth))
    quotes = ">" * depth + " deep"
    emphasis = "*_" * depth + "x" + "_*" * depth
    links = "[a](" * depth + "x" + ")" * depth
    start = time.perf_counter()
    for markdown in (nested, quotes, emphasis, links):
        assert SectionText(markdown).blocks
        assert plain_text(markdown)
    assert time.perf_counter() - start < 5.0


# -- mutated digests ---------------------------------------------------------------------------------------
_BOUNDARY = re.compile(r"#{1,6}\s")  # a Markdown heading ends a paper's entry
_DATE_CHANGE = re.compile(r"#{1,2}\s")  # "## Daily Papers (D)" sets the day; any other # or ## heading ends it


@dataclass
class Line:
    text: str
    origin: int | None  # the line of the original it is, untouched; None for anything changed or new


def _seed_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    texts.append(day_text("2024-03-04", ["2403.00001", "2403.00002", "2403.00003"], title="Made-up"))
    texts.append(day_text("2024-03-05", ["2403.00011"]) + "\n" + day_text("2024-03-06", ["2403.00021", "2403.00022"]))
    texts.append(day_text("2024-03-07", [f"2403.{n:05d}" for n in range(100, 112)]))
    texts.append("\n".join(p.read_text(encoding="utf-8") for p in SEEDS if p.name != "readme_like.md"))
    return texts


SEED_TEXTS = _seed_texts()

mutation = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 400)),
    st.tuples(st.just("duplicate"), st.integers(0, 400)),
    st.tuples(st.just("swap"), st.integers(0, 400), st.integers(0, 400)),
    st.tuples(st.just("insert"), st.integers(0, 400), digest_like_text),
    st.tuples(st.just("edit"), st.integers(0, 400), st.integers(0, 200), st.sampled_from(_PIECES + ["", "x"])),
    st.tuples(st.just("cut"), st.integers(0, 400), st.integers(0, 200)),  # truncate the file mid-line
    st.tuples(st.just("join"), st.integers(0, 400)),
)


def _mutate(lines: list[Line], op: tuple) -> list[Line]:
    if not lines:
        return lines
    kind, i = op[0], op[1] % len(lines)
    lines = list(lines)
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i + 1, Line(lines[i].text, lines[i].origin))
    elif kind == "swap":
        j = op[2] % len(lines)
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "insert":
        lines.insert(i, Line(op[2], None))
    elif kind == "edit":
        text = lines[i].text
        at = op[2] % (len(text) + 1)
        changed = text[:at] + op[3] + text[at + 1:]  # the character at `at` replaced (or dropped, or one added)
        lines[i] = Line(changed, lines[i].origin if changed == text else None)
    elif kind == "cut":
        text = lines[i].text
        kept = text[: op[2] % (len(text) + 1)]
        lines = lines[:i] + [Line(kept, lines[i].origin if kept == text else None)]
    elif kind == "join" and i + 1 < len(lines):
        lines[i: i + 2] = [Line(lines[i].text + lines[i + 1].text, None)]
    return lines


def _as_parsed_lines(lines: list[Line]) -> list[Line]:
    """The lines as the parser will see them: CRLF and CR are line ends too, and control characters are gone
    (a "\x07## x" line is a heading; no escape sequence spans a line end)."""
    out: list[Line] = []
    for line in lines:
        pieces = re.split(r"\r\n|\r|\n", line.text)
        out.extend(Line(clean(p), line.origin if len(pieces) == 1 else None) for p in pieces)
    return out


def _intact_papers(original_lines: list[str], original, mutated: list[Line]):
    """(paper, its block ends at a heading or the end) for each original paper that survived whole: its heading
    and every line of its entry untouched, in order, under its own untouched day header, and no line naming
    its id before it."""
    heading_at = {}
    for paper in original.papers:
        heading_at.setdefault(paper.line - 1, paper)
    for start_orig, paper in heading_at.items():
        end_orig = next((k for k in range(start_orig + 1, len(original_lines)) if _BOUNDARY.match(original_lines[k])),
                        len(original_lines))
        header_orig = next((k for k in range(start_orig - 1, -1, -1) if _DATE_CHANGE.match(original_lines[k])), None)
        block = list(range(start_orig, end_orig))
        starts = [k for k, line in enumerate(mutated) if line.origin == start_orig]
        if not starts:
            continue
        k = starts[0]
        if [line.origin for line in mutated[k: k + len(block)]] != block:
            continue
        before = next((j for j in range(k - 1, -1, -1) if _DATE_CHANGE.match(mutated[j].text)), None)
        if before is None or header_orig is None or mutated[before].origin != header_orig:
            continue
        if any(paper.arxiv_id in line.text for line in mutated[:k]):
            continue
        after = k + len(block)
        closed = after >= len(mutated) or bool(_BOUNDARY.match(mutated[after].text))
        yield paper, closed


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(SEED_TEXTS))), st.lists(mutation, min_size=1, max_size=5))
@example(0, [("delete", 1), ("edit", 1, 0, "\x07")])  # "\x07## [title]": a level-2 heading once cleaned
def test_every_paper_whose_heading_survived_a_mutation_is_found_with_its_fields(seed, operations):
    text = SEED_TEXTS[seed]
    original_lines = text.split("\n")
    original = parse_text(text, "seed.md")
    assert original.papers
    lines = [Line(t, i) for i, t in enumerate(original_lines)]
    for op in operations:
        lines = _mutate(lines, op)
    mutated_text = "\n".join(line.text for line in lines)
    parsed = parse_text(mutated_text, "mutated.md")
    _assert_safe_result(parsed)
    found = {(p.date, p.arxiv_id): p for p in parsed.papers}
    for paper, closed in _intact_papers(original_lines, original, _as_parsed_lines(lines)):
        got = found.get((paper.date, paper.arxiv_id))
        assert got is not None, f"{paper.arxiv_id} lost after {operations}"
        assert (got.title, got.url, got.votes, got.authors, got.thumbnail) == \
            (paper.title, paper.url, paper.votes, paper.authors, paper.thumbnail)
        if closed:
            assert got.sections == paper.sections
        else:  # lines after it joined its last section; what came before is the same
            assert [s.name for s in got.sections[: len(paper.sections)]] == [s.name for s in paper.sections]
            assert got.sections[: len(paper.sections) - 1] == paper.sections[:-1]


def test_the_mutation_oracle_is_not_vacuous():
    """Unmutated, every paper of every seed is checked; one deleted day header drops exactly its papers."""
    for text in SEED_TEXTS:
        original_lines = text.split("\n")
        original = parse_text(text, "seed.md")
        lines = [Line(t, i) for i, t in enumerate(original_lines)]
        checked = {p.arxiv_id for p, _ in _intact_papers(original_lines, original, lines)}
        assert checked == {p.arxiv_id for p in original.papers}
    text = SEED_TEXTS[len(SEEDS) + 1]
    lines = [Line(t, i) for i, t in enumerate(text.split("\n"))]
    second_header = [i for i, line in enumerate(lines) if line.text.startswith("## Daily Papers")][1]
    mutated = _mutate(lines, ("edit", second_header, 3, "X"))
    checked = {p.arxiv_id for p, _ in _intact_papers(text.split("\n"), parse_text(text), _as_parsed_lines(mutated))}
    assert checked == {"2403.00011"}


# -- bounded time on hostile shapes ------------------------------------------------------------------------
_HEAD = "## Daily Papers (2024-01-01)\n"
_PAPER = "### [T](https://arxiv.org/abs/2401.00001)\n"
M = 2_000_000
HOSTILE_LINES = {
    "brackets in a heading": "### [" + "](" * (M // 2),
    "brackets and words in a heading": "### [" + "](x" * (M // 3),
    "open parentheses in a link": "### [a](" + "(" * M,
    "nested parentheses in a link": "### [a](" + "(a)" * (M // 3) + " ",
    "a long Korean title": "### [" + "가" * M + "](https://arxiv.org/abs/2401.00001)",
    "backslashes in a title": "### [" + "\\" * M + "](https://arxiv.org/abs/2401.00001)",
    "an unclosed label": _PAPER + "- **" + "a" * M,
    "a label of colons": _PAPER + "- **" + ":" * M,
    "spaces after a label": _PAPER + "- **a**" + " " * M + "x",
    "a vote line of spaces": _PAPER + "Vote:" + " " * M + "x",
    "a huge author list literal": _PAPER + "Authors: [" + "'a', " * (M // 5) + "]",
    "an unclosed author list": _PAPER + "Authors: [" + "[" * M,
    "an image of brackets": _PAPER + "![" + "]" * M,
    "a video tag of attributes": _PAPER + "<video " + "src=" * (M // 4),
    "escape introducers": _PAPER + "- **S**: " + "\x1b]" * (M // 2),
    "unterminated CSIs": _PAPER + "- **S**: " + "\x1b[0;" * (M // 4),
    "a deep list literal": _PAPER + "- **S**: " + "[" * (M // 2) + "]" * (M // 2),
}


@pytest.mark.parametrize("shape", list(HOSTILE_LINES))
def test_a_two_megabyte_line_of_any_hostile_shape_parses_in_bounded_time(shape):
    start = time.perf_counter()
    parsed = parse_text(_HEAD + HOSTILE_LINES[shape] + "\n" + _PAPER.replace("00001", "00002") + "- **S**: ok\n")
    elapsed = time.perf_counter() - start
    assert elapsed < 10.0, f"{shape}: {elapsed:.1f} s"  # linear: well under a second; quadratic: hours
    assert "2401.00002" in {p.arxiv_id for p in parsed.papers}  # the paper after it is still found
