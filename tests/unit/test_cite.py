"""Citations of one paper: golden tests for the key style, LaTeX escaping, names, APA, Markdown, RIS,
and the `cite` command. The papers here are made up (or famous titles, as metadata), not the archive's."""

from __future__ import annotations

import re

import bibtexparser
import pytest
import rispy
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.cli import main
from reader.core.cite import (
    FORMAT_LABELS,
    FORMATS,
    apa_authors,
    apa_name,
    arxiv_year,
    bibtex_authors,
    bibtex_key,
    bibtex_name,
    escape_latex,
    escape_title,
    format_citation,
    format_citations,
    plain_title,
    split_name,
    unique_keys,
)
from reader.core.model import Paper


def paper(arxiv_id="2401.01234", title="A Study of Things", authors=("Minsu Kim", "Jiwoo Lee"), date="2024-01-03",
          votes=5) -> Paper:
    return Paper(arxiv_id=arxiv_id, title=title, url=f"https://arxiv.org/abs/{arxiv_id}",
                 pdf_url=f"https://arxiv.org/pdf/{arxiv_id}", thumbnail=None, votes=votes,
                 authors=tuple(authors), date=date)


def parse_one(bib: str):
    library = bibtexparser.parse_string(bib)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    assert len(library.entries) == 1
    return library.entries[0]


def balanced(text: str) -> bool:
    depth = 0
    for ch in text:  # BibTeX counts every brace, escaped or not
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return False
    return depth == 0


# ------------------------------------------------------------------------------------------------ years
@pytest.mark.parametrize("arxiv_id, year", [
    ("2408.03326", "2024"), ("0704.0001", "2007"), ("1501.00001", "2015"), ("2412.21079v2", "2024"),
    ("hep-th/9901001", "1999"), ("math/0211159", "2002"), ("math.GT/0309136", "2003"),
    ("cond-mat/9112001", "1991"), ("astro-ph/0703999", "2007"),
])
def test_year_comes_from_the_id(arxiv_id, year):
    assert arxiv_year(arxiv_id) == year


def test_year_falls_back_to_the_date_only_for_an_unknown_id_style():
    assert arxiv_year("not-an-id", "2023-05-01") == "2023"
    assert arxiv_year("2105.00001", "2023-05-01") == "2021"
    assert arxiv_year("weird", "") == ""


# ------------------------------------------------------------------------------------------------ keys
@pytest.mark.parametrize("arxiv_id, title, first_author, key", [
    # arXiv's key style: surname, year, the first four words that are not stop words
    ("1706.03762", "Attention Is All You Need", "Ashish Vaswani", "vaswani2017attentionneed"),
    ("2005.14165", "Language Models are Few-Shot Learners", "Tom B. Brown", "brown2020languagemodelsfewshotlearners"),
    ("1810.04805", "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
     "Jacob Devlin", "devlin2018bertpretrainingdeepbidirectional"),
    # lowercase ASCII: accents folded, special letters spelled, Greek named, LaTeX dropped
    ("2301.00001", "Über Größe", "Łukasz Müller-Świątek", "mullerswiatek2023ubergrosse"),
    ("2410.04081", "$ε$-VAE: Denoising as Visual Decoding", "Anna Wan", "wan2024epsilonvaedenoisingvisualdecoding"),
    ("2311.11111", "M$^{2}$UGen: Music & Words", "Atin Hussain", "hussain2023m2ugenmusicwords"),
    # arXiv's surname rule (issue 17): the title's words as written, LaTeX commands and all; a suffix dropped;
    # particles only before the last word ("van der Berg"), else the last word
    ("2402.00002", "The \\textsc{Spider} Benchmark", "Hal Daumé III", "daume2024textscspiderbenchmark"),
    ("2402.00003", "Models of Things", "Henrique Ponde de Oliveira Pinto", "pinto2024modelsthings"),
    ("2402.00005", "Models of Things", "Ludwig van der Berg", "vanderberg2024modelsthings"),
    ("2402.00006", "Models of Things", "Peter H. N. de With", "dewith2024modelsthings"),
    ("2402.00004", "Gemini: A Family", "Gemini Team", "geminiteam2024geminifamily"),
    ("hep-th/9901001", "Strings", "Edward Witten", "witten1999strings"),
])
def test_key_style(arxiv_id, title, first_author, key):
    assert bibtex_key(paper(arxiv_id, title, (first_author, "Second Author"))) == key


def test_key_without_authors_and_after_a_gap_marker():
    assert bibtex_key(paper("2311.10122", "Testing Agents", ())) == "unknown2023testingagents"
    assert bibtex_key(paper("2311.10122", "Testing Agents", ("+", "Mia Park"))) == "park2023testingagents"


def test_unique_keys_suffix_collisions_and_never_reuse_a_natural_key():
    a = paper("2401.00002", "Fast Things", ("Wei Zhang",))
    b = paper("2401.00001", "Fast Things", ("Wei Zhang",))
    c = paper("2401.00003", "Fast Things", ("Wei Zhang",))
    natural_a = paper("2401.00009", "Fast Thingsa", ("Wei Zhang",))  # its own key is zhang2024fastthingsa
    keys = unique_keys([a, b, c, natural_a])
    assert keys["2401.00001"] == "zhang2024fastthings"  # the oldest id keeps the bare key
    assert keys["2401.00002"] == "zhang2024fastthingsb"  # 'a' would clash with natural_a's key
    assert keys["2401.00003"] == "zhang2024fastthingsc"
    assert keys["2401.00009"] == "zhang2024fastthingsa"
    assert len(set(keys.values())) == 4


def test_format_citations_gives_each_paper_once_with_unique_keys():
    a = paper("2401.00001", "Fast Things", ("Wei Zhang",))
    b = paper("2401.00002", "Fast Things", ("Wei Zhang",))
    text = format_citations([a, b, a], "bibtex")
    library = bibtexparser.parse_string(text)
    assert [e.key for e in library.entries] == ["zhang2024fastthings", "zhang2024fastthingsa"]
    assert [e["eprint"] for e in library.entries] == ["2401.00001", "2401.00002"]
    assert format_citations([], "bibtex") == ""
    assert format_citations([a, b], "arxiv") == "arXiv:2401.00001\narXiv:2401.00002\n"


# ------------------------------------------------------------------------------------------------ escaping
@pytest.mark.parametrize("title, latex", [
    ("Reaching 90% accuracy", "{Reaching} 90\\% accuracy"),
    ("Agents for $200k and $300k", "{Agents} for \\$200k and \\$300k"),
    ("From $5-$10 per query", "{From} \\$5-\\$10 per query"),
    ("\\textsc{Spider}: a benchmark", "{{\\textsc{Spider}:}} a benchmark"),
    ("M$^{2}$UGen: music understanding", "{M$^{2}$UGen:} music understanding"),
    ("Apples & oranges", "{Apples} \\& oranges"),
    ("Tags #1 and snake_case", "{Tags} \\#1 and snake\\_case"),
    ("Free^2Guide: a ~ tilde", "{Free\\textasciicircum{}2Guide:} a \\textasciitilde{} tilde"),
    ("scores >80% and <5 | bars", "scores \\textgreater{}80\\% and \\textless{}5 \\textbar{} bars"),
    ("Open {brace and close} brace", "{Open} {brace and close} brace"),
    ("Lone { brace", "{Lone} \\textbraceleft{} brace"),
    ("Lone } brace", "{Lone} \\textbraceright{} brace"),
    ("Already escaped 50\\% and \\& and \\_", "{Already} escaped 50\\% and \\& and \\_"),
    ("LLaMA and GPT-4o beat ViT", "{LLaMA} and {GPT-4o} beat {ViT}"),
    ("The Llama Herd of Models", "{The Llama Herd} of {Models}"),
    ("LLM$\\times$MapReduce", "{LLM$\\times$MapReduce}"),
    ("$\\textbf{Only-IF}$: instruction diversity", "{$\\textbf{Only-IF}$:} instruction diversity"),
    ("$ε$-VAE and SOTOPIA-$π$", "{$\\varepsilon$-VAE} and {SOTOPIA-$\\pi$}"),
    ("μ-law and ∇ loss", "$\\mu$-law and $\\nabla$ loss"),
    ("in $\\sim$20 seconds", "in $\\sim$20 seconds"),
    ("a $L_2$ norm", "a {$L_2$} norm"),
    ("$\\mathbb{R}^n$ embeddings", "{$\\mathbf{R}^n$} embeddings"),
    ("$\\foo{x}$ is unknown", "\\$\\textbackslash{}foo{x}\\$ is unknown"),
    ("double $x^2^3$ scripts", "double \\$x\\textasciicircum{}2\\textasciicircum{}3\\$ scripts"),
    ("$a & b$ in math", "$a \\& b$ in math"),
    ("\\LaTeX{} typesetting", "{{\\LaTeX{}}} typesetting"),
    ("Caf\\'e na\\\"ive \\v{C}ech", "{Café} naïve {Čech}"),
    ("Llamas 🦙 in 東京", "{Llamas} in ??"),
    ("ℓ-norms and ǘ", "$\\ell$-norms and ü"),
    ("Zero\u200bwidth soft\u00adhyphen", "{Zerowidth} softhyphen"),
    ("  spaced \n out\ttitle ", "spaced out title"),
    ("Trailing backslash \\", "{Trailing} backslash \\textbackslash{}"),
])
def test_escape_title_golden(title, latex):
    assert escape_title(title) == latex


@pytest.mark.parametrize("title, plain", [
    ("M$^{2}$UGen: music", "M²UGen: music"),
    ("LLM$\\times$MapReduce", "LLM×MapReduce"),
    ("$ε$-VAE", "ε-VAE"),
    ("a $L_2$ norm", "a L₂ norm"),
    ("\\textsc{Spider}: 90\\% \\& more", "Spider: 90% & more"),
    ("Reaching 90% & $200k", "Reaching 90% & $200k"),
    ("$\\frac{1}{2}$-bit", "1/2-bit"),
])
def test_plain_title(title, plain):
    assert plain_title(title) == plain


def test_title_survives_bibtexparser_with_braces_balanced():
    title = "M$^{2}$UGen & 90% {of} $200k: \\textsc{X} {unbalanced ^ ~ # _"
    entry = parse_one(format_citation(paper(title=title), "bibtex"))
    assert entry["title"] == escape_title(title)
    assert balanced(entry["title"])


_TITLE_ALPHABET = st.sampled_from(list("aZ $%&#_^~{}\\<>|'\"-:é日μ") + ["\\textsc{", "$x^", "\\'", "\\v{", "}", "$$"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_TITLE_ALPHABET, max_size=30).map("".join))
def test_any_title_gives_balanced_braces_and_no_bare_specials(title):
    latex = escape_title(title)
    assert balanced(latex)
    # Outside math, every LaTeX special is escaped: strip math and escapes, and none is left bare.
    no_math = re.sub(r"(?<!\\)\$(?:[^$\\]|\\.)*(?<!\\)\$", "", latex)
    no_escapes = re.sub(r"\\[%&#_$]|\\[A-Za-z]+|\\[,\\ ]", "", no_math)
    assert not re.search(r"[%&#_$^~]", no_escapes), latex
    assert not latex.endswith("\\")


def test_escape_latex_for_names_keeps_dollars_literal():
    assert escape_latex("A $B$ & C_D") == "A \\$B\\$ \\& C\\_D"


# ------------------------------------------------------------------------------------------------ names
@pytest.mark.parametrize("name, first, von, last, jr", [
    ("Ka Leong Cheng", "Ka Leong", "", "Cheng", ""),
    ("Hal Daumé III", "Hal", "", "Daumé", "III"),
    ("Martin Luther King Jr.", "Martin Luther", "", "King", "Jr."),
    ("Henrique Ponde de Oliveira Pinto", "Henrique Ponde", "de", "Oliveira Pinto", ""),
    ("Ludwig van der Berg", "Ludwig", "van der", "Berg", ""),
    ("OpenAI", "", "", "OpenAI", ""),
])
def test_split_name(name, first, von, last, jr):
    parsed = split_name(name)
    assert (parsed.first, parsed.von, parsed.last, parsed.jr) == (first, von, last, jr)


@pytest.mark.parametrize("name, bib", [
    ("Ka Leong Cheng", "Ka Leong Cheng"),
    ("Hal Daumé III", "Daumé, III, Hal"),  # BibTeX's "von Last, Jr, First": III is not a surname
    ("Émile Zola", "{\\'E}mile Zola"),  # a first letter BibTeX abbreviates: a special character
    ("Jean-Émile Faruk", "Jean-{\\'E}mile Faruk"),
    ("Łukasz Kaiser", "{\\L}ukasz Kaiser"),
    ("Jiří Kołodziej", "Jiří Ko{\\l}odziej"),  # alpha labels take 3 letters of the surname
    ("Iker García-Ferrero", "Iker García-Ferrero"),  # UTF-8 everywhere else
    ("Anna Nováková", "Anna Nováková"),
    ("Qwen Team", "{Qwen Team}"),
    ("Smith and Wesson", "{Smith and Wesson}"),
    ("others", "{others}"),
    ("A_B C&D", "A\\_B C\\&D"),
])
def test_bibtex_name(name, bib):
    assert bibtex_name(name) == bib


def test_bibtex_authors_gap_becomes_and_others_and_glitch_repeats_are_dropped():
    p = paper(authors=("Dan Kondratyuk", "Dan Kondratyuk", "Lijun Yu", "+", "Ming Chiu", " "))
    assert bibtex_authors(p) == "Dan Kondratyuk and Lijun Yu and Ming Chiu and others"
    assert bibtex_authors(paper(authors=())) == ""


# ------------------------------------------------------------------------------------------------ bibtex
def test_bibtex_layout_is_arxivs():
    p = paper("2412.21079", "Edicho: Consistent Image Editing in the Wild", ("Qiuyu Wang", "Ceyuan Yang"))
    assert format_citation(p) == (
        "@misc{wang2024edichoconsistentimageediting,\n"
        "      title={{Edicho: Consistent Image Editing} in the {Wild}}, \n"
        "      author={Qiuyu Wang and Ceyuan Yang},\n"
        "      year={2024},\n"
        "      eprint={2412.21079},\n"
        "      archivePrefix={arXiv},\n"
        "      url={https://arxiv.org/abs/2412.21079}, \n"  # arXiv's own trailing spaces (issue 17)
        "}"
    )


def test_bibtex_leaves_out_what_the_digest_does_not_hold():
    text = format_citation(paper(authors=()), "bibtex")
    entry = parse_one(text)
    assert "author" not in entry.fields_dict
    for invented in ("primaryClass", "doi", "journal", "month", "abstract"):
        assert invented.lower() not in text.lower()
    assert entry.entry_type == "misc"


# ------------------------------------------------------------------------------------------------ APA
@pytest.mark.parametrize("name, apa", [
    ("Ka Leong Cheng", "Cheng, K. L."),
    ("Xiao-Yu Chen", "Chen, X.-Y."),
    ("C. Daniel Freeman", "Freeman, C. D."),
    ("JD Co-Reyes", "Co-Reyes, J. D."),
    ("Hal Daumé III", "Daumé, H., III"),
    ("Henrique Ponde de Oliveira Pinto", "de Oliveira Pinto, H. P."),
    ("Łukasz Kaiser", "Kaiser, Ł."),
    ("OpenAI", "OpenAI"),
    ("Qwen Team", "Qwen Team"),
])
def test_apa_name(name, apa):
    assert apa_name(name) == apa


def _people(n):
    return [f"Given{i} Family{i}" for i in range(1, n + 1)]


def test_apa_author_list_rules():
    assert apa_authors(_people(1)) == "Family1, G."
    assert apa_authors(_people(2)) == "Family1, G., & Family2, G."
    assert apa_authors(_people(3)) == "Family1, G., Family2, G., & Family3, G."
    twenty = apa_authors(_people(20))
    assert twenty.count(", G.") == 20 and twenty.endswith(", & Family20, G.") and ". . ." not in twenty
    many = apa_authors(_people(25))
    expected_head = ", ".join(f"Family{i}, G." for i in range(1, 20))
    assert many == expected_head + ", . . . Family25, G."  # first 19, ellipsis, the last; no ampersand
    assert "&" not in many
    assert apa_authors([]) == ""


def test_apa_with_an_incomplete_list_cites_its_names_then_et_al():
    # Issue 17: a list with names left out (the digests' '+') has no known last author: 'et al.' marks it.
    assert apa_authors(_people(6), complete=False) == ", ".join(f"Family{i}, G." for i in range(1, 7)) + ", et al."
    assert apa_authors(_people(30), complete=False) == ", ".join(f"Family{i}, G." for i in range(1, 20)) + ", et al."
    assert apa_authors(_people(1), complete=False) == "Family1, G., et al."


def test_apa_citation():
    p = paper("2401.00001", "Small Models Think Too", ("Ka Leong Cheng", "Mia Park"))
    # Issue 17: sentence case, then 'arXiv:ID [Preprint]' and arXiv's DOI
    assert format_citation(p, "apa") == (
        "Cheng, K. L., & Park, M. (2024). Small models think too. arXiv:2401.00001 [Preprint]. "
        "https://doi.org/10.48550/arXiv.2401.00001"
    )
    q = paper("2401.00002", "Is M$^{2}$ Enough?", ("Mia Park",))
    assert format_citation(q, "apa") == (
        "Park, M. (2024). Is M² enough? arXiv:2401.00002 [Preprint]. https://doi.org/10.48550/arXiv.2401.00002")
    r = paper("2401.00003", "Anonymous Work", ())
    assert format_citation(r, "apa") == (
        "Anonymous work. (2024). arXiv:2401.00003 [Preprint]. https://doi.org/10.48550/arXiv.2401.00003")
    s = paper("2401.00004", "Gap", ("A One", "B Two", "+", "C Three"))
    assert format_citation(s, "apa").startswith("One, A., Two, B., Three, C., et al. (2024). Gap. arXiv:2401.00004")


# ------------------------------------------------------------------------------------------------ others
def test_markdown_citation():
    assert format_citation(paper("2401.00001", "Small Models", ("Ka Leong Cheng", "Mia Park", "Jo Lee")),
                           "markdown") == "[Small Models](https://arxiv.org/abs/2401.00001), Ka Leong Cheng et al., 2024"
    assert format_citation(paper(title="One", authors=("Mia Park",)), "markdown").endswith(", Mia Park, 2024")
    assert format_citation(paper(title="Two", authors=("A B", "C D")), "markdown").endswith(", A B and C D, 2024")
    assert format_citation(paper(title="Gap", authors=("A B", "+", "C D")), "markdown").endswith(", A B et al., 2024")
    tricky = format_citation(paper(title="[Brackets] and *stars* with M$^{2}$", authors=("Mia_Park",)), "markdown")
    assert tricky == ("[\\[Brackets\\] and \\*stars\\* with M²](https://arxiv.org/abs/2401.01234), Mia\\_Park, 2024")
    assert format_citation(paper(title="No one", authors=()), "markdown") == (
        "[No one](https://arxiv.org/abs/2401.01234), 2024")


def test_arxiv_citation():
    assert format_citation(paper("2408.03326"), "arxiv") == "arXiv:2408.03326"
    assert format_citation(paper("hep-th/9901001"), "arxiv") == "arXiv:hep-th/9901001"


def test_ris_citation_parses_with_rispy():
    p = paper("2401.00001", "M$^{2}$UGen & Friends", ("Hal Daumé III", "Henrique Ponde de Oliveira Pinto", "+",
                                                     "Qwen Team"))
    text = format_citation(p, "ris")
    assert text.startswith("TY  - JOUR\n") and text.endswith("ER  - ")
    (record,) = rispy.loads(text + "\n")
    assert record["title"] == "M²UGen & Friends"
    assert record["authors"] == ["Daumé, Hal, III", "de Oliveira Pinto, Henrique Ponde", "Qwen Team"]
    assert record["year"] == "2024"
    assert record["urls"] == ["https://arxiv.org/abs/2401.00001"]
    assert record["accession_number"] == "arXiv:2401.00001"


def test_formats_and_labels():
    assert FORMATS == ("bibtex", "apa", "markdown", "arxiv", "ris")
    assert set(FORMAT_LABELS) == set(FORMATS)
    with pytest.raises(ValueError, match="unknown citation format"):
        format_citation(paper(), "mla")
    with pytest.raises(ValueError):
        format_citations([paper()], "mla")


# ------------------------------------------------------------------------------------------------ the command
DIGEST = """## Daily Papers (2024-01-05)

### [Sparse $\\mathcal{O}(n)$ Attention & 90% Savings](https://arxiv.org/abs/2401.00042)

![](https://example.org/t.png)

Vote: 7

Authors: Łukasz Nowak, Hal Daumé III, Ana Sousa

- ***What's New***: 새로운 주의 방식을 제안합니다.
"""


@pytest.fixture
def digest(tmp_path):
    path = tmp_path / "2024-01-05.md"
    path.write_text(DIGEST, encoding="utf-8")
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cite_prints_bibtex_by_default(capsys, digest):
    code, out, err = run(capsys, "cite", "2401.00042", str(digest))
    assert code == 0, err
    entry = parse_one(out)
    assert entry.key == "nowak2024sparsemathcalonattention"  # arXiv's rule: the words as written, '&' too
    assert entry["title"] == "{Sparse $\\mathcal{O}(n)$ Attention} \\& 90\\% {Savings}"
    assert entry["author"] == "{\\L}ukasz Nowak and Daumé, III, Hal and Ana Sousa"
    assert entry["year"] == "2024" and entry["eprint"] == "2401.00042"
    assert out.endswith("}\n")


@pytest.mark.parametrize("fmt, expected", [
    ("apa", "Nowak, Ł., Daumé, H., III, & Sousa, A. (2024). Sparse O(n) attention & 90% savings. "
            "arXiv:2401.00042 [Preprint]. https://doi.org/10.48550/arXiv.2401.00042\n"),
    ("markdown", "[Sparse O(n) Attention & 90% Savings](https://arxiv.org/abs/2401.00042), Łukasz Nowak et al., 2024\n"),
    ("arxiv", "arXiv:2401.00042\n"),
])
def test_cite_formats(capsys, digest, fmt, expected):
    code, out, _ = run(capsys, "cite", "https://arxiv.org/abs/2401.00042v3", str(digest), "--format", fmt)
    assert code == 0
    assert out == expected


def test_cite_ris(capsys, digest):
    code, out, _ = run(capsys, "cite", "2401.00042", str(digest), "--format", "ris")
    assert code == 0
    (record,) = rispy.loads(out)
    assert record["authors"] == ["Nowak, Łukasz", "Daumé, Hal, III", "Sousa, Ana"]


@pytest.mark.parametrize("argv, code, message", [
    (["cite", "2401.99999"], 1, "no paper 2401.99999"),
    (["cite", "not-an-id"], 2, "is not an arXiv id"),
    (["cite", "2401.00042", "--format", "mla"], 2, "invalid choice"),
    (["cite"], 2, "required"),
])
def test_cite_errors_are_one_line(capsys, digest, argv, code, message):
    argv = argv + [str(digest)] if argv != ["cite"] else argv
    if code == 2:
        with pytest.raises(SystemExit) as exc:
            main(argv)
        got = exc.value.code
    else:
        got = main(argv)
    out, err = capsys.readouterr()
    assert got == code
    assert out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
