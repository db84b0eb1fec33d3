"""arXiv's BibTeX keys (first author's surname, year, four title words), and the year an id was issued."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from reader.core.cite.latex import plain_title
from reader.core.cite.names import citation_authors, split_name
from reader.core.cite.tables import GREEK, SPECIAL_LETTERS
from reader.core.model import Paper

_NEW_ID = re.compile(r"(?P<yy>\d{2})(?P<mm>\d{2})\.\d{4,5}(?:v\d+)?")
_OLD_ID = re.compile(r"[A-Za-z][A-Za-z.-]*/(?P<yy>\d{2})(?P<mm>\d{2})\d{3}(?:v\d+)?")


def arxiv_year(arxiv_id: str, fallback_date: str = "") -> str:
    """The year an arXiv id was issued: 2408.03326 -> 2024, hep-th/9901001 -> 1999, math/0211159 -> 2002.

    An id that is neither style takes the year of `fallback_date` (YYYY-MM-DD), else "".
    """
    m = _NEW_ID.fullmatch(arxiv_id) or _OLD_ID.fullmatch(arxiv_id)
    if m:
        yy = int(m["yy"])
        if m.re is _NEW_ID:
            return str(2000 + yy)
        return str(1900 + yy if yy >= 91 else 2000 + yy)  # the old scheme ran from 1991 to March 2007
    head = fallback_date[:4]
    return head if len(head) == 4 and head.isdigit() else ""


def paper_year(paper: Paper) -> str:
    return arxiv_year(paper.arxiv_id, paper.date)



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


def bibtex_key(paper: Paper) -> str:
    """arXiv's key style: first author's surname, year, the first four title words that are not stop words;
    lowercase ASCII letters and digits ('cheng2024edichoconsistentimageediting')."""
    names, _ = citation_authors(paper)
    surname = ascii_fold(split_name(names[0]).surname) if names else ""
    words = [w for w in plain_title(paper.title).split(" ") if w.lower() not in _STOPWORDS and ascii_fold(w)]
    title_part = "".join(ascii_fold(w) for w in words[:KEY_TITLE_WORDS])
    return f"{surname or 'unknown'}{paper_year(paper)}{title_part}"


def _suffixes() -> Iterable[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    yield from letters
    for a in letters:
        for b in letters:
            yield a + b


def unique_keys(papers: Iterable[Paper]) -> dict[str, str]:
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

