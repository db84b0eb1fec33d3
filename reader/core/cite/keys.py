"""arXiv's BibTeX keys (first author's surname, year, four title words), made unique across an export."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from reader.core.cite.latex import clean_text
from reader.core.cite.names import key_surname
from reader.core.cite.record import Citable, arxiv_year, as_citable
from reader.core.cite.tables import GREEK, SPECIAL_LETTERS
from reader.core.model import Paper

__all__ = ["arxiv_year", "ascii_fold", "bibtex_key", "paper_year", "unique_keys"]


def paper_year(item: Paper | Citable) -> str:
    """The citation's year: arXiv's (the latest version's) when known, else the year of the id."""
    return as_citable(item).year


# arXiv's own stop words for its BibTeX keys (arxiv-browse, browse/formatting/cite.py).
_STOPWORDS = frozenset("""
a about above across after afterwards again against all almost alone along already also although always am
among amongst amoungst amount an and another any anyhow anyone anything anyway anywhere are around as at back
be became because become becomes becoming been before beforehand behind being below beside besides between
beyond bill both bottom but by call can cannot cant co con could couldnt cry de describe detail do done down
due during each eg eight either eleven else elsewhere empty enough etc even ever every everyone everything
everywhere except few fifteen fify fill find fire first five for former formerly forty found four from front
full further get give go had has hasnt have he hence her here hereafter hereby herein hereupon hers herself
him himself his how however hundred ie if in inc indeed interest into is it its itself keep last latter
latterly least less ltd made many may me meanwhile might mill mine more moreover most mostly move much must
my myself name namely neither never nevertheless next nine no nobody none noone nor not nothing now nowhere
of off often on once one only onto or other others otherwise our ours ourselves out over own part per
perhaps please put rather re same see seem seemed seeming seems serious several she should show side since
sincere six sixty so some somehow someone something sometime sometimes somewhere still such system take ten
than that the their them themselves then thence there thereafter thereby therefore therein thereupon these
they thickv thin third this those though three through throughout thru thus to together too top toward
towards twelve twenty two un under until up upon us very via was we well were what whatever when whence
whenever where whereafter whereas whereby wherein whereupon wherever whether which while whither who whoever
whole whom whose why will with within without would yet you your yours yourself yourselves
""".split())
KEY_TITLE_WORDS = 4


def ascii_fold(text: str) -> str:
    """Lowercase ASCII letters and digits only: 'Müller' -> 'muller', 'ε-VAE' -> 'varepsilonvae'."""
    out: list[str] = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
        elif ch in SPECIAL_LETTERS:
            out.append(SPECIAL_LETTERS[ch][1])
        elif ch in GREEK and "{" not in GREEK[ch]:
            out.append(GREEK[ch].removeprefix("var"))
        else:
            out.append("".join(c for c in unicodedata.normalize("NFKD", ch) if c.isascii()))
    return "".join(c for c in "".join(out) if c.isalnum()).lower()


def bibtex_key(item: Paper | Citable) -> str:
    """arXiv's key rule (arxiv-browse): the first author's surname (names.key_surname), the year, the first
    four words of the title that are not stop words ('cheng2024edichoconsistentimageediting'). The words are
    the title's as written, split at spaces (LaTeX commands and all: '\\textsc{Spider}' -> 'textscspider').
    Where arXiv keeps non-ASCII letters, the key is spelled in ASCII (ü -> u, ł -> l, ε -> epsilon):
    BibTeX, natbib and biber all accept such keys."""
    cited = as_citable(item)
    surname = ascii_fold(key_surname(cited.authors[0])) if cited.authors else ""
    words = [w for w in clean_text(cited.title).split(" ") if w.lower() not in _STOPWORDS]
    title_part = ascii_fold("".join(words[:KEY_TITLE_WORDS]))
    return f"{surname or 'unknown'}{cited.year or 'unknown'}{title_part}"


def _suffixes() -> Iterable[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    yield from letters
    for a in letters:
        for b in letters:
            yield a + b


def unique_keys(papers: Iterable[Paper | Citable]) -> dict[str, str]:
    """arXiv id -> BibTeX key, unique across the papers: where several share a key, the oldest id keeps it
    and the others get a, b, c... (never a key another paper has)."""
    natural: dict[str, str] = {}
    for paper in papers:
        natural.setdefault(paper.arxiv_id, bibtex_key(paper))
    groups: dict[str, list[str]] = {}
    for arxiv_id, key in natural.items():
        groups.setdefault(key, []).append(arxiv_id)
    taken = set(natural.values())
    keys: dict[str, str] = {}
    for key, ids in groups.items():
        ordered = sorted(ids, key=_id_order)
        keys[ordered[0]] = key
        suffixes = _suffixes()
        for arxiv_id in ordered[1:]:
            candidate = key + next(suffixes)
            while candidate in taken:
                candidate = key + next(suffixes)
            taken.add(candidate)
            keys[arxiv_id] = candidate
    return keys


def _id_order(arxiv_id: str) -> tuple[str, str]:
    return (arxiv_year(arxiv_id) or "9999", arxiv_id)

