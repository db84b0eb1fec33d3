"""Citations from the paper's true metadata (issue 17): arXiv's record, else Hugging Face's, else the archive's
list (unverified, placeholders never a name); BibTeX compared with arXiv's own output byte for byte apart from
the documented escaping; APA 7 sentence case; RIS and CSV carry the category, the DOI and every author."""

from __future__ import annotations

import csv
import io
import re

import bibtexparser
import pytest
import rispy
from pylatexenc.latex2text import LatexNodes2Text

from arxiv_server import recording
from reader.core.arxiv_record import ArxivRecord
from reader.core.cite import (
    ARCHIVE, ARXIV, HUGGING_FACE, citable, format_citation, format_citations, from_store, sentence_case,
)
from reader.core.exporters import export_papers
from reader.core.metadata import HFPaper, MetadataStore
from reader.core.model import Paper
from reader.sources.arxiv import parse_feed


def paper(arxiv_id="2401.01234", title="A Study of Things", authors=("Minsu Kim", "Jiwoo Lee"),
          date="2024-01-03") -> Paper:
    return Paper(arxiv_id, title, f"https://arxiv.org/abs/{arxiv_id}", f"https://arxiv.org/pdf/{arxiv_id}", None, 3,
                 tuple(authors), date)


def recorded(name: str) -> ArxivRecord:
    (record,) = parse_feed(recording(name)["body"].encode()).records
    return record


# -- where the authors come from -----------------------------------------------------------------------------
def test_arxiv_then_hugging_face_then_the_archive():
    digest = paper(authors=("Min Hong", "+", "Wei Li"))  # the archive's scrambled, cut list
    hf = HFPaper("2401.01234", "A Study of Things", ("Wei Li", "Min Hong", "Jo Park"))
    arxiv = ArxivRecord("2401.01234", "A Study of Things", ("Wei Li", "Min Hong", "Jo Park", "Ann Lee"),
                        updated="2025-02-01", primary_class="cs.LG")
    only_digest = citable(digest)
    assert (only_digest.authors, only_digest.complete, only_digest.source) == (("Min Hong", "Wei Li"), False, ARCHIVE)
    assert not only_digest.verified and only_digest.year == "2024"
    with_hf = citable(digest, hf)
    assert (with_hf.authors, with_hf.complete, with_hf.source) == (hf.authors, True, HUGGING_FACE)
    assert with_hf.verified and with_hf.year == "2024" and with_hf.primary_class is None
    with_arxiv = citable(digest, hf, arxiv)
    assert (with_arxiv.authors, with_arxiv.source, with_arxiv.year) == (arxiv.authors, ARXIV, "2025")
    assert format_citation(with_arxiv).startswith("@misc{li2025studythings,")  # the paper's first author
    assert format_citation(only_digest).startswith("@misc{hong2024studythings,")


@pytest.mark.parametrize("placeholder", ["+", "+12", "…", "...", "et al.", "others", "and others", "12 more"])
def test_a_placeholder_is_never_cited_as_a_name(placeholder):
    p = paper(authors=("Ana Sousa", placeholder, "Wei Li"))
    bib = format_citation(p)
    assert "author={Ana Sousa and Wei Li and others}" in bib
    assert format_citation(p, "apa").startswith("Sousa, A., Li, W., et al. (2024).")
    assert rispy.loads(format_citation(p, "ris"))[0]["authors"] == ["Sousa, Ana", "Li, Wei"]
    assert format_citation(p, "markdown").endswith("Ana Sousa et al., 2024")


def test_hugging_face_authors_replace_the_archives_and_its_placeholder():
    digest = paper(authors=("B Two", "+", "A One"))
    hf = HFPaper("2401.01234", "A Study of Things", ("A One", "B Two", "C Three"))
    text = format_citation(citable(digest, hf))
    assert "author={A One and B Two and C Three}," in text and "others" not in text


# -- BibTeX as arXiv writes it -----------------------------------------------------------------------------
# arXiv's own output (arxiv.org/bibtex/ID, made by arxiv-browse's arxiv_bibtex) for the same metadata.
ARXIV_1605_08386 = """@misc{stanley2016heatbathrandomwalksmarkov,
      title={Heat-bath random walks with Markov bases}, 
      author={Caprice Stanley and Tobias Windisch},
      year={2016},
      eprint={1605.08386},
      archivePrefix={arXiv},
      primaryClass={math.CO},
      url={https://arxiv.org/abs/1605.08386}, 
}"""
ARXIV_1706_03762 = """@misc{vaswani2023attentionneed,
      title={Attention Is All You Need}, 
      author={Ashish Vaswani and Noam Shazeer and Niki Parmar and Jakob Uszkoreit and Llion Jones and Aidan N. Gomez and Lukasz Kaiser and Illia Polosukhin},
      year={2023},
      eprint={1706.03762},
      archivePrefix={arXiv},
      primaryClass={cs.CL},
      url={https://arxiv.org/abs/1706.03762}, 
}"""
ARXIV_WITH_DOI = """@misc{deoliveira2022learningfastslow,
      title={Learning fast and slow}, 
      author={Ana de Oliveira and Jo Wong},
      year={2022},
      eprint={2105.00001},
      archivePrefix={arXiv},
      primaryClass={cs.LG},
      doi={https://doi.org/10.1038/s41586-021-00001-x},
      url={https://arxiv.org/abs/2105.00001}, 
}"""
ATTENTION = ArxivRecord("1706.03762", "Attention Is All You Need", (
    "Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit", "Llion Jones", "Aidan N. Gomez",
    "Lukasz Kaiser", "Illia Polosukhin"), version=7, published="2017-06-12", updated="2023-08-02",
    primary_class="cs.CL")
WITH_DOI = ArxivRecord("2105.00001", "Learning fast and slow", ("Ana de Oliveira", "Jo Wong"), version=2,
                       published="2021-05-01", updated="2022-01-10", primary_class="cs.LG",
                       doi="10.1038/s41586-021-00001-x", journal_ref="Nature 600, 1 (2022)")


def undo_documented_escaping(bib: str) -> str:
    """Our entry with the differences the README documents undone: the title's case-protecting braces and
    LaTeX escapes, the names' BibTeX special characters, the doi field's bare DOI (arXiv writes a URL)."""
    out = []
    for line in bib.split("\n"):
        m = re.fullmatch(r"(      (?:title|author)=\{)(.*)(\},\s?)", line)
        if m:
            line = m.group(1) + LatexNodes2Text().latex_to_text(m.group(2)) + m.group(3)
        line = re.sub(r"^(      doi=\{)(10\.)", r"\1https://doi.org/\2", line)
        out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize("record, arxiv_text, key", [
    (None, ARXIV_1605_08386, "stanley2016heatbathrandomwalksmarkov"),
    (ATTENTION, ARXIV_1706_03762, "vaswani2023attentionneed"),  # arXiv's year is the latest version's
    (WITH_DOI, ARXIV_WITH_DOI, "deoliveira2022learningfastslow"),  # a 2021 id whose v2 came in 2022
])
def test_bibtex_is_arxivs_byte_for_byte_apart_from_documented_escaping(record, arxiv_text, key):
    record = record or recorded("1605.08386")
    digest = paper(record.arxiv_id, "digest title", ("Someone Else",))
    ours = format_citation(citable(digest, None, record))
    assert ours.split(",", 1)[0] == "@misc{" + key
    assert undo_documented_escaping(ours) == arxiv_text
    if record is WITH_DOI:
        assert "      doi={10.1038/s41586-021-00001-x},\n" in ours  # the bare DOI: what styles expect


def test_the_34_author_recording_keeps_every_author_in_order_and_builds_a_parsable_entry():
    record = recorded("1707.08567")
    text = format_citation(citable(paper("1707.08567", "x", ()), None, record))
    entry = bibtexparser.parse_string(text).entries[0]
    assert entry.key == "immink2017proceedingsworkshopaew10concepts"
    names = entry["author"].split(" and ")
    assert len(names) == 34 and names[0] == "Kees A. Schouhamer Immink" and names[4] == "Peter H. N. de With"
    assert entry["primaryClass"] == "cs.IT" and entry["year"] == "2017"


def test_many_entries_use_each_papers_metadata_and_keep_keys_unique():
    a = citable(paper("2401.00001", "Fast Things", ("Z Z",)), None,
                ArxivRecord("2401.00001", "Fast Things", ("Wei Zhang",), updated="2024-01-05"))
    b = citable(paper("2401.00002", "Fast Things", ("Wei Zhang",)))
    text = format_citations([a, b], "bibtex")
    entries = bibtexparser.parse_string(text).entries
    assert [e.key for e in entries] == ["zhang2024fastthings", "zhang2024fastthingsa"]


# -- APA 7 ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("title, expected", [
    ("Language Models Are Few-Shot Learners", "Language models are few-shot learners"),
    ("DeepSeek-R1: Incentivizing Reasoning Capability in LLMs via Reinforcement Learning",
     "DeepSeek-R1: Incentivizing reasoning capability in LLMs via reinforcement learning"),
    ("LLaMA: Open and Efficient Foundation Language Models", "LLaMA: Open and efficient foundation language models"),
    ("Attention Is All You Need", "Attention is all you need"),
    ("Heat-bath random walks with Markov bases", "Heat-bath random walks with Markov bases"),  # already sentence case
    ("sparse O(n) Attention For ViT and GPT-4o", "Sparse O(n) attention for ViT and GPT-4o"),
    ("Seeing and Understanding: Bridging Vision with Chemical Knowledge Via ChemVLM",
     "Seeing and understanding: Bridging vision with chemical knowledge via ChemVLM"),
    ("Scaling Laws? A Study of 3D Models and Type I Errors", "Scaling laws? A study of 3D models and type I errors"),
])
def test_apa_titles_are_in_sentence_case(title, expected):
    assert sentence_case(title) == expected


def test_apa_preprint_with_metadata():
    text = format_citation(citable(paper("1706.03762", "x", ()), None, ATTENTION), "apa")
    assert text == ("Vaswani, A., Shazeer, N., Parmar, N., Uszkoreit, J., Jones, L., Gomez, A. N., Kaiser, L., & "
                    "Polosukhin, I. (2023). Attention is all you need. arXiv:1706.03762 [Preprint]. "
                    "https://doi.org/10.48550/arXiv.1706.03762")


def test_apa_beyond_20_authors_is_the_first_19_an_ellipsis_and_the_last():
    text = format_citation(citable(paper("1707.08567", "x", ()), None, recorded("1707.08567")), "apa")
    head, _, rest = text.partition(" . . . ")
    assert head.count(".,") == 19 and rest.startswith("Yamamoto, H. (2017). Proceedings of workshop AEW10:")


# -- RIS, CSV, the store -------------------------------------------------------------------------------------
def test_ris_and_csv_carry_the_category_the_doi_and_every_author(tmp_path):
    store = MetadataStore(tmp_path / "m.sqlite3")
    store.put_arxiv([WITH_DOI._replace(authors=tuple(f"Given{i} Family{i}" for i in range(30)))])
    digest = paper("2105.00001", "Learning fast and slow", ("Given3 Family3", "+"), date="2024-02-02")
    (record,) = rispy.loads(export_papers([digest], "ris", store))
    assert record["doi"] == "10.1038/s41586-021-00001-x" and record["keywords"] == ["cs.LG"]
    assert len(record["authors"]) == 30 and record["authors"][0] == "Family0, Given0"
    assert record["year"] == "2022"
    (row,) = csv.DictReader(io.StringIO(export_papers([digest], "csv", store), newline=""))
    assert row["primary_class"] == "cs.LG" and row["doi"] == "10.1038/s41586-021-00001-x"
    assert len(row["authors"].split("; ")) == 30 and row["authors_source"] == "arxiv"
    assert row["authors_complete"] == "yes" and row["year"] == "2022"
    plain = rispy.loads(format_citation(paper(), "ris"))[0]
    assert plain["doi"] == "10.48550/arXiv.2401.01234" and "keywords" not in plain


def test_from_store_reads_both_sources_for_many_papers(tmp_path):
    store = MetadataStore(tmp_path / "m.sqlite3")
    store.put_day("2024-01-03", [HFPaper("2401.00002", "T", ("Hf First", "Hf Second"))])
    store.put_arxiv([ArxivRecord("2401.00001", "T", ("Ax First",), primary_class="cs.AI")], ["2401.00003"])
    cited = from_store([paper("2401.00001"), paper("2401.00002"), paper("2401.00003")], store)
    assert [c.source for c in cited] == [ARXIV, HUGGING_FACE, ARCHIVE]
    assert cited[0].primary_class == "cs.AI" and cited[1].authors == ("Hf First", "Hf Second")
