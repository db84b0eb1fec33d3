"""Unicode as people and hostile digests write it: search whatever the normalisation, ASCII-only arXiv ids,
hidden characters removed, and text a terminal measures as Textual does."""

from __future__ import annotations

import io
import re
import tokenize
import unicodedata
from pathlib import Path

import pytest

from reader.cli import main
from reader.core.cite import arxiv_year
from reader.core.library import Library
from reader.core import parse
from reader.core import text as core_text
from reader.core.parse import date_from_path, normalize_arxiv_id, parse_text
from reader.core.sanitize import clean, clean_line, is_safe, visible, visible_line

REPO = Path(__file__).resolve().parents[2]
NFD = "한국어 토크나이저 연구"  # composed (NFC) here; written decomposed below


def digest(tmp_path: Path, entries: list[tuple[str, str, str]], date: str = "2024-08-15") -> Path:
    """A digest of (link id, title, What's New) entries."""
    lines = [f"## Daily Papers ({date})", ""]
    for arxiv_id, title, news in entries:
        lines += [f"### [{title}](https://arxiv.org/abs/{arxiv_id})", "", "Vote: 3", "",
                  "Authors: Kim Minsu, Lee Jiwoo", "", f"- **What's New**: {news}", ""]
    path = tmp_path / f"{date}.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# -- 1. search ------------------------------------------------------------------------------------------
def test_search_matches_whatever_the_normalisation_of_text_and_query(tmp_path):
    decomposed = unicodedata.normalize("NFD", NFD)
    assert decomposed != NFD
    digest(tmp_path, [
        ("2408.00001", f"{decomposed} 논문", "macOS에서 복사한 요약입니다."),
        ("2408.00002", "ＬＬａＶＡ-Ｗｉｄｅ: full-width title", "전각 문자로 쓴 제목."),
        ("2408.00003", "Plain LLaVA title", "세 번째 논문."),
    ])
    library = Library.open([tmp_path]).load_all()
    found = lambda query: sorted(p.arxiv_id for p in library.search(query))  # noqa: E731
    assert found("토크나이저") == ["2408.00001"]  # composed query, decomposed text
    assert found(unicodedata.normalize("NFD", "토크나이저")) == ["2408.00001"]  # decomposed query
    assert found("llava") == ["2408.00002", "2408.00003"]  # full-width text, ASCII query
    assert found("ＬＬＡＶＡ") == ["2408.00002", "2408.00003"]  # full-width query (a Korean input method)
    assert found("ｗｉｄｅ") == ["2408.00002"]
    assert found("２４０８.０００03") == ["2408.00003"]  # an id typed in full-width digits


def test_fold_is_nfkc_then_casefold():
    fold = core_text.fold
    assert fold("ＬＬａＶＡ") == "llava"
    assert fold(unicodedata.normalize("NFD", "한국어")) == "한국어"
    assert fold("℃ ㎒") == "°c mhz"  # compatibility forms fold to what they stand for, lower-cased
    assert fold("Straße") == "strasse"


def test_the_command_line_search_finds_decomposed_korean_and_full_width_queries(capsys, tmp_path):
    digest(tmp_path, [("2408.00001", unicodedata.normalize("NFD", NFD), "요약."),
                      ("2408.00002", "LLaVA for everyone", "요약.")])
    code, out, _ = run(capsys, "search", "토크나이저", str(tmp_path))
    assert code == 0 and out.split()[2] == "2408.00001"
    code, out, _ = run(capsys, "search", "ｌｌａｖａ", str(tmp_path))
    assert code == 0 and out.split()[2] == "2408.00002"


async def test_the_readers_search_finds_full_width_and_decomposed_queries(tmp_path):
    from textual.widgets import Input

    from reader.core.config import Config
    from reader.core.state import StateStore
    from reader.tui.app import make_app
    from reader.tui.screens.search import SearchScreen
    from tui_support import FakeSystem, searched

    digest(tmp_path, [("2408.00001", unicodedata.normalize("NFD", NFD), "요약."),
                      ("2408.00002", "LLaVA for everyone", "요약.")])
    library = Library.open([tmp_path]).load_all()
    app = make_app(library, StateStore.in_memory(), system=FakeSystem(), config=Config(read_delay=60))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        box = app.screen.query_one(Input)
        box.value = "ＬＬａＶＡ"  # as a Korean input method in full-width mode types it
        await searched(pilot)
        assert [p.arxiv_id for p in app.screen.results] == ["2408.00002"]
        box.value = unicodedata.normalize("NFD", "토크나이저")  # pasted from a macOS file name
        await searched(pilot)
        assert [p.arxiv_id for p in app.screen.results] == ["2408.00001"]


# -- 2. ids ---------------------------------------------------------------------------------------------
ARABIC_INDIC = "٢٤٠٨.٠٧٢٤٦"  # 2408.07246 in Arabic-Indic digits
FULL_WIDTH = "２４０８.０７２４６"


def test_an_id_with_non_ascii_digits_in_a_digest_is_skipped_with_a_warning_naming_file_and_line(tmp_path):
    path = digest(tmp_path, [(ARABIC_INDIC, "Look-alike", "가짜."), (FULL_WIDTH, "Full-width", "가짜."),
                             ("2408.07246", "Real", "진짜.")])
    library = Library.open([path]).load_all()
    assert [p.arxiv_id for p in library.papers()] == ["2408.07246"]
    warnings = [str(w) for w in library.warnings]
    assert len(warnings) == 2
    assert warnings[0].startswith(f"{path}:3: ") and "not ASCII" in warnings[0]
    assert warnings[1].startswith(f"{path}:11: ")


def test_ids_dates_and_votes_are_ascii_digits_only():
    assert normalize_arxiv_id(ARABIC_INDIC) is None
    assert normalize_arxiv_id(f"https://arxiv.org/abs/{FULL_WIDTH}") is None
    assert normalize_arxiv_id("hep-th/٩٩٠١٠٠١") is None
    assert normalize_arxiv_id("2408.07246v٢") is None
    assert arxiv_year("٢٤٠٨.٠٧٢٤٦", "٢٠٢٤-08-15") == ""
    assert date_from_path("٢٠٢٤-٠٨-١٥.md") is None
    parsed = parse_text("## Daily Papers (٢٠٢٤-٠٨-١٥)\n### [T](https://arxiv.org/abs/2408.07246)\nVote: ٧\n- a\n")
    assert parsed.papers == []  # no day: the header's digits are not a date
    parsed = parse_text("## Daily Papers (2024-08-15)\n### [T](https://arxiv.org/abs/2408.07246)\nVote: ٧\n- a\n")
    assert parsed.papers[0].votes is None


def test_no_pattern_in_the_reader_uses_backslash_d():
    """\\d matches every script's digits; ids, dates and links are ASCII. (Raw strings: where regexes live.)"""
    offenders = []
    for path in sorted((REPO / "reader").rglob("*.py")):
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        for token in tokens:
            if token.type == tokenize.STRING and re.match(r"(?i)[bfu]*r", token.string) and "\\d" in token.string:
                offenders.append(f"{path.relative_to(REPO)}:{token.start[0]}")
    assert offenders == []


def test_a_typed_id_is_nfkc_normalised_first():
    typed_arxiv_id = parse.typed_arxiv_id
    assert typed_arxiv_id(FULL_WIDTH) == "2408.07246"
    assert typed_arxiv_id("２４０８．０７２４６ｖ２") == "2408.07246"
    assert typed_arxiv_id(ARABIC_INDIC) is None  # other scripts' digits are other digits, not ASCII


@pytest.mark.parametrize("argv, after, expected", [
    (["show", FULL_WIDTH], [], "arXiv:   2408.07246"),
    (["cite", FULL_WIDTH], ["--format", "arxiv"], "arXiv:2408.07246"),
    (["mark", "--star", FULL_WIDTH], [], "marked 1 paper starred"),
])
def test_an_id_typed_in_full_width_digits_finds_the_paper(capsys, tmp_path, argv, after, expected):
    path = digest(tmp_path, [("2408.07246", "ChemVLM", "화학.")])
    code, out, err = run(capsys, *argv, str(path), *after)
    assert (code, err) == (0, "")
    assert expected in out
    if argv[0] == "mark":
        assert run(capsys, "list", "--starred", str(path))[1].split()[2] == "2408.07246"


def test_a_look_alike_id_on_the_command_line_is_not_an_id(capsys, tmp_path):
    path = digest(tmp_path, [("2408.07246", "ChemVLM", "화학.")])
    code, _, err = run(capsys, "show", ARABIC_INDIC, str(path))
    assert code == 2 and "is not an arXiv id" in err


# -- 3. the sanitizer -----------------------------------------------------------------------------------
def test_hidden_characters_are_removed():
    text = "visible\U000e0069\U000e0067\U000e006e\U000e006f\U000e0072\U000e0065 text\u061c x\ufff9annotated\ufffaruby\ufffb"
    assert clean(text) == "visible text xannotatedruby"
    assert is_safe(clean(text))
    assert not is_safe("a\U000e0041b") and not is_safe("a\u2028b") and not is_safe("a\u061cb")


def test_line_and_paragraph_separators_break_lines_or_become_spaces_never_glue_words():
    assert clean("one\u2028two\u2029three") == "one\ntwo\nthree"
    assert clean_line("one\u2028two\u2029three") == "one two three"
    parsed = parse_text("## Daily Papers (2024-08-15)\n"
                        "### [Title\u2028with a separator](https://arxiv.org/abs/2408.07246)\n"
                        "Authors: Kim\u2028Minsu, Lee Jiwoo\n"
                        "- **What's\u2028New**: first line\u2028second line\u2029next paragraph\n")
    paper = parsed.papers[0]  # the heading was not broken in two: the paper is there
    assert paper.title == "Title with a separator"
    assert paper.authors == ("Kim Minsu", "Lee Jiwoo")
    assert paper.sections[0].name == "What's New"
    assert paper.sections[0].markdown == "first line  \nsecond line\n\nnext paragraph"  # a Markdown line break
    assert core_text.plain_text(paper.sections[0].markdown) == "first line\nsecond line\nnext paragraph"


def test_names_show_hidden_characters_and_separators_as_escapes():
    assert visible_line("a\nb\U000e0041\u2028c\u061c") == "a\\x0ab\\U000e0041\\u2028c\\u061c"
    assert visible("a\u2029b") == "a\\u2029b"


WIDE_TROUBLE = [
    "Family 👨\u200d👩\u200d👧\u200d👦 emoji",
    "Heart \u2764\ufe0f with VS16",
    "Keycap 1\ufe0f\u20e3 and skin 👍🏽 tone",
    "Spacing marks क्षि and trigram \u2630 and filler \u3164 here",
    "Combining e\u0301\u0301 and " + unicodedata.normalize("NFD", "한글"),
]


def test_text_is_made_measurable():
    from rich.cells import cell_len

    cleaned = [clean_line(t) for t in WIDE_TROUBLE]
    assert cleaned[0] == "Family 👨👩👧👦 emoji"
    assert cleaned[1] == "Heart \u2764 with VS16"
    assert cleaned[2] == "Keycap 1\u20e3 and skin 👍 tone"
    assert cleaned[3] == "Spacing marks क्ष and trigram \ufffd and filler  here"
    assert cleaned[4] == "Combining \u00e9\u0301 and 한글"
    for text in cleaned:  # what Textual measures is what a cell-by-cell terminal draws
        assert cell_len(text) == sum(_terminal_width(c) for c in text), text


def _terminal_width(char: str) -> int:
    """A character's width as terminals that draw cell by cell take it (wcwidth: combining marks 0, East
    Asian wide and full-width 2)."""
    if unicodedata.category(char) in ("Mn", "Me") or 0x1160 <= ord(char) <= 0x11FF:
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def test_every_spacing_combining_mark_lies_in_the_blocks_the_sanitizer_looks_in():
    from reader.core import sanitize

    blocks = re.compile("[" + sanitize._MC_BLOCKS + "]")
    outside = [hex(code) for code in range(0x110000)
               if unicodedata.category(chr(code)) == "Mc" and not blocks.match(chr(code))]
    assert outside == []
