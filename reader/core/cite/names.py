"""Authors' names: split the way BibTeX splits them, and written for BibTeX, APA 7 and RIS.

In author names BibTeX works on bytes: it abbreviates first names by their first character and builds
`alpha` labels from the first three characters of a surname. A UTF-8 letter in those places would be cut
in half, so there (only there) an accented letter is written as a BibTeX special character (`{\\'E}mile`,
`Ko{\\l}odziej`); the rest of the name stays UTF-8.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from reader.core.cite.latex import TEXT_ESCAPES, clean_text, escape_latex, text_unicode
from reader.core.cite.record import Citable, as_citable
from reader.core.cite.tables import ACCENTS, SPECIAL_LETTERS, SYMBOL_ACCENTS
from reader.core.model import Paper

GAP = "+"  # what the digests write where Hugging Face left authors out of a long list
APA_MAX_AUTHORS = 20  # APA 7: up to 20 names; beyond that the first 19, an ellipsis, the last
APA_ELLIPSIS = ". . ."

_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_ORG_WORDS = frozenset({
    "Team", "Lab", "Labs", "Group", "Inc", "Inc.", "Corporation", "Corp.", "Consortium", "Collaboration",
    "Project", "Community", "Organization", "Institute", "Foundation", "AI", "Research", "Authors",
})


@dataclass(frozen=True, slots=True)
class Name:
    """A person's name split the way BibTeX splits "First von Last Jr" (or an organisation's name)."""

    first: str
    von: str
    last: str
    jr: str = ""
    organization: bool = False

    @property
    def surname(self) -> str:
        return f"{self.von} {self.last}".strip()


def _is_lower_token(token: str) -> bool:
    for ch in token:
        if ch.isalpha():
            return ch.islower()
    return False


def split_name(name: str) -> Name:
    """'Ka Leong Cheng' -> first 'Ka Leong', last 'Cheng'; 'Hal Daumé III' -> jr 'III';
    'Henrique Ponde de Oliveira Pinto' -> von 'de', last 'Oliveira Pinto'; 'Qwen Team' -> an organisation."""
    tokens = clean_text(name).split()
    if not tokens:
        return Name("", "", "")
    if len(tokens) > 1 and tokens[-1] in _ORG_WORDS:
        return Name("", "", " ".join(tokens), organization=True)
    jr = ""
    if len(tokens) > 1 and tokens[-1].rstrip(".").casefold() in _SUFFIXES:
        jr = tokens.pop()
    if len(tokens) == 1:
        return Name("", "", tokens[0], jr)
    lower = [i for i, t in enumerate(tokens[:-1]) if i > 0 and _is_lower_token(t)]
    if lower:
        return Name(" ".join(tokens[: lower[0]]), " ".join(tokens[lower[0] : lower[-1] + 1]),
                    " ".join(tokens[lower[-1] + 1 :]), jr)
    return Name(" ".join(tokens[:-1]), "", tokens[-1], jr)


def citation_authors(item: Paper | Citable) -> tuple[list[str], bool]:
    """The names to cite, in order, and whether the list is complete (see reader.core.cite.record)."""
    cited = as_citable(item)
    return list(cited.authors), cited.complete


# arXiv's rule for the surname in its keys (arxiv-base, arxiv/authors: parse_author_affil): a name ending in
# one or two particles and a word ("van der Berg", "de With"), a name ending in a suffix ("Daumé III" ->
# "Daumé"), the last word; a leading "... Collaboration/Group/Team" whole.
_KEY_PREFIX = "van|der|de|la|von|del|della|da|mac|ter|dem|di|vaziri"
_KEY_PATTERNS = (
    re.compile(rf"^(.*)\s+((?:{_KEY_PREFIX})\s(?:{_KEY_PREFIX})\s\S+)$", re.IGNORECASE),
    re.compile(rf"^(.*)\s+((?:{_KEY_PREFIX})\s\S+)$", re.IGNORECASE),
    re.compile(r"^(.*)\s+(\S+)\s(?:I|II|III|IV|V|Sr|Jr|Sr\.|Jr\.)$", re.IGNORECASE),
    re.compile(r"^(.*)\s+(\S+)$"),
)
_KEY_COLLABORATION = re.compile(r"([a-z0-9\s]+\s+(?:collaboration|group|team))", re.IGNORECASE)


def key_surname(name: str) -> str:
    """The part of a name arXiv puts in a BibTeX key: 'Henrique Ponde de Oliveira Pinto' -> 'Pinto',
    'Ludwig van der Berg' -> 'van der Berg', 'Hal Daumé III' -> 'Daumé', 'Gemini Team' -> 'Gemini Team'."""
    name = re.sub(r"(?<!\\)\.(\S)", r". \1", clean_text(name))
    collaboration = _KEY_COLLABORATION.search(name)
    if collaboration:
        return collaboration.group(1)
    for pattern in _KEY_PATTERNS:
        m = pattern.match(name)
        if m:
            return m.group(2)
    return name


def latex_special(c: str) -> str | None:
    """'É' -> "{\\'E}", 'ł' -> '{\\l}', 'č' -> '{\\v{c}}': the BibTeX special-character form, or None."""
    if c in SPECIAL_LETTERS:
        return "{" + SPECIAL_LETTERS[c][0] + "}"
    decomposed = unicodedata.normalize("NFD", c)
    if len(decomposed) != 2:
        return None
    base, mark = decomposed
    accent = ACCENTS.get(mark)
    if accent is None or not (base.isascii() and base.isalpha()):
        return None
    letter = "\\i" if base == "i" else "\\j" if base == "j" else base
    if accent in SYMBOL_ACCENTS:
        return "{\\" + accent + letter + "}"
    return "{\\" + accent + "{" + letter + "}}"


def _bibtex_name_part(text: str, first_letters: int = 0) -> str:
    """Escape part of a name; a non-ASCII letter that starts a word or hyphenated part, or is among the
    first `first_letters` letters, becomes a BibTeX special character (BibTeX handles bytes there)."""
    if any(ch in text for ch in "\\{}$"):
        return escape_latex(text)
    if text.isascii() and not any(ch in TEXT_ESCAPES for ch in text):
        return text
    out: list[str] = []
    letters_seen = 0
    at_start = True
    for ch in text:
        special = None
        if not ch.isascii() and ch.isalpha() and (at_start or letters_seen < first_letters):
            special = latex_special(ch)
        if special is not None:
            out.append(special)
        elif ch.isascii():
            out.append(TEXT_ESCAPES.get(ch, ch) if ch.isprintable() else "")
        else:
            out.append(text_unicode(ch, math=False).latex)
        if ch.isalpha():
            letters_seen += 1
        at_start = ch in " -'’."
    return "".join(out)


@lru_cache(maxsize=65536)
def bibtex_name(name: str) -> str:
    """One author for a BibTeX author field."""
    parsed = split_name(name)
    cleaned = clean_text(name)
    if parsed.organization or re.search(r"(^|\s)and(\s|$)", cleaned, re.IGNORECASE) or cleaned.casefold() == "others":
        return "{" + escape_latex(cleaned) + "}"
    first = _bibtex_name_part(parsed.first)
    von = _bibtex_name_part(parsed.von, 3)
    last = _bibtex_name_part(parsed.last, 0 if parsed.von else 3)
    if parsed.jr:
        surname = f"{von} {last}".strip()
        return f"{surname}, {escape_latex(parsed.jr)}, {first}" if first else f"{surname}, {escape_latex(parsed.jr)},"
    return " ".join(part for part in (first, von, last) if part)


def bibtex_authors(item: Paper | Citable) -> str:
    """The author field: 'First Last and First Last', ending in 'and others' where the list is incomplete."""
    names, complete = citation_authors(item)
    parts = [bibtex_name(n) for n in names]
    if not complete and parts:
        parts.append("others")
    return " and ".join(parts)


def _initials(given: str) -> str:
    """'Ka Leong' -> 'K. L.', 'Xiao-Yu' -> 'X.-Y.', 'JD' -> 'J. D.', 'C.' -> 'C.'."""
    out: list[str] = []
    for token in given.split():
        if _is_lower_token(token) and len(token) <= 3:  # a particle among given names ("de")
            continue
        letters = token.replace(".", "")
        if token.isupper() and 1 < len(letters) <= 3 and letters.isalpha():
            out.append(" ".join(ch + "." for ch in letters))
            continue
        parts = [p for p in token.split("-") if p]
        initials = []
        for part in parts:
            first = next((ch for ch in part if ch.isalpha()), "")
            if first:
                initials.append(first + ".")
        if initials:
            out.append("-".join(initials))
    return " ".join(out)


def apa_name(name: str) -> str:
    """'Ka Leong Cheng' -> 'Cheng, K. L.'; 'Hal Daumé III' -> 'Daumé, H., III'; organisations as written."""
    parsed = split_name(name)
    if parsed.organization or not parsed.first:
        return " ".join(part for part in (parsed.surname, parsed.jr) if part)
    initials = _initials(parsed.first)
    text = f"{parsed.surname}, {initials}" if initials else parsed.surname
    return f"{text}, {parsed.jr}" if parsed.jr else text


def apa_authors(authors: list[str], complete: bool = True) -> str:
    """APA 7 author list: '&' before the last; 21 or more: the first 19, '. . .', the last.

    A list known to be incomplete (names left out, the last author unknown) is cited as its names (at most
    19) followed by 'et al.'.
    """
    names = [apa_name(a) for a in authors]
    if not names:
        return ""
    if not complete:
        return ", ".join(names[: APA_MAX_AUTHORS - 1]) + ", et al."
    if len(names) == 1:
        return names[0]
    if len(names) <= APA_MAX_AUTHORS:
        return ", ".join(names[:-1]) + ", & " + names[-1]
    return ", ".join(names[: APA_MAX_AUTHORS - 1]) + ", " + APA_ELLIPSIS + " " + names[-1]


def ris_name(name: str) -> str:
    """'Last, First' (or 'Last, First, Jr'); organisations as written."""
    parsed = split_name(name)
    if parsed.organization or not parsed.first:
        return ", ".join(p for p in (parsed.surname, "", parsed.jr) if p) if parsed.jr else parsed.surname
    return ", ".join(p for p in (parsed.surname, parsed.first, parsed.jr) if p)
