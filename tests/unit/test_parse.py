"""The parser, one digest format at a time (fixtures written for these tests)."""

from __future__ import annotations

from reader.core.parse import (
    date_from_path,
    normalize_arxiv_id,
    parse_authors,
    parse_text,
    read_file,
)


def by_id(parsed):
    return {p.arxiv_id: p for p in parsed.papers}


def test_plain_bullets_give_one_summary_section(fixtures):
    parsed = read_file(fixtures / "plain_2023.md")
    assert [p.arxiv_id for p in parsed.papers] == ["2311.00001", "2311.00002"]
    first = parsed.papers[0]
    assert first.title == "Tiny Models Reason Too"
    assert first.date == "2023-11-20"
    assert first.votes is None and first.authors == () and first.thumbnail is None
    assert [s.name for s in first.sections] == ["Summary"]
    md = first.sections[0].markdown
    assert md.startswith("- 작은 모델도") and "  - (2) 하위 항목 둘." in md
    assert "두 번째 논문" not in md  # the next heading ends the paper, even with no blank line


def test_versioned_link_gives_bare_id_and_links(fixtures):
    paper = by_id(read_file(fixtures / "plain_2023.md"))["2311.00002"]
    assert paper.url == "https://arxiv.org/abs/2311.00002"
    assert paper.pdf_url == "https://arxiv.org/pdf/2311.00002"


def test_thumbnail_votes_authors_video(fixtures):
    papers = by_id(read_file(fixtures / "votes_2023.md"))
    thumb = papers["2312.00011"]
    assert thumb.thumbnail == "https://example.org/thumb/2312.00011.png"
    assert thumb.votes == 17
    assert thumb.authors == ("Ada Lovelace", "Alan Turing", "Grace Hopper")
    video = papers["2312.00012"]
    assert video.thumbnail == "https://example.org/video/2312.00012.mp4"
    assert video.votes is None  # "Vote: -"
    assert video.authors == ("Kurt Gödel",)
    text = "\n".join(s.markdown for s in video.sections)
    assert "Watch Video" not in text and "<video" not in text and "<div" not in text
    assert papers["2312.00013"].thumbnail is None


def test_labelled_sections_and_what_belongs_to_them(fixtures):
    paper = by_id(read_file(fixtures / "sections_2024.md"))["2406.00021"]
    names = [s.name for s in paper.sections]
    assert names == ["What's New", "Technical Details", "Performance Highlights", "Limitations"]
    details = paper.section("Technical Details").markdown
    assert details.startswith("기술적 세부사항은 다음과 같습니다:")
    # numbered lists, sub-bullets and continuation text stay in the section they follow
    assert "1. **Tokenizer**: 토크나이저 설명." in details
    assert "  - 하위 글머리표." in details and "계속되는 문장입니다." in details
    # a Python list literal becomes a Markdown bullet list
    assert paper.section("Performance Highlights").markdown == "- 첫 번째 요점\n- 두 번째 요점"


def test_authors_as_list_literal(fixtures):
    paper = by_id(read_file(fixtures / "sections_2024.md"))["2406.00022"]
    assert paper.authors == ("Rosalind Franklin", "James O'Brien", "Linus Pauling")
    assert paper.section("What's New").markdown == "- 하나\n- 둘\n- 셋"


def test_triple_star_labels_repeated_day_header_and_duplicate_paper(fixtures):
    parsed = read_file(fixtures / "triple_2024.md")
    assert [p.arxiv_id for p in parsed.papers] == ["2410.00031", "2410.00032"]
    first = parsed.papers[0]
    assert [s.name for s in first.sections] == ["What's New", "Technical Details", "Performance Highlights"]
    assert first.section("What's New").markdown == "세 개의 별표 레이블."  # the first copy is kept
    assert {p.date for p in parsed.papers} == {"2024-10-18"}


def test_readme_prose_license_citation_never_leak(fixtures):
    parsed = read_file(fixtures / "readme_like.md")
    assert [p.arxiv_id for p in parsed.papers] == ["2412.00041"]
    paper = parsed.papers[0]
    text = "\n".join(s.markdown for s in paper.sections)
    for leaked in ("License", "CC BY-NC", "Citation", "Star History", "daily_papers_ko", "not a paper"):
        assert leaked not in text
    assert [s.name for s in paper.sections] == ["What's New"]


def test_label_with_colon_inside_bold():
    parsed = parse_text("## Daily Papers (2024-07-01)\n\n### [T](https://arxiv.org/abs/2407.00001)\n\n"
                        "- **What's New:** 안쪽 콜론.\n- **Bold text** without colon stays text\n")
    paper = parsed.papers[0]
    assert [s.name for s in paper.sections] == ["What's New"]
    assert "**Bold text** without colon stays text" in paper.sections[0].markdown


def test_date_from_file_name_when_no_header(tmp_path):
    path = tmp_path / "2024" / "03" / "05.md"
    path.parent.mkdir(parents=True)
    path.write_text("### [No Header](https://arxiv.org/abs/2403.00001)\n\n- 요약\n", encoding="utf-8")
    parsed = read_file(path)
    assert parsed.papers[0].date == "2024-03-05"
    assert date_from_path("x/2024-08-07.md") == "2024-08-07"
    assert date_from_path("notes.md") is None


def test_paper_without_any_date_is_a_warning_not_an_error():
    parsed = parse_text("### [Lost](https://arxiv.org/abs/2403.00009)\n- a\n", "lost.md")
    assert parsed.papers == []
    assert parsed.warnings and "lost.md:1" in str(parsed.warnings[0]) and "no date" in str(parsed.warnings[0])


def test_arxiv_ids():
    assert normalize_arxiv_id("2408.03326v2") == "2408.03326"
    assert normalize_arxiv_id("https://arxiv.org/abs/2408.03326v12") == "2408.03326"
    assert normalize_arxiv_id("https://arxiv.org/pdf/2408.03326.pdf") == "2408.03326"
    assert normalize_arxiv_id("https://huggingface.co/papers/2408.03326") == "2408.03326"
    assert normalize_arxiv_id("hep-th/9901001") == "hep-th/9901001"
    assert normalize_arxiv_id("https://arxiv.org/abs/math.GT/0309136v1") == "math.GT/0309136"
    assert normalize_arxiv_id("not an id") is None
    assert normalize_arxiv_id("12345") is None


def test_old_style_id_paper_is_kept():
    parsed = parse_text("## Daily Papers (2024-01-02)\n### [Old](https://arxiv.org/abs/hep-th/9901001v2)\n- a\n")
    assert parsed.papers[0].arxiv_id == "hep-th/9901001"
    assert parsed.papers[0].url == "https://arxiv.org/abs/hep-th/9901001"


def test_authors_forms():
    assert parse_authors("A, B,  C ") == ("A", "B", "C")
    assert parse_authors("['A', 'B']") == ("A", "B")
    assert parse_authors("['Broken, 'Quote']") == ("Broken", "Quote")
    assert parse_authors("") == ()


def test_votes_forms():
    text = "## Daily Papers (2024-01-02)\n"
    for i, vote in enumerate(["12", "-", "many", "1,234"]):
        text += f"### [P{i}](https://arxiv.org/abs/2401.0000{i})\n\nVote: {vote}\n\n- a\n"
    votes = [p.votes for p in parse_text(text).papers]
    assert votes == [12, None, None, 1234]


def test_control_characters_and_escapes_are_removed():
    text = ("## Daily Papers (2024-08-07)\n### [Title\x1b]0;pwned\x07 here\x1b[31m red](https://arxiv.org/abs/2408.00001)\n"
            "- **What's New**: 모델 \x08enchmark \x0cramework \x1b]52;c;ZXZpbA==\x07 end\x9b2J done\u202eevil\n")
    paper = parse_text(text).papers[0]
    assert paper.title == "Title here red"
    md = paper.sections[0].markdown
    assert md == "모델 enchmark ramework  end doneevil"
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in paper.title + md)


def test_crlf_and_bom(tmp_path):
    raw = "## Daily Papers (2024-02-01)\r\n\r\n### [CRLF](https://arxiv.org/abs/2402.00001)\r\n\r\nVote: 3\r\n\r\n- 요약\r\n"
    path = tmp_path / "crlf.md"
    path.write_bytes(b"\xef\xbb\xbf" + raw.encode("utf-8"))
    parsed = read_file(path)
    assert parsed.warnings == []
    paper = parsed.papers[0]
    assert (paper.title, paper.votes, paper.sections[0].markdown) == ("CRLF", 3, "- 요약")


def test_cp949_file(tmp_path):
    path = tmp_path / "2024-02-02.md"
    path.write_bytes("## Daily Papers (2024-02-02)\n### [K](https://arxiv.org/abs/2402.00002)\n- 한국어 요약\n".encode("cp949"))
    parsed = read_file(path)
    assert parsed.papers[0].sections[0].markdown == "- 한국어 요약"
    assert parsed.warnings == []


def test_undecodable_bytes_warn_and_keep_the_rest(tmp_path):
    path = tmp_path / "2024-02-03.md"
    path.write_bytes(b"## Daily Papers (2024-02-03)\n### [Bad \xff\xfe\xff bytes](https://arxiv.org/abs/2402.00003)\n- ok\n\x80\x81\xff\n")
    parsed = read_file(path)
    assert [p.arxiv_id for p in parsed.papers] == ["2402.00003"]
    assert any("UTF-8" in w.message for w in parsed.warnings)
    assert str(parsed.warnings[0]).startswith(str(path))


def test_binary_empty_unreadable_files(tmp_path):
    binary = tmp_path / "b.md"
    binary.write_bytes(b"\x00\x01\x02PNG\x00" * 10)
    empty = tmp_path / "e.md"
    empty.write_bytes(b"")
    missing = tmp_path / "gone.md"
    for path, expect in ((binary, "binary"), (missing, "cannot read")):
        parsed = read_file(path)
        assert parsed.papers == [] and expect in parsed.warnings[0].message
    assert read_file(empty).papers == [] and read_file(empty).warnings == []


def test_malformed_entries_warn_with_line_and_keep_others():
    text = ("## Daily Papers (2024-05-01)\n"
            "### [No link at all]\n- a\n"
            "### [Not arxiv](https://example.org/paper)\n- b\n"
            "### [Good](https://arxiv.org/abs/2405.00001)\nVote: 1\n- c\n"
            "## Daily Papers (2024-02-30)\n### [Bad date](https://arxiv.org/abs/2405.00002)\n- d\n")
    parsed = parse_text(text, "m.md")
    assert [p.arxiv_id for p in parsed.papers] == ["2405.00001"]
    lines = sorted(w.line for w in parsed.warnings)
    assert lines == [2, 4, 9, 10]
    assert all(str(w).startswith("m.md:") for w in parsed.warnings)


def test_title_with_brackets_and_markdown_escapes():
    text = "## Daily Papers (2024-05-02)\n### [A \\[bracketed\\] M$^{2}$UGen: 90% \\_x](https://arxiv.org/abs/2405.00003)\n- a\n"
    assert parse_text(text).papers[0].title == "A [bracketed] M$^{2}$UGen: 90% _x"


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from reader.core.library import _MONTH_FOLDER, _day_hint, _month_of  # noqa: E402

_PART = st.one_of(st.from_regex(r"\d{1,5}", fullmatch=True), st.sampled_from(["2024", "12", "31", "02", "30",
                  "2024-01-2024", "notes", "a.b", "x_2023_05_06", ""]))
_DIGITS = st.one_of(st.from_regex(r"[0-9]{1,3}", fullmatch=True), st.sampled_from(["29", "30", "31", "00", "0a", "٠١"]))


@settings(max_examples=800, deadline=None)
@given(st.lists(_PART, max_size=2), st.one_of(st.from_regex(r"[0-9]{4}", fullmatch=True), st.sampled_from(["0000", "٢٠٢٤"])),
       st.one_of(st.from_regex(r"[0-9]{2}", fullmatch=True), st.sampled_from(["00", "13", "1", "١٢"])), _DIGITS,
       st.sampled_from([".md", ".md", ".MD", ".tar.md"]))
def test_the_archive_layout_shortcut_gives_what_the_general_rule_gives(prefix, year, month, day, ext):
    # Discovery dates a YYYY/MM folder's files from the folder (no regex per file); where it answers, it must
    # answer as date_from_path does.
    folder, name = "/".join([*prefix, year, month]), day + ext
    found = _MONTH_FOLDER.search(folder)
    month_of = _month_of(found) if found else None
    hint = _day_hint(month_of, name) if month_of else False
    if hint is not False:
        assert hint == date_from_path(f"{folder}/{name}")
