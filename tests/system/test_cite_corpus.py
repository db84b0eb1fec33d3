"""Citations of the whole real archive (../shared/corpus): every BibTeX entry parses with a real BibTeX parser
and gives back its title, authors, year and eprint; the .bib of the archive builds with BibTeX and pdfLaTeX
(utf8 input, T1 fonts) in the standard styles; RIS and CSV of the archive read back with their usual readers.

Nothing of the archive's text is stored here: every expectation is computed from the parsed digests.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import time
import unicodedata
from pathlib import Path

import bibtexparser
import pytest
import rispy
from bibtexparser import middlewares
from pylatexenc import latex2text, latexwalker, macrospec

from reader.cli import main
from reader.core.cite import FORMATS, format_citation, format_citations, unique_keys
from reader.core.exporters import csv_cell, export_papers
from reader.core.library import Library
from reader.core.model import Paper

NEW_ID = re.compile(r"(\d{2})\d{2}\.\d{4,5}")


# ------------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def archive_papers(corpus) -> list[Paper]:
    """Every paper of the archive once (its newest day), in library order."""
    library = Library.open([corpus]).load_all()
    seen: set[str] = set()
    papers = []
    for paper in library.papers():
        if paper.arxiv_id not in seen:
            seen.add(paper.arxiv_id)
            papers.append(paper)
    assert len(papers) > 3000
    return papers


@pytest.fixture(scope="module")
def archive_bib(archive_papers) -> str:
    return format_citations(archive_papers, "bibtex")


# An independent LaTeX -> text decoder (pylatexenc), taught the few text commands it does not know.
_SYMBOLS = {"textgreater": ">", "textless": "<", "textbar": "|", "textbraceleft": "{", "textbraceright": "}",
            "textasciicircum": "^", "textasciitilde": "~", "LaTeX": "LaTeX", "TeX": "TeX"}
_WALKER_DB = latexwalker.get_default_latex_context_db()
_WALKER_DB.add_context_category("cite-test", prepend=True,
                                macros=[macrospec.MacroSpec(n, "") for n in _SYMBOLS] + [macrospec.MacroSpec("mbox", "{")])
_TEXT_DB = latex2text.get_default_latex_context_db()
_TEXT_DB.add_context_category("cite-test", prepend=True,
                              macros=[latex2text.MacroTextSpec(n, v) for n, v in _SYMBOLS.items()]
                              + [latex2text.MacroTextSpec("mbox", discard=False)])
_DECODER = latex2text.LatexNodes2Text(latex_context=_TEXT_DB, math_mode="text", strict_latex_spaces=True)


def decode(latex: str) -> str:
    nodes, _, _ = latexwalker.LatexWalker(latex, latex_context=_WALKER_DB, tolerant_parsing=False).get_latex_nodes()
    return " ".join(_DECODER.nodelist_to_text(nodes).split())


def normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def carries_latex(title: str) -> bool:
    """Commands, math, or the en dash written '--' (kept as arXiv keeps it: LaTeX prints an en dash)."""
    return "\\" in title or "--" in title or re.search(r"\$[^$]+\$", title) is not None


def expected_title(title: str) -> str:
    """What a title reads as: itself, or, when it carries LaTeX, what that LaTeX says."""
    return decode(normal(title)) if carries_latex(title) else normal(title)


def expected_plain_title(title: str) -> str:
    """The title as plain text (RIS, APA, Markdown): LaTeX commands and math read as text; '--' kept as written."""
    if "\\" in title or re.search(r"\$[^$]+\$", title):
        return decode(normal(title).replace("--", "\0")).replace("\0", "--")
    return normal(title)


_SUP = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", "0123456789+-=()ni"))
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ", "0123456789+-=()aeoxhklmnpst"))


def scripts_spelled(text: str) -> str:
    """'SL²A' -> 'SL^2A', 'L₂' -> 'L_2': Unicode super/subscripts written the way pylatexenc prints x^{2}."""
    text = re.sub(f"[{''.join(_SUP)}]+", lambda m: "^" + "".join(_SUP[c] for c in m.group(0)), text)
    return re.sub(f"[{''.join(_SUB)}]+", lambda m: "_" + "".join(_SUB[c] for c in m.group(0)), text)


def expected_authors(paper: Paper) -> list[str]:
    """The digest's names without the '+' gap marker and without a name repeated right after itself;
    'others' at the end when names were left out."""
    names: list[str] = []
    for raw in paper.authors:
        name = normal(raw)
        if name and name != "+" and (not names or names[-1] != name):
            names.append(name)
    if "+" in (a.strip() for a in paper.authors) and names:
        names.append("others")
    return names


def expected_year(paper: Paper) -> str:
    m = NEW_ID.fullmatch(paper.arxiv_id)
    assert m, paper.arxiv_id
    return str(2000 + int(m.group(1)))


# ------------------------------------------------------------------------------------------------ BibTeX
def test_every_bibtex_entry_parses_and_round_trips(archive_papers, archive_bib):
    library = bibtexparser.parse_string(
        archive_bib, append_middleware=[middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()])
    assert not library.failed_blocks, [b.error for b in library.failed_blocks[:3]]
    assert len(library.entries) == len(archive_papers)
    keys = [e.key for e in library.entries]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"[a-z0-9]+", k) for k in keys)
    problems = []
    for paper, entry in zip(archive_papers, library.entries):
        fields = entry.fields_dict
        got_title = decode(fields["title"].value)
        if got_title != expected_title(paper.title):
            problems.append((paper.arxiv_id, "title", got_title, expected_title(paper.title)))
        got_authors = [
            decode(" ".join(part for part in (*n.first, *n.von, *n.last, *n.jr)))
            for n in (fields["author"].value if "author" in fields else [])
        ]
        if got_authors != expected_authors(paper):
            problems.append((paper.arxiv_id, "authors", got_authors, expected_authors(paper)))
        for name, want in (("year", expected_year(paper)), ("eprint", paper.arxiv_id), ("archivePrefix", "arXiv"),
                           ("url", f"https://arxiv.org/abs/{paper.arxiv_id}")):
            if fields[name].value != want:
                problems.append((paper.arxiv_id, name, fields[name].value, want))
        if entry.entry_type != "misc" or set(fields) - {"title", "author", "year", "eprint", "archivePrefix", "url"}:
            problems.append((paper.arxiv_id, "fields", entry.entry_type, sorted(fields)))
    assert not problems, "\n".join(map(repr, problems[:40]))


def test_one_citation_is_the_export_entry(archive_papers, archive_bib):
    """`cite` and `export` agree: each paper's own citation is its .bib entry (the key aside, where made unique)."""
    keys = unique_keys(archive_papers)
    entries = archive_bib.rstrip("\n").split("\n\n")
    assert len(entries) == len(archive_papers)
    for paper, entry in zip(archive_papers, entries):
        assert format_citation(paper, "bibtex", key=keys[paper.arxiv_id]) == entry
    natural = sum(format_citation(p, "bibtex") == e for p, e in zip(archive_papers, entries))
    assert natural > 0.95 * len(entries)


def test_every_format_of_every_paper(archive_papers):
    start = time.perf_counter()
    for paper in archive_papers:
        texts = {fmt: format_citation(paper, fmt) for fmt in FORMATS}
        assert texts["arxiv"] == f"arXiv:{paper.arxiv_id}"
        assert texts["apa"].endswith(f" arXiv:{paper.arxiv_id} [Preprint]. https://doi.org/10.48550/arXiv.{paper.arxiv_id}")
        assert f"({expected_year(paper)})." in texts["apa"]
        assert texts["markdown"].startswith("[") and f"](https://arxiv.org/abs/{paper.arxiv_id})" in texts["markdown"]
        assert texts["markdown"].endswith(", " + expected_year(paper))
        for fmt, text in texts.items():
            assert text == text.strip() and "\n" not in text or fmt in ("bibtex", "ris"), (fmt, text)
    elapsed = time.perf_counter() - start
    assert elapsed < 20, f"citing the archive in every format took {elapsed:.1f}s"


# ------------------------------------------------------------------------------------------------ RIS, CSV
def test_ris_of_the_archive_reads_back(archive_papers):
    records = rispy.loads(export_papers(archive_papers, "ris"))
    assert len(records) == len(archive_papers)
    for paper, record in zip(archive_papers, records):
        assert record["type_of_reference"] == "JOUR"
        assert record["accession_number"] == f"arXiv:{paper.arxiv_id}"
        assert record["year"] == expected_year(paper)
        assert record["urls"] == [f"https://arxiv.org/abs/{paper.arxiv_id}"]
        assert scripts_spelled(normal(record["title"])) == expected_plain_title(paper.title), paper.arxiv_id
        # "Last, First[, Jr]" -> "First Last Jr": the names of the digest, in order
        names = []
        for author in record.get("authors", []):
            parts = [p.strip() for p in author.split(",")]
            names.append(" ".join([parts[1], parts[0], *parts[2:]]) if len(parts) > 1 else parts[0])
        assert names == [n for n in expected_authors(paper) if n != "others"], paper.arxiv_id


def test_csv_of_the_archive_reads_back(corpus):
    library = Library.open([corpus]).load_all()
    every = list(library.papers())  # every appearance: a row per paper per day
    rows = list(csv.DictReader(io.StringIO(export_papers(every, "csv"), newline="")))
    assert len(rows) == len(every)
    for paper, row in zip(every, rows):
        assert row["arxiv_id"] == paper.arxiv_id and row["date"] == paper.date
        # A cell that would start a spreadsheet formula carries a leading "'".
        assert row["title"] == csv_cell(paper.title)
        # Issue 17: without metadata, the digest's names without placeholders ('+'), marked incomplete
        assert row["authors"] == csv_cell("; ".join(n for n in expected_authors(paper) if n != "others"))
        assert row["authors_complete"] == ("no" if "+" in (a.strip() for a in paper.authors) else "yes")
        assert row["authors_source"] == "archive"
        assert row["votes"] == ("" if paper.votes is None else str(paper.votes))
        assert row["year"] == expected_year(paper)


# ------------------------------------------------------------------------------------------------ LaTeX
def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian: apt-get install texlive-latex-base; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def texmf_var(tmp_path_factory) -> Path:
    """One place for the fonts METAFONT makes on the first build (T1 without cm-super), shared by the tests."""
    return tmp_path_factory.mktemp("texmf-var")


DOCUMENT = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
%(packages)s
\tracinglostchars=3 %% a character the font lacks is an error, not a line in the log
\begin{document}
\nocite{*}
\bibliographystyle{%(style)s}
\bibliography{refs}
\end{document}
"""


def build(folder: Path, style: str, texmf_var: Path, packages: str = "") -> tuple[str, str, str]:
    """pdflatex, bibtex, pdflatex; fails on any error. Returns the .log, the .blg and the .bbl."""
    pdflatex, bibtex = _tool("pdflatex"), _tool("bibtex")
    (folder / "doc.tex").write_text(DOCUMENT % {"packages": packages, "style": style}, encoding="utf-8")
    env = {**os.environ, "TEXMFVAR": str(texmf_var)}
    latex = [pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]
    steps = [latex, [bibtex, "doc"], latex]
    for step in steps:
        done = subprocess.run(step, cwd=folder, env=env, capture_output=True, timeout=300)
        log = (folder / "doc.log").read_text(encoding="utf-8", errors="replace")
        blg = (folder / "doc.blg").read_text(encoding="utf-8", errors="replace") if (folder / "doc.blg").exists() else ""
        where = "\n".join(l for l in log.splitlines() if l.startswith("!"))[:2000] or blg[-2000:]
        assert done.returncode == 0, f"{Path(step[0]).name} failed ({style}):\n{where}\n{done.stdout[-2000:]!r}"
    errors = [l for l in log.splitlines() if l.startswith("!") or "Missing character" in l]
    assert not errors, errors[:5]
    assert (folder / "doc.pdf").stat().st_size > 1000
    return log, blg, (folder / "doc.bbl").read_text(encoding="utf-8", errors="replace")


def check_blg(blg: str, allowed_missing_author: int) -> None:
    assert "error message" not in blg, blg[-2000:]
    warnings = [l for l in blg.splitlines() if l.startswith("Warning--")]
    unexpected = [w for w in warnings if "need author or key" not in w and "empty author" not in w]
    assert not unexpected, unexpected[:5]
    assert len(warnings) <= allowed_missing_author


ARCHIVE_STYLES = ["plain", "abbrv", "alpha", "unsrt", "ieeetr", "acm"]


@pytest.fixture(scope="module")
def archive_export(corpus, tmp_path_factory, isolated) -> tuple[Path, float]:
    """The .bib of the whole archive by the command, end to end (once: every style builds the same file), and
    the seconds it took."""
    out = tmp_path_factory.mktemp("export") / "refs.bib"
    with isolated():
        start = time.perf_counter()
        assert main(["export", str(corpus), "-o", str(out)]) == 0
        return out, time.perf_counter() - start


@pytest.mark.parametrize("style", ARCHIVE_STYLES)
def test_bib_of_the_archive_builds_with_bibtex_and_pdflatex(style, archive_export, archive_papers, tmp_path,
                                                             texmf_var):
    bib, export_seconds = archive_export
    start = time.perf_counter()
    shutil.copyfile(bib, tmp_path / "refs.bib")
    log, blg, bbl = build(tmp_path, style, texmf_var)
    assert bbl.count("\\bibitem") == len(archive_papers)
    no_author = sum(1 for p in archive_papers if not [a for a in p.authors if a.strip() not in ("", "+")])
    check_blg(blg, no_author)
    assert export_seconds + time.perf_counter() - start < 60  # the command and the build


HOSTILE = [
    ("Reaching 90% accuracy for $200k and $5-$10", ("Émile Zola", "Łukasz Kaiser", "Jiří Kołodziej")),
    ("\\textsc{Spider} & M$^{2}$UGen: $ε$-VAE, $\\mathbb{R}^n$, $L_2$ and $\\foo{x}$", ("Hal Daumé III",)),
    ("Free^2Guide ~ tilde # hash _ under {lone brace and } others | > <", ("Henrique Ponde de Oliveira Pinto",)),
    ("Llamas 🦙 in 東京 with ℓ, ǘ, μ-law, ∇ and “quotes” — dashes…", ("Qwen Team", "Anna Nováková", "+", "Wei Wu")),
    ("\\LaTeX{} and Caf\\'e na\\\"ive \\v{C}ech $x^2^3$ $a & b$", ("Smith and Wesson", "others", "A_B C&D")),
    ("Ñandú Øresund Ærø Œuvre Ångström ß ı", ("Ömer Öztürk", "Çağrı Şahin", "Đorđe Đoković", "Þóra Ðís")),
    ("$\\emph{x}\\textsc{Y}\\textsuperscript{2}\\underline{z}é ο\\frac12\\sqrt{\\Gamma}\\{\\}$ and ο, ⁴, ₂, −1",
     ("Ἀριστοτέλης Ό", "王小明")),
]


def hostile_papers() -> list[Paper]:
    return [
        Paper(f"2401.0{n:04d}", title, "u", "p", None, n, authors, "2024-01-02")
        for n, (title, authors) in enumerate(HOSTILE, start=1)
    ]


@pytest.mark.parametrize("style, packages", [
    ("plain", ""), ("abbrv", ""), ("alpha", ""), ("plainnat", "\\usepackage{natbib}"),
    ("abbrvnat", "\\usepackage{natbib}"), ("apalike", "\\usepackage{natbib}"),
    ("plainnat", "\\usepackage{natbib}\\usepackage{url}\\usepackage{hyperref}"),
])
def test_hostile_titles_and_names_build(style, packages, tmp_path, texmf_var):
    papers = hostile_papers()
    (tmp_path / "refs.bib").write_text(format_citations(papers, "bibtex"), encoding="utf-8")
    _, blg, bbl = build(tmp_path, style, texmf_var, packages)
    check_blg(blg, 0)
    assert bbl.count("\\bibitem") == len(papers)


def test_archive_subset_builds_with_natbib_styles(archive_papers, tmp_path, texmf_var):
    """natbib styles, over every paper whose title or names are not plain ASCII or carry LaTeX specials.
    (The whole archive is too much for them: more than 95 "Chen et al. (2024)" overflow their a, b, c labels.)"""
    tricky = [p for p in archive_papers
              if not (p.title + "".join(p.authors)).isascii() or re.search(r"[\\$%&#_^~{}<>|]", p.title)]
    assert len(tricky) > 200
    (tmp_path / "refs.bib").write_text(format_citations(tricky, "bibtex"), encoding="utf-8")
    for style in ("plainnat", "abbrvnat"):
        _, blg, bbl = build(tmp_path, style, texmf_var, "\\usepackage{natbib}")
        check_blg(blg, len(tricky))
        assert bbl.count("\\bibitem") == len(tricky)
