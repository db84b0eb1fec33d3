"""export: JSON, BibTeX, RIS, CSV and a Markdown reading list, for every paper, one day, or the starred ones.
The digests here are small made-up ones."""

from __future__ import annotations

import csv
import io
import json
import os

import bibtexparser
import pytest
import rispy

from reader.cli import main
from reader.core.exporters import (
    CSV_COLUMNS,
    EXPORT_FORMATS,
    export_csv,
    export_json,
    export_markdown,
    export_papers,
    format_for_path,
    whats_new,
)
from reader.core.library import Library
from reader.core.model import Paper, Section
from reader.core.state import StateStore

# (date, arxiv id, title, votes, authors, what's new)
ENTRIES = [
    ("2024-03-02", "2403.00011", "Quiet Models Win", 3, "Mia Park, Jo Lee", "조용한 모델이 이깁니다."),
    ("2024-03-02", "2403.00012", "Loud Models & 90% Gains", 40, "Łukasz Nowak, Hal Daumé III, +, Ana Sousa",
     "시끄러운 모델, 그리고 **굵은** 글씨."),
    ("2024-03-02", "2403.00013", "Middle Models", 12, "Wei Zhang", "중간 모델."),
    ("2024-03-01", "2403.00001", "Fast Things", 8, "Wei Zhang, Kim Minsu", "빠른 것들."),
    ("2024-03-01", "2403.00002", "Fast Things", 9, "Wei Zhang", "또 빠른 것들."),  # the same key as the above
    ("2024-03-01", "2403.00011", "Quiet Models Win", 1, "Mia Park, Jo Lee", "이틀째."),  # on two days
]
ORDER = ["2403.00012", "2403.00013", "2403.00011", "2403.00002", "2403.00001", "2403.00011"]


def digest_text(date: str) -> str:
    lines = [f"## Daily Papers ({date})", ""]
    for day, arxiv_id, title, votes, authors, news in ENTRIES:
        if day != date:
            continue
        lines += [
            f"### [{title}](https://arxiv.org/abs/{arxiv_id})", "",
            f"![](https://example.org/{arxiv_id}.png)", "",
            f"Vote: {votes}", "",
            f"Authors: {authors}", "",
            f"- ***What's New***: {news}",
            "- ***Technical Details***: 세부 사항.", "",
        ]
    return "\n".join(lines)


@pytest.fixture
def archive(tmp_path):
    root = tmp_path / "archive"
    for date in ("2024-03-01", "2024-03-02"):
        y, m, d = date.split("-")
        path = root / y / m / f"{d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(digest_text(date), encoding="utf-8")
    return root


@pytest.fixture
def state_file(tmp_path):
    path = tmp_path / "state" / "state.json"
    store = StateStore(path)
    store.set_starred("2403.00011")
    store.set_starred("2403.00001")
    store.set_starred("2499.99999")  # starred but not in this library
    store.set_read("2403.00012")
    store.close()
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def papers_of(archive) -> list[Paper]:
    return list(Library.open([archive]).load_all().papers())


# ------------------------------------------------------------------------------------------------ core
def test_library_order_is_newest_day_first_then_votes(archive):
    assert [p.arxiv_id for p in papers_of(archive)] == ORDER


def test_export_papers_knows_every_format_and_rejects_others(archive):
    papers = papers_of(archive)
    assert EXPORT_FORMATS == ("json", "bibtex", "ris", "csv", "markdown")
    for fmt in EXPORT_FORMATS:
        assert export_papers(papers, fmt).endswith("\n")
    with pytest.raises(ValueError, match="unknown export format"):
        export_papers(papers, "docx")


@pytest.mark.parametrize("name, fmt", [
    ("refs.bib", "bibtex"), ("OUT.BIB", "bibtex"), ("a.ris", "ris"), ("list.md", "markdown"), ("x.csv", "csv"),
    ("x.json", "json"), ("x.txt", None), ("bib", None),
])
def test_format_for_path(name, fmt):
    assert format_for_path(name) == fmt


def test_whats_new_falls_back_to_the_summary():
    base = dict(arxiv_id="2401.00001", title="T", url="u", pdf_url="p", thumbnail=None, votes=1, authors=(),
                date="2024-01-01")
    assert whats_new(Paper(**base, sections=(Section("What's New", "새로운\n  점."),))) == "새로운 점."
    assert whats_new(Paper(**base, sections=(Section("Summary", "첫 문단.\n\n둘째 문단."),))) == "첫 문단."
    assert whats_new(Paper(**base)) == ""


def test_json_is_what_it_was(archive):
    data = json.loads(export_json(papers_of(archive)))
    assert [p["arxiv_id"] for p in data["papers"]] == ORDER
    assert data["papers"][0]["authors"] == ["Łukasz Nowak", "Hal Daumé III", "+", "Ana Sousa"]


# ------------------------------------------------------------------------------------------------ the command
def test_export_bibtex_unique_keys_each_paper_once_in_order(capsys, archive):
    code, out, err = run(capsys, "export", archive, "--format", "bibtex")
    assert code == 0, err
    library = bibtexparser.parse_string(out)
    assert not library.failed_blocks
    assert [e["eprint"] for e in library.entries] == ["2403.00012", "2403.00013", "2403.00011", "2403.00002",
                                                      "2403.00001"]
    keys = {e["eprint"]: e.key for e in library.entries}
    assert keys["2403.00001"] == "zhang2024fastthings"  # the older id keeps the bare key
    assert keys["2403.00002"] == "zhang2024fastthingsa"
    loud = library.entries[0]
    assert loud["title"] == "{Loud Models} \\& 90\\% {Gains}"
    assert loud["author"] == "{\\L}ukasz Nowak and Daumé, III, Hal and Ana Sousa and others"


def test_export_ris_imports_with_rispy(capsys, archive):
    code, out, _ = run(capsys, "export", archive, "--format", "ris")
    assert code == 0
    records = rispy.loads(out)
    assert [r["accession_number"] for r in records] == [f"arXiv:{i}" for i in ORDER[:5]]
    assert records[0]["title"] == "Loud Models & 90% Gains"
    assert records[0]["authors"] == ["Nowak, Łukasz", "Daumé, Hal, III", "Sousa, Ana"]
    assert all(r["type_of_reference"] == "JOUR" and r["year"] == "2024" for r in records)


def test_export_csv_reads_back(capsys, archive):
    code, out, _ = run(capsys, "export", archive, "--format", "csv")
    assert code == 0
    assert out.startswith(",".join(CSV_COLUMNS) + "\r\n")
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert [r["arxiv_id"] for r in rows] == ORDER  # every appearance: the rows carry the day
    loud = rows[0]
    assert loud["title"] == "Loud Models & 90% Gains"
    # Issue 17: the '+' placeholder is never a name; the row says the list is incomplete and unverified
    assert loud["authors"].split("; ") == ["Łukasz Nowak", "Hal Daumé III", "Ana Sousa"]
    assert loud["authors_complete"] == "no" and loud["authors_source"] == "archive"
    assert loud["votes"] == "40" and loud["year"] == "2024" and loud["date"] == "2024-03-02"
    assert loud["url"] == "https://arxiv.org/abs/2403.00012"
    assert loud["hf_url"] == "https://huggingface.co/papers/2403.00012"
    assert loud["whats_new"] == "시끄러운 모델, 그리고 **굵은** 글씨."


def test_csv_quotes_commas_quotes_and_newlines():
    p = Paper("2401.00001", 'A "quoted", title\nwith a break', "u", "p", None, None, ("A, B",), "2024-01-01")
    (row,) = list(csv.DictReader(io.StringIO(export_csv([p]), newline="")))
    assert row["title"] == 'A "quoted", title\nwith a break'
    assert row["votes"] == ""


FORMULAS = ["=HYPERLINK(\"https://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def test_csv_cells_never_start_a_spreadsheet_formula(capsys, tmp_path):
    """OWASP's rule for CSV injection: a cell starting with =, +, -, @, a tab or a carriage return gets a
    leading apostrophe, whichever field of a digest it comes from; every other cell is as it was."""
    digest = tmp_path / "2024-03-05.md"
    digest.write_text("\n".join([
        "## Daily Papers (2024-03-05)", "",
        "### [=HYPERLINK(\"https://evil.example\",\"click\")](https://arxiv.org/abs/2403.00021)", "",
        "Vote: 5", "", "Authors: +cmd|' /C calc'!A0, @SUM(1+1), Kim Minsu", "",
        "- **What's New**: -2+3+cmd|' /C calc'!A0", "",
        "### [Plain - title](https://arxiv.org/abs/2403.00022)", "",
        "Vote: 4", "", "Authors: Kim Minsu", "", "- **What's New**: 보통 요약.", ""]), encoding="utf-8")
    code, out, _ = run(capsys, "export", str(digest), "--format", "csv")
    assert code == 0
    evil, plain = list(csv.DictReader(io.StringIO(out, newline="")))
    assert evil["title"] == "'=HYPERLINK(\"https://evil.example\",\"click\")"
    assert evil["authors"] == "'+cmd|' /C calc'!A0; @SUM(1+1); Kim Minsu"
    assert evil["whats_new"] == "'-2+3+cmd|' /C calc'!A0"
    assert plain == {**plain, "title": "Plain - title", "authors": "Kim Minsu", "whats_new": "보통 요약.",
                     "votes": "4", "date": "2024-03-05", "url": "https://arxiv.org/abs/2403.00022"}
    for text in FORMULAS:  # every field, every dangerous first character
        p = Paper("2401.00001", text, text, text, None, None, (text,), "2024-01-01",
                  (Section("What's New", text),))
        (row,) = list(csv.DictReader(io.StringIO(export_csv([p]), newline="")))
        for column in ("title", "pdf_url"):
            assert row[column] == "'" + text, (column, row[column])
        # (an author's name is cited without the spaces around it, issue 17: "\t=1+1" is the name "=1+1")
        assert row["authors"] == "'" + text.strip(), row["authors"]
        assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values()), row


def test_export_markdown_reading_list(capsys, archive):
    code, out, _ = run(capsys, "export", archive, "--format", "markdown")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "# Daily Papers: reading list"
    assert [l for l in lines if l.startswith("## ")] == ["## 2024-03-02", "## 2024-03-01"]
    items = [l for l in lines if l.startswith("- ")]
    assert items[0] == "- [Loud Models & 90% Gains](https://arxiv.org/abs/2403.00012), Łukasz Nowak et al., 2024  "
    assert len(items) == 6
    assert lines[lines.index(items[0]) + 1] == "  시끄러운 모델, 그리고 **굵은** 글씨."
    assert out.index("## 2024-03-02") < out.index("Quiet Models Win") < out.index("## 2024-03-01")


def test_markdown_of_nothing():
    assert export_markdown([]) == "# Daily Papers: reading list\n\n_No papers._\n"


def test_export_one_day(capsys, archive):
    code, out, _ = run(capsys, "export", archive, "--format", "csv", "--date", "2024-03-01")
    assert code == 0
    assert [r["arxiv_id"] for r in csv.DictReader(io.StringIO(out, newline=""))] == ["2403.00002", "2403.00001",
                                                                                    "2403.00011"]


def test_export_starred(capsys, archive, state_file):
    code, out, err = run(capsys, "export", archive, "--starred", "--state", state_file, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    # each starred paper once, at its newest day, in library order
    assert [(r["arxiv_id"], r["date"]) for r in rows] == [("2403.00011", "2024-03-02"), ("2403.00001", "2024-03-01")]
    assert "1 starred paper is not in this library" in err  # (was "1 starred papers are": issue 13, plurals)


def test_export_starred_of_one_day(capsys, archive, state_file):
    code, out, _ = run(capsys, "export", archive, "--starred", "--state", state_file, "--date", "2024-03-01",
                       "--format", "bibtex")
    assert code == 0
    assert [e["eprint"] for e in bibtexparser.parse_string(out).entries] == ["2403.00001", "2403.00011"]


def test_export_starred_uses_the_state_env(capsys, archive, state_file, monkeypatch):
    monkeypatch.setenv("DAILY_PAPERS_STATE", str(state_file))
    code, out, _ = run(capsys, "export", archive, "--starred", "--format", "ris")
    assert code == 0
    assert [r["accession_number"] for r in rispy.loads(out)] == ["arXiv:2403.00011", "arXiv:2403.00001"]


def test_export_starred_without_stars_is_an_error_and_writes_nothing(capsys, archive, tmp_path):
    target = tmp_path / "refs.bib"
    target.write_text("old\n", encoding="utf-8")
    code, out, err = run(capsys, "export", archive, "--starred", "-o", target)
    assert code == 1
    assert "no starred papers" in err and err.count("\n") == 1
    assert target.read_text(encoding="utf-8") == "old\n"
    from reader.paths import state_path

    assert not state_path().exists()  # looking for stars creates no state file


def test_export_starred_with_a_missing_state_file(capsys, archive, tmp_path):
    code, _, err = run(capsys, "export", archive, "--starred", "--state", tmp_path / "nope.json")
    assert code == 1
    assert "no such state file" in err


def test_export_to_a_file_guesses_the_format_and_replaces_atomically(capsys, archive, tmp_path):
    target = tmp_path / "out" / "refs.bib"
    target.parent.mkdir()
    target.write_text("old contents\n", encoding="utf-8")
    code, out, err = run(capsys, "export", archive, "-o", target)
    assert code == 0
    assert out == ""
    assert "wrote 5 papers to" in err and "(bibtex)" in err
    assert len(bibtexparser.parse_string(target.read_text(encoding="utf-8")).entries) == 5
    assert os.listdir(target.parent) == ["refs.bib"]  # no temporary file left behind


def test_export_format_flag_beats_the_file_name(capsys, archive, tmp_path):
    target = tmp_path / "refs.bib"
    code, _, err = run(capsys, "export", archive, "-o", target, "--format", "json")
    assert code == 0 and "wrote 6 papers" in err
    assert len(json.loads(target.read_text(encoding="utf-8"))["papers"]) == 6


def test_export_default_is_json(capsys, archive):
    code, out, _ = run(capsys, "export", archive)
    assert code == 0
    assert [p["arxiv_id"] for p in json.loads(out)["papers"]] == ORDER


def test_export_unwritable_target_is_one_line(capsys, archive, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "export", archive, "-o", blocker / "refs.bib")
    assert code == 1
    assert "cannot write" in err and err.count("\n") == 1


# ------------------------------------------------------------------------------- a reading list from hostile text
HOSTILE_NEWS = [
    "<script>alert(1)</script> 스크립트",
    "<img src=x onerror=alert(1)> 이미지 태그",
    "[클릭](javascript:alert(1)) 자바스크립트 링크",
    "[숨김](&#106;avascript:alert(1)) 엔티티로 숨긴 링크",
    "[데이터](data:text/html;base64,PHNjcmlwdD4=) 데이터 링크",
    "<javascript:alert(1)> 자동 링크",
    "[파일](file:///etc/passwd) 파일 링크",
    "![추적](https://tracker.example/pixel.png) 원격 이미지",
    "[![배지](https://img.example/b.svg)](https://ok.example/page) 링크 속 이미지",
    "[좋은 링크](https://arxiv.org/abs/2401.00001 \"title\") **굵게** `<code>` 그대로",
    "# 제목처럼 보이는 줄",
    "--- 규칙처럼",
    "<div>블록 HTML</div>",
    "&lt;b&gt;엔티티&lt;/b&gt;",
]


def _hostile_papers() -> list[Paper]:
    return [Paper(f"2401.{n:05d}", f"Paper {n}", "u", "p", None, 1, ("Kim Minsu",), "2024-01-01",
                  sections=(Section("What's New", news),)) for n, news in enumerate(HOSTILE_NEWS, 1)]


def _rendered(markdown: str) -> list:
    """The tokens a GFM renderer makes of it (raw HTML allowed and bare links made links, as GitHub does)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("gfm-like", {"html": True, "linkify": True})
    tokens = md.parse(markdown)
    flat = []
    stack = list(tokens)
    while stack:
        token = stack.pop(0)
        flat.append(token)
        stack[:0] = token.children or []
    return flat


def test_the_reading_list_carries_no_raw_html_no_foreign_link_and_no_remote_image():
    out = export_markdown(_hostile_papers())
    tokens = _rendered(out)
    assert [t for t in tokens if t.type in ("html_inline", "html_block")] == []
    assert [t for t in tokens if t.type == "image"] == []
    links = [t.attrGet("href") for t in tokens if t.type == "link_open"]
    assert links and all(str(href).startswith(("https://", "http://")) for href in links), links
    assert "https://ok.example/page" in links and "https://arxiv.org/abs/2401.00001" in links
    assert [t.tag for t in tokens if t.type.endswith("_open") and t.tag in ("h1", "h2", "hr")].count("h1") == 1
    assert not any(t.type == "hr" for t in tokens)
    # nothing is lost: the words are all there, as text
    text = "".join(t.content for t in tokens if t.type in ("text", "code_inline"))
    for words in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "클릭", "숨김", "데이터", "파일",
                  "추적", "배지", "<code>", "제목처럼 보이는 줄", "<div>블록 HTML</div>"):
        assert words in text, words
    assert "**굵게**" in out


def test_the_reading_list_carries_each_note_beside_its_citation_made_safe():
    papers = _hostile_papers()[:2]
    notes = {papers[0].arxiv_id: "첫 줄: **중요**\n# not a heading\n<script>x</script> ![i](https://e.x/i.png)"}
    out = export_markdown(papers, notes=notes)
    entries = out.split("\n- ")
    assert "*Note:* 첫 줄: **중요**" in entries[1] and "Note" not in entries[2]
    tokens = _rendered(out)
    assert [t for t in tokens if t.type in ("html_inline", "html_block", "image")] == []
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1", "h2"]  # the note opened no heading
    text = "".join(t.content for t in tokens if t.type == "text")
    assert "not a heading" in text and "<script>x</script>" in text  # its words, as text


def test_export_markdown_from_the_command_line_has_the_notes(capsys, archive, state_file):
    from reader.core.state import StateStore

    StateStore(state_file).set_note("2403.00011", "compare with 2403.00001")
    code, out, err = run(capsys, "export", archive, "--starred", "--state", state_file, "--format", "markdown")
    assert code == 0, err
    assert "*Note:* compare with 2403.00001" in out
