"""Citations of a paper: arXiv-style BibTeX, APA 7, Markdown, RIS and the bare arXiv id.

Everything here is pure (no I/O, no terminal): `format_citation(paper, fmt)` gives one citation,
`format_citations(papers, fmt)` many at once (BibTeX keys made unique), `FORMATS` and `FORMAT_LABELS`
name the choices for a menu.

BibTeX output is written for pdfLaTeX with `\\usepackage[utf8]{inputenc}` and `\\usepackage[T1]{fontenc}`
and for classic 8-bit BibTeX with any standard style:

* Titles are LaTeX: `% $ & # _` and a lone `^ ~ < > |` are escaped; LaTeX the title already carries is kept
  when it is safe (a closed `$...$` pair with known commands, `\\textsc{..}`, accents, `\\%`); anything else
  is shown literally (`\\textbackslash{}foo`). Braces always balance. Words holding a capital letter are
  braced so that styles that lower-case titles keep `{LLaMA}` as written.
* Unicode stays UTF-8 where LaTeX's utf8 input encoding with T1 fonts can typeset it (`_T1_SAFE`, measured
  on TeX Live: Latin-1, Latin Extended-A and the usual punctuation). Greek letters and mathematical symbols
  become math (`$\\alpha$`); other letters are folded to ASCII where they decompose (`ℓ` -> `l`), else `?`;
  emoji and other symbols are dropped. Such characters are kept as they are in every other format.
* In author names BibTeX works on bytes: it abbreviates first names by their first character and builds
  `alpha` labels from the first three characters of a surname. A UTF-8 letter in those places would be cut
  in half, so there (only there) an accented letter is written as a BibTeX special character (`{\\'E}mile`,
  `Ko{\\l}odziej`); the rest of the name stays UTF-8.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from reader.core.model import Paper

FORMATS: tuple[str, ...] = ("bibtex", "apa", "markdown", "arxiv", "ris")
FORMAT_LABELS: dict[str, str] = {
    "bibtex": "BibTeX",
    "apa": "APA 7",
    "markdown": "Markdown",
    "arxiv": "arXiv id",
    "ris": "RIS (Zotero, Mendeley, EndNote)",
}

ARXIV_ABS = "https://arxiv.org/abs/"
ARXIV_DOI = "https://doi.org/10.48550/arXiv."
GAP = "+"  # what the digests write where Hugging Face left authors out of a long list
APA_MAX_AUTHORS = 20  # APA 7: up to 20 names; beyond that the first 19, an ellipsis, the last
APA_ELLIPSIS = ". . ."

# ---------------------------------------------------------------------------------------------------------
# Years and ids
# ---------------------------------------------------------------------------------------------------------
_NEW_ID = re.compile(r"(?P<yy>[0-9]{2})(?P<mm>[0-9]{2})\.[0-9]{4,5}(?:v[0-9]+)?")
_OLD_ID = re.compile(r"[A-Za-z][A-Za-z.-]*/(?P<yy>[0-9]{2})(?P<mm>[0-9]{2})[0-9]{3}(?:v[0-9]+)?")


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
    return head if len(head) == 4 and head.isascii() and head.isdigit() else ""


def paper_year(paper: Paper) -> str:
    return arxiv_year(paper.arxiv_id, paper.date)


def abs_url(arxiv_id: str) -> str:
    return ARXIV_ABS + arxiv_id


def doi_url(arxiv_id: str) -> str:
    return ARXIV_DOI + arxiv_id


# ---------------------------------------------------------------------------------------------------------
# Unicode tables
# ---------------------------------------------------------------------------------------------------------
# Code points that `\usepackage[utf8]{inputenc}` + `\usepackage[T1]{fontenc}` typesets with the standard
# fonts (every \DeclareUnicodeCharacter of utf8enc/t1enc/ts1enc/ot1enc/omsenc.dfu that built without error
# or missing glyph on TeX Live 2022; Cyrillic needs T2A and is left out).
_T1_SAFE_RANGES = (
    (0x00A0, 0x0125), (0x0128, 0x0137), (0x0139, 0x013E), (0x0141, 0x0148), (0x014A, 0x0165),
    (0x0168, 0x017E), (0x0192, 0x0192), (0x01C4, 0x01D4), (0x01E2, 0x01E3), (0x01E6, 0x01EB),
    (0x01F0, 0x01F0), (0x01F4, 0x01F5), (0x0218, 0x021B), (0x0232, 0x0233), (0x0237, 0x0237),
    (0x02C6, 0x02C7), (0x02D8, 0x02D9), (0x02DB, 0x02DD), (0x0E3F, 0x0E3F), (0x1E02, 0x1E03),
    (0x1E0D, 0x1E0D), (0x1E1E, 0x1E21), (0x1E25, 0x1E25), (0x1E30, 0x1E31), (0x1E37, 0x1E37),
    (0x1E43, 0x1E43), (0x1E45, 0x1E45), (0x1E47, 0x1E47), (0x1E5B, 0x1E5B), (0x1E63, 0x1E63),
    (0x1E6D, 0x1E6D), (0x1E8E, 0x1E91), (0x1E9E, 0x1E9E), (0x1EF2, 0x1EF3), (0x2010, 0x2016),
    (0x2018, 0x201A), (0x201C, 0x201E), (0x2020, 0x2022), (0x2026, 0x2026), (0x2030, 0x2031),
    (0x2039, 0x203B), (0x203D, 0x203D), (0x2044, 0x2044), (0x204E, 0x204E), (0x2052, 0x2052),
    (0x20A1, 0x20A1), (0x20A4, 0x20A4), (0x20A6, 0x20A6), (0x20A9, 0x20A9), (0x20AB, 0x20AC),
    (0x20B1, 0x20B1), (0x2103, 0x2103), (0x2116, 0x2117), (0x211E, 0x211E), (0x2120, 0x2120),
    (0x2122, 0x2122), (0x2126, 0x2127), (0x212E, 0x212E), (0x2190, 0x2193), (0x2329, 0x232A),
    (0x2422, 0x2423), (0x25E6, 0x25E6), (0x25EF, 0x25EF), (0x266A, 0x266A), (0x27E8, 0x27E9),
    (0x3008, 0x3009), (0xFB00, 0xFB06),
)
_T1_SAFE = frozenset(chr(c) for lo, hi in _T1_SAFE_RANGES for c in range(lo, hi + 1))

# Greek letters and mathematical symbols -> the LaTeX math command (kernel LaTeX, no packages).
_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "varepsilon", "ϵ": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ϑ": "vartheta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu",
    "ν": "nu", "ξ": "xi", "ο": "mathit{o}", "π": "pi", "ϖ": "varpi", "ρ": "rho", "ϱ": "varrho", "σ": "sigma",
    "ς": "varsigma", "τ": "tau", "υ": "upsilon", "φ": "varphi", "ϕ": "phi", "χ": "chi", "ψ": "psi",
    "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi",
    "Σ": "Sigma", "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
    "Α": "mathrm{A}", "Β": "mathrm{B}", "Ε": "mathrm{E}", "Ζ": "mathrm{Z}", "Η": "mathrm{H}",
    "Ι": "mathrm{I}", "Κ": "mathrm{K}", "Μ": "mathrm{M}", "Ν": "mathrm{N}", "Ο": "mathrm{O}",
    "Ρ": "mathrm{P}", "Τ": "mathrm{T}", "Χ": "mathrm{X}",
}
_MATH_SYMBOLS = {
    "∇": "nabla", "∼": "sim", "≃": "simeq", "≈": "approx", "≅": "cong", "≡": "equiv", "≠": "neq",
    "≤": "leq", "≥": "geq", "≪": "ll", "≫": "gg", "∞": "infty", "∈": "in", "∉": "notin", "∋": "ni",
    "⊂": "subset", "⊃": "supset", "⊆": "subseteq", "⊇": "supseteq", "∪": "cup", "∩": "cap",
    "∧": "wedge", "∨": "vee", "∀": "forall", "∃": "exists", "∅": "emptyset", "∑": "sum", "∏": "prod",
    "∫": "int", "∂": "partial", "√": "surd", "∝": "propto", "⋯": "cdots", "⋅": "cdot", "∘": "circ",
    "⋆": "star", "∗": "ast", "⊕": "oplus", "⊗": "otimes", "⊙": "odot", "⊥": "perp", "⊤": "top",
    "∥": "parallel", "∣": "mid", "⇒": "Rightarrow", "⇐": "Leftarrow", "⇔": "Leftrightarrow",
    "↔": "leftrightarrow", "↦": "mapsto", "⟶": "longrightarrow", "⟵": "longleftarrow", "ℓ": "ell",
    "ℏ": "hbar", "′": "prime", "−": "-", "∓": "mp", "†": "dagger", "‡": "ddagger", "×": "times",
    "÷": "div", "±": "pm", "·": "cdot", "→": "rightarrow", "←": "leftarrow", "↑": "uparrow",
    "↓": "downarrow", "¬": "neg", "⟨": "langle", "⟩": "rangle", "ı": "imath", "ȷ": "jmath",
}
_MATH_UNICODE = {**_GREEK, **_MATH_SYMBOLS}

_SUPERSCRIPTS = dict(zip("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ"))
_SUBSCRIPTS = dict(zip("0123456789+-=()aeoxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ"))

# Letters that do not decompose, with their LaTeX form and an ASCII spelling for keys.
_SPECIAL_LETTERS = {
    "ł": ("\\l", "l"), "Ł": ("\\L", "L"), "ø": ("\\o", "o"), "Ø": ("\\O", "O"), "ß": ("\\ss", "ss"),
    "æ": ("\\ae", "ae"), "Æ": ("\\AE", "AE"), "œ": ("\\oe", "oe"), "Œ": ("\\OE", "OE"),
    "å": ("\\aa", "aa"), "Å": ("\\AA", "AA"), "ı": ("\\i", "i"), "ȷ": ("\\j", "j"), "đ": ("\\dj", "d"),
    "Đ": ("\\DJ", "D"), "ð": ("\\dh", "d"), "Ð": ("\\DH", "D"), "þ": ("\\th", "th"), "Þ": ("\\TH", "TH"),
    "ŋ": ("\\ng", "ng"), "Ŋ": ("\\NG", "NG"),
}
# Combining mark -> LaTeX accent command.
_ACCENTS = {
    "\u0301": "'", "\u0300": "`", "\u0302": "^", "\u0308": '"', "\u0303": "~", "\u0304": "=",
    "\u0307": ".", "\u0306": "u", "\u030c": "v", "\u030b": "H", "\u0327": "c", "\u0328": "k",
    "\u030a": "r", "\u0323": "d", "\u0331": "b",
}
_ACCENT_MARKS = {v: k for k, v in _ACCENTS.items()}

# ---------------------------------------------------------------------------------------------------------
# LaTeX commands a title may carry
# ---------------------------------------------------------------------------------------------------------
# Text commands with one argument, kept as they are (the argument is escaped in its turn).
_TEXT_ARG_COMMANDS = frozenset({
    "textbf", "textit", "textsc", "texttt", "textsf", "textrm", "textmd", "textup", "textsl", "textnormal",
    "emph", "underline", "mbox", "textsuperscript",
})
_TEXT_ARG_ALIASES = {"text": "mbox", "textsubscript": "mbox"}  # amsmath / fixltx2e only: degrade safely
# Text commands without argument -> their plain text.
_TEXT_SYMBOLS = {
    "LaTeX": "LaTeX", "TeX": "TeX", "LaTeXe": "LaTeX2e", "ldots": "…", "dots": "…", "textellipsis": "…",
    "S": "§", "P": "¶", "ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ",
    "oe": "œ", "OE": "Œ", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dag": "†", "ddag": "‡",
    "copyright": "©", "pounds": "£", "textasciitilde": "~", "textasciicircum": "^", "textbackslash": "\\",
    "textbar": "|", "textless": "<", "textgreater": ">", "textunderscore": "_", "textbraceleft": "{",
    "textbraceright": "}", "textendash": "–", "textemdash": "—", "textquoteleft": "‘",
    "textquoteright": "’", "textquotedblleft": "“", "textquotedblright": "”", "textregistered": "®",
    "texttrademark": "™", "textdegree": "°", "textbullet": "•", "textperiodcentered": "·",
    "textdollar": "$", "textsterling": "£", "textsection": "§", "textparagraph": "¶",
}
# Math commands: name -> (number of arguments, plain text or None for "the argument(s)").
_MATH_COMMANDS: dict[str, tuple[int, str | None]] = {
    **{name: (0, letter) for letter, name in _GREEK.items() if "{" not in name},
    **{name: (0, sym) for sym, name in _MATH_SYMBOLS.items() if name.isalpha()},
    "le": (0, "≤"), "ge": (0, "≥"), "ne": (0, "≠"), "to": (0, "→"), "gets": (0, "←"), "lnot": (0, "¬"),
    "land": (0, "∧"), "lor": (0, "∨"), "ldots": (0, "…"), "dots": (0, "…"), "cdots": (0, "⋯"),
    "vdots": (0, "⋮"), "iff": (0, "⟺"), "implies": (0, "⟹"), "Longrightarrow": (0, "⟹"),
    "rightarrow": (0, "→"), "Rightarrow": (0, "⇒"), "leftrightarrow": (0, "↔"), "uparrow": (0, "↑"),
    "downarrow": (0, "↓"), "lbrace": (0, "{"), "rbrace": (0, "}"), "backslash": (0, "\\"),
    "quad": (0, " "), "qquad": (0, " "), "log": (0, "log"), "exp": (0, "exp"), "max": (0, "max"),
    "min": (0, "min"), "arg": (0, "arg"), "sin": (0, "sin"), "cos": (0, "cos"), "lim": (0, "lim"),
    "sup": (0, "sup"), "inf": (0, "inf"), "det": (0, "det"), "dim": (0, "dim"), "ln": (0, "ln"),
    "Pr": (0, "Pr"), "bigcup": (0, "⋃"), "bigcap": (0, "⋂"), "coprod": (0, "∐"), "oint": (0, "∮"),
    "diamond": (0, "⋄"), "triangle": (0, "△"), "bullet": (0, "•"),
    "mathrm": (1, None), "mathbf": (1, None), "mathit": (1, None), "mathsf": (1, None),
    "mathtt": (1, None), "mathcal": (1, None), "mathnormal": (1, None),
    "hat": (1, None), "widehat": (1, None), "tilde": (1, None), "widetilde": (1, None), "bar": (1, None),
    "overline": (1, None), "underline": (1, None), "vec": (1, None), "dot": (1, None), "ddot": (1, None),
    "check": (1, None), "breve": (1, None), "acute": (1, None), "grave": (1, None),
    "sqrt": (1, "√"), "frac": (2, "/"),
}
# Commands from packages a document may not load -> the nearest kernel command.
_MATH_ALIASES = {
    "mathbb": "mathbf", "boldsymbol": "mathbf", "bm": "mathbf", "mathscr": "mathcal", "mathfrak": "mathrm",
    "operatorname": "mathrm", "dfrac": "frac", "tfrac": "frac", "leqslant": "leq", "geqslant": "geq",
    "varnothing": "emptyset", "lvert": "mid", "rvert": "mid", "bigstar": "star", "lbrack": "lbrace",
}
_SYMBOL_ACCENTS = frozenset("'`^\"~=.")
_LETTER_ACCENTS = frozenset("uvHcdbkrt")


# ---------------------------------------------------------------------------------------------------------
# A title or name -> LaTeX for BibTeX, and -> plain Unicode text
# ---------------------------------------------------------------------------------------------------------
class _Piece(NamedTuple):
    latex: str
    plain: str
    space: bool = False


_SPACE = _Piece(" ", " ", True)
_TEXT_ESCAPES = {
    "%": "\\%", "&": "\\&", "#": "\\#", "_": "\\_", "$": "\\$", "^": "\\textasciicircum{}",
    "~": "\\textasciitilde{}", "<": "\\textless{}", ">": "\\textgreater{}", "|": "\\textbar{}",
    "{": "\\textbraceleft{}", "}": "\\textbraceright{}", "\\": "\\textbackslash{}",
}
_CONTROL_WORD_END = re.compile(r"\\[A-Za-z]+$")


class _Invalid(Exception):
    """Math that would not build as written: it is shown as text instead."""


def clean_text(text: str) -> str:
    """NFC, format characters (zero-width spaces, soft hyphens, BOM) dropped, whitespace collapsed."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        text = "".join(c for c in text if c.isascii() or unicodedata.category(c) != "Cf")
    return " ".join(text.split())


def _cat(parts: Iterable[str]) -> str:
    """Join LaTeX, with a space where a control word would otherwise run into a letter (math mode)."""
    out = ""
    for part in parts:
        if part and out and (part[0].isascii() and part[0].isalpha()) and _CONTROL_WORD_END.search(out):
            out += " "
        out += part
    return out


def _match_brace(s: str, i: int) -> int:
    """Index of the '}' closing the '{' at s[i] (backslash escapes skipped), or -1."""
    depth = 0
    j = i
    while j < len(s):
        c = s[j]
        if c == "\\":
            j += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return -1


def _fold(c: str) -> str:
    """A character without its accents, if what is left is plain ASCII or typesets with T1; else ""."""
    if c in _SPECIAL_LETTERS:
        return c
    base = unicodedata.normalize("NFKD", c)
    marks = [ch for ch in base if unicodedata.combining(ch)]
    letters = "".join(ch for ch in base if not unicodedata.combining(ch))
    # Keep as many of the accents as still compose into something typesettable (ǘ -> ü, ṩ -> ṣ -> s).
    for keep in range(len(marks), -1, -1):
        candidate = unicodedata.normalize("NFC", letters + "".join(marks[:keep]))
        if candidate and all(ch.isascii() or ch in _T1_SAFE for ch in candidate):
            return candidate
    return ""


def _text_unicode(c: str, *, math: bool) -> _Piece:
    """One non-ASCII character, in text mode (or math mode when `math`)."""
    category = unicodedata.category(c)
    if category == "Cf":
        return _Piece("", "")
    if category == "Mn":  # a combining mark left over after NFC
        return _Piece("", c)
    name = _MATH_UNICODE.get(c)
    if math:
        if name is not None:
            return _Piece(name if name == "-" else "\\" + name, c)
        if c in _T1_SAFE:
            return _Piece("\\mbox{" + c + "}", c)
    else:
        if c in _T1_SAFE:
            return _Piece(c, c)
        if name is not None:
            return _Piece("$" + (name if name == "-" else "\\" + name) + "$", c)
        if c in _SUPERSCRIPTS.values():
            base = next(k for k, v in _SUPERSCRIPTS.items() if v == c)
            return _Piece("\\textsuperscript{" + base + "}", c)
        if c in _SUBSCRIPTS.values():
            base = next(k for k, v in _SUBSCRIPTS.items() if v == c)
            return _Piece("$_{" + base + "}$", c)
    folded = _fold(c)
    if folded and folded != c:
        latex = "".join(p.latex for p in _text(folded, math=False))
        return _Piece("\\mbox{" + latex + "}" if math else latex, c)
    if category[0] in "LN":
        return _Piece("?", c)
    return _Piece("", c)  # emoji, box drawing, other symbols: decoration, dropped


def _accented(accent: str, base: str) -> str | None:
    """\\'{e} -> 'é' (one precomposed character), or None."""
    if base in ("\\i", "ı"):
        base = "i"
    elif base in ("\\j", "ȷ"):
        base = "j"
    if len(base) != 1:
        return None
    mark = _ACCENT_MARKS.get(accent)
    if mark is None:
        return None
    composed = unicodedata.normalize("NFC", base + mark)
    return composed if len(composed) == 1 else None


def _accent_argument(s: str, i: int) -> tuple[str, int] | None:
    """The argument of an accent command starting at s[i]: '{x}', '{\\i}', 'x', or ' x' for letter accents."""
    if i < len(s) and s[i] == "{":
        j = _match_brace(s, i)
        if j < 0:
            return None
        return s[i + 1 : j].strip(), j + 1
    if i < len(s) and s[i] == "\\":
        m = re.match(r"\\[A-Za-z]+", s[i:])
        if m:
            return m.group(0), i + len(m.group(0))
        return None
    if i < len(s) and not s[i].isspace():
        return s[i], i + 1
    return None


def _text(s: str, *, math: bool, depth: int = 0) -> list[_Piece]:
    """Text-mode LaTeX -> pieces. `math`: a closed $...$ pair may be math (titles); else every $ is literal."""
    out: list[_Piece] = []
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c.isspace():
            if not (out and out[-1].space):
                out.append(_SPACE)
            i += 1
        elif c == "$":
            piece, i = _dollar(s, i, math=math, depth=depth)
            out.append(piece)
        elif c == "\\":
            piece, i = _command(s, i, math=math, depth=depth)
            out.append(piece)
        elif c == "{":
            j = _match_brace(s, i)
            if j < 0 or depth > 20:
                out.append(_Piece(_TEXT_ESCAPES["{"], "{"))
                i += 1
            else:
                inner = _text(s[i + 1 : j], math=math, depth=depth + 1)
                out.append(_Piece("{" + "".join(p.latex for p in inner) + "}", "".join(p.plain for p in inner)))
                i = j + 1
        elif c in _TEXT_ESCAPES:
            out.append(_Piece(_TEXT_ESCAPES[c], c))
            i += 1
        elif c.isascii():
            if c.isprintable():
                out.append(_Piece(c, c))
            i += 1
        else:
            out.append(_text_unicode(c, math=False))
            i += 1
    return out


def _dollar(s: str, i: int, *, math: bool, depth: int) -> tuple[_Piece, int]:
    """A '$' at s[i]: the math it opens if that is closed and sound, else a literal dollar sign."""
    if math:
        j = i + 1
        while j < len(s) and s[j] != "$":
            j += 2 if s[j] == "\\" else 1
        if j < len(s):
            content = s[i + 1 : j]
            after = s[j + 1 : j + 2]
            looks_like_money = content[:1].isdigit() and after.isdigit()  # "$5-$10"
            if content and not content[0].isspace() and not content[-1].isspace() and not looks_like_money:
                try:
                    latex, plain = _MathParser(content, depth).parse()
                except _Invalid:
                    pass
                else:
                    return _Piece("$" + latex + "$", plain), j + 1
    return _Piece("\\$", "$"), i + 1


def _command(s: str, i: int, *, math: bool, depth: int) -> tuple[_Piece, int]:
    """A backslash at s[i] in text mode."""
    if i + 1 >= len(s):
        return _Piece(_TEXT_ESCAPES["\\"], "\\"), i + 1
    d = s[i + 1]
    if d.isascii() and d.isalpha():
        m = re.match(r"[A-Za-z]+", s[i + 1 :])
        assert m
        name = m.group(0)
        j = i + 1 + len(name)
        name = _TEXT_ARG_ALIASES.get(name, name)
        if name in _TEXT_ARG_COMMANDS and j < len(s) and s[j] == "{":
            k = _match_brace(s, j)
            if k > 0 and depth <= 20:
                inner = _text(s[j + 1 : k], math=math, depth=depth + 1)
                latex = "".join(p.latex for p in inner)
                return _Piece(f"\\{name}{{{latex}}}", "".join(p.plain for p in inner)), k + 1
        elif name in _TEXT_SYMBOLS:
            if s.startswith("{}", j):
                j += 2
            return _Piece(f"\\{name}{{}}", _TEXT_SYMBOLS[name]), j
        elif name in _LETTER_ACCENTS and len(name) == 1:
            k = j + 1 if j < len(s) and s[j] == " " else j
            arg = _accent_argument(s, k)
            if arg is not None:
                char = _accented(name, arg[0])
                if char is not None:
                    return _text_unicode(char, math=False) if not char.isascii() else _Piece(char, char), arg[1]
        # An unknown command is shown, not run: it could be undefined in the reader's document.
        return _Piece("\\textbackslash{}" + name, "\\" + name), j
    if d in _SYMBOL_ACCENTS:
        arg = _accent_argument(s, i + 2)
        if arg is not None and arg[0]:
            char = _accented(d, arg[0])
            if char is not None:
                return _text_unicode(char, math=False) if not char.isascii() else _Piece(char, char), arg[1]
        if arg is not None and arg[0] == "" and d in "^~":  # \^{} and \~{}: the character itself
            return _Piece(_TEXT_ESCAPES[d], d), arg[1]
        return _Piece(_TEXT_ESCAPES["\\"], "\\"), i + 1
    if d in "%&#_$":
        return _Piece("\\" + d, d), i + 2
    if d in "{}":
        return _Piece(_TEXT_ESCAPES[d], d), i + 2
    if d in " \\":
        return _SPACE, i + 2
    if d == ",":
        return _Piece("\\,", "\u2009"), i + 2
    if d in "-/@":
        return _Piece("", ""), i + 2
    return _Piece(_TEXT_ESCAPES["\\"], "\\"), i + 1


def _script(mark: str, plain: str) -> str:
    table = _SUPERSCRIPTS if mark == "^" else _SUBSCRIPTS
    if plain and all(ch in table for ch in plain):
        return "".join(table[ch] for ch in plain)
    return mark + (plain if len(plain) == 1 else "(" + plain + ")")


class _MathParser:
    """Checks and renders the inside of $...$: known commands, balanced braces, no double scripts."""

    def __init__(self, src: str, depth: int = 0) -> None:
        self.src = src
        self.i = 0
        self.depth = depth
        if depth > 20:
            raise _Invalid

    def parse(self) -> tuple[str, str]:
        latex, plain = self._sequence()
        if self.i != len(self.src):
            raise _Invalid
        return latex, plain

    def _skip_spaces(self) -> None:
        while self.i < len(self.src) and self.src[self.i].isspace():
            self.i += 1

    def _sequence(self) -> tuple[str, str]:
        latex: list[str] = []
        plain: list[str] = []
        scripts: set[str] = set()
        src = self.src
        while self.i < len(src):
            c = src[self.i]
            if c == "}":
                break
            if c.isspace():
                self._skip_spaces()
                if latex and latex[-1] != " ":
                    latex.append(" ")
                    plain.append(" ")
                continue
            if c in "^_":
                if c in scripts:
                    raise _Invalid  # double superscript: an error in TeX
                scripts.add(c)
                self.i += 1
                self._skip_spaces()
                arg_latex, arg_plain = self._atom()
                latex.append(c + arg_latex)
                plain.append(_script(c, arg_plain))
                continue
            scripts = set()
            atom_latex, atom_plain = self._atom()
            latex.append(atom_latex)
            plain.append(atom_plain)
        return _cat(latex).strip(), "".join(plain).strip()

    def _atom(self) -> tuple[str, str]:
        src = self.src
        if self.i >= len(src):
            raise _Invalid
        c = src[self.i]
        if c == "{":
            j = _match_brace(src, self.i)
            if j < 0:
                raise _Invalid
            inner = _MathParser(src[self.i + 1 : j], self.depth + 1)
            latex, plain = inner.parse()
            self.i = j + 1
            return "{" + latex + "}", plain
        if c in "}^_$":
            raise _Invalid
        if c == "\\":
            return self._command()
        self.i += 1
        if c in "&%#":
            return "\\" + c, c
        if c == "~":
            return "~", " "
        if c.isascii():
            if not c.isprintable():
                raise _Invalid
            return c, c
        piece = _text_unicode(c, math=True)
        return piece.latex, piece.plain

    def _group_argument(self) -> str:
        """The raw text of a {...} argument (for text commands inside math)."""
        self._skip_spaces()
        if self.i >= len(self.src) or self.src[self.i] != "{":
            raise _Invalid
        j = _match_brace(self.src, self.i)
        if j < 0:
            raise _Invalid
        raw = self.src[self.i + 1 : j]
        self.i = j + 1
        return raw

    def _command(self) -> tuple[str, str]:
        src = self.src
        if self.i + 1 >= len(src):
            raise _Invalid
        d = src[self.i + 1]
        if not (d.isascii() and d.isalpha()):
            self.i += 2
            if d in "{}":
                return ("\\lbrace", "{") if d == "{" else ("\\rbrace", "}")
            if d in "%&#_$":
                return "\\" + d, d
            if d in ",;:":
                return "\\" + d, " "
            if d == "!":
                return "\\!", ""
            if d == " ":
                return "\\ ", " "
            if d == "|":
                return "\\|", "‖"
            raise _Invalid
        m = re.match(r"[A-Za-z]+", src[self.i + 1 :])
        assert m
        name = m.group(0)
        self.i += 1 + len(name)
        name = _MATH_ALIASES.get(name, _TEXT_ARG_ALIASES.get(name, name))
        if name in _TEXT_ARG_COMMANDS:
            inner = _text(self._group_argument(), math=True, depth=self.depth + 1)
            latex = "".join(p.latex for p in inner)
            return f"\\{name}{{{latex}}}", "".join(p.plain for p in inner)
        spec = _MATH_COMMANDS.get(name)
        if spec is None:
            raise _Invalid
        arity, plain = spec
        args: list[tuple[str, str]] = []
        for _ in range(arity):
            self._skip_spaces()
            args.append(self._atom())
        latex = _cat(["\\" + name] + [a[0] for a in args])
        if arity == 0:
            return latex, plain or ""
        if name == "frac":
            return latex, f"{args[0][1]}/{args[1][1]}"
        return latex, (plain or "") + args[0][1]


# ---------------------------------------------------------------------------------------------------------
# Public escaping helpers
# ---------------------------------------------------------------------------------------------------------
def _has_upper(latex: str) -> bool:
    return any(ch.isupper() for ch in latex)


def _brace(content: str) -> str:
    # A group that starts with a backslash is a BibTeX "special character", whose letters BibTeX still
    # changes the case of: a second pair of braces protects it for real.
    return "{{" + content + "}}" if content.startswith("\\") else "{" + content + "}"


def escape_title(title: str) -> str:
    """A title as the value of a BibTeX field: safe LaTeX, braces balanced, capitalised words protected.

    >>> escape_title("TinyGSM: achieving >80% on GSM8k")
    '{TinyGSM:} achieving \\\\textgreater{}80\\\\% on {GSM8k}'
    """
    pieces = _text(clean_text(title), math=True)
    words: list[str] = []
    current: list[str] = []
    for piece in pieces + [_SPACE]:
        if piece.space:
            if current:
                words.append("".join(current))
                current = []
        elif piece.latex:
            current.append(piece.latex)
    out: list[str] = []
    run: list[str] = []
    for word in words + [""]:
        if word and _has_upper(word):
            run.append(word)
            continue
        if run:
            out.append(_brace(" ".join(run)))
            run = []
        if word:
            out.append(word)
    return " ".join(out)


def escape_latex(text: str) -> str:
    """Plain text (every character literal, no math) -> LaTeX text for a BibTeX field."""
    return "".join(p.latex for p in _text(clean_text(text), math=False))


def plain_title(title: str) -> str:
    """A title with its LaTeX turned into Unicode text: 'M$^{2}$UGen' -> 'M²UGen', '90\\%' -> '90%'."""
    text = clean_text(title)
    if "$" not in text and "\\" not in text and "{" not in text and "}" not in text:
        return text
    plain = "".join(p.plain for p in _text(text, math=True))
    return " ".join(plain.split())


# ---------------------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------------------
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


def citation_authors(paper: Paper) -> tuple[list[str], int | None]:
    """The authors to cite, and where the digest marked a gap (Hugging Face's '+': names left out), if any.

    Blank names are dropped and so is a name repeated right after itself (a known glitch of the source).
    """
    names: list[str] = []
    gap: int | None = None
    for raw in paper.authors:
        name = clean_text(raw)
        if not name:
            continue
        if name == GAP:
            if gap is None:
                gap = len(names)
            continue
        if names and names[-1] == name:
            continue
        names.append(name)
    return names, gap


def _latex_special(c: str) -> str | None:
    """'É' -> "{\\'E}", 'ł' -> '{\\l}', 'č' -> '{\\v{c}}': the BibTeX special-character form, or None."""
    if c in _SPECIAL_LETTERS:
        return "{" + _SPECIAL_LETTERS[c][0] + "}"
    decomposed = unicodedata.normalize("NFD", c)
    if len(decomposed) != 2:
        return None
    base, mark = decomposed
    accent = _ACCENTS.get(mark)
    if accent is None or not (base.isascii() and base.isalpha()):
        return None
    letter = "\\i" if base == "i" else "\\j" if base == "j" else base
    if accent in _SYMBOL_ACCENTS:
        return "{\\" + accent + letter + "}"
    return "{\\" + accent + "{" + letter + "}}"


def _bibtex_name_part(text: str, first_letters: int = 0) -> str:
    """Escape part of a name; a non-ASCII letter that starts a word or hyphenated part, or is among the
    first `first_letters` letters, becomes a BibTeX special character (BibTeX handles bytes there)."""
    if any(ch in text for ch in "\\{}$"):
        return escape_latex(text)
    if text.isascii() and not any(ch in _TEXT_ESCAPES for ch in text):
        return text
    out: list[str] = []
    letters_seen = 0
    at_start = True
    for ch in text:
        special = None
        if not ch.isascii() and ch.isalpha() and (at_start or letters_seen < first_letters):
            special = _latex_special(ch)
        if special is not None:
            out.append(special)
        elif ch.isascii():
            out.append(_TEXT_ESCAPES.get(ch, ch) if ch.isprintable() else "")
        else:
            out.append(_text_unicode(ch, math=False).latex)
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


def bibtex_authors(paper: Paper) -> str:
    """The author field: 'First Last and First Last', ending in 'and others' where the digest cut the list."""
    names, gap = citation_authors(paper)
    parts = [bibtex_name(n) for n in names]
    if gap is not None and parts:
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


def apa_authors(authors: list[str], gap: int | None = None) -> str:
    """APA 7 author list: '&' before the last; 21 or more: the first 19, '. . .', the last.

    `gap`: the index where names were left out of the list (the digests' '+'); the list is then known
    to be incomplete, so it is cited as the names before the gap (at most 19), '. . .', the last name.
    """
    names = [apa_name(a) for a in authors]
    if not names:
        return ""
    if gap is not None:
        head = names[: min(gap, APA_MAX_AUTHORS - 1)]
        tail = names[gap:]
        if not head:
            head, tail = names[:1], names[1:]
        text = ", ".join(head) + ", " + APA_ELLIPSIS
        return text + " " + tail[-1] if tail else text
    if len(names) == 1:
        return names[0]
    if len(names) <= APA_MAX_AUTHORS:
        return ", ".join(names[:-1]) + ", & " + names[-1]
    return ", ".join(names[: APA_MAX_AUTHORS - 1]) + ", " + APA_ELLIPSIS + " " + names[-1]


# ---------------------------------------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------------------------------------
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
        elif ch in _SPECIAL_LETTERS:
            out.append(_SPECIAL_LETTERS[ch][1])
        elif ch in _GREEK and "{" not in _GREEK[ch]:
            out.append(_GREEK[ch].removeprefix("var"))
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


# ---------------------------------------------------------------------------------------------------------
# The formats
# ---------------------------------------------------------------------------------------------------------
def format_bibtex(paper: Paper, key: str | None = None) -> str:
    """arXiv's own layout (@misc, title, author, year, eprint, archivePrefix, url); no primaryClass or doi,
    which the digests do not hold."""
    fields = [("title", escape_title(paper.title))]
    authors = bibtex_authors(paper)
    if authors:
        fields.append(("author", authors))
    year = paper_year(paper)
    if year:
        fields.append(("year", year))
    fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv"), ("url", abs_url(paper.arxiv_id))]
    body = "".join(f"      {name}={{{value}}},\n" for name, value in fields)
    return f"@misc{{{key or bibtex_key(paper)},\n{body}}}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def format_apa(paper: Paper) -> str:
    """APA 7 for an arXiv preprint: 'Surname, I., & Surname, I. (YYYY). Title. arXiv. https://doi.org/...'."""
    names, gap = citation_authors(paper)
    authors = apa_authors(names, gap)
    year = paper_year(paper) or "n.d."
    title = _sentence(plain_title(paper.title))
    if authors:
        return f"{authors} ({year}). {title} arXiv. {doi_url(paper.arxiv_id)}"
    return f"{title} ({year}). arXiv. {doi_url(paper.arxiv_id)}"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def markdown_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def format_markdown(paper: Paper) -> str:
    """'[Title](https://arxiv.org/abs/ID), First Author et al., YYYY' (two authors: 'A and B')."""
    names, gap = citation_authors(paper)
    parts = [f"[{markdown_escape(plain_title(paper.title))}]({abs_url(paper.arxiv_id)})"]
    if names:
        if len(names) == 1 and gap is None:
            who = names[0]
        elif len(names) == 2 and gap is None:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        parts.append(markdown_escape(who))
    year = paper_year(paper)
    if year:
        parts.append(year)
    return ", ".join(parts)


def ris_name(name: str) -> str:
    """'Last, First' (or 'Last, First, Jr'); organisations as written."""
    parsed = split_name(name)
    if parsed.organization or not parsed.first:
        return ", ".join(p for p in (parsed.surname, "", parsed.jr) if p) if parsed.jr else parsed.surname
    return ", ".join(p for p in (parsed.surname, parsed.first, parsed.jr) if p)


def _ris_value(text: str) -> str:
    return " ".join(text.split())


def format_ris(paper: Paper) -> str:
    """One RIS record (journal-article type with 'arXiv' as the journal, as Google Scholar and ADS export
    arXiv preprints; Zotero, Mendeley and EndNote import it)."""
    names, _ = citation_authors(paper)
    lines = ["TY  - JOUR", f"TI  - {_ris_value(plain_title(paper.title))}"]
    lines += [f"AU  - {_ris_value(ris_name(n))}" for n in names]
    year = paper_year(paper)
    if year:
        lines.append(f"PY  - {year}")
    lines += [
        "T2  - arXiv",
        "JO  - arXiv",
        f"AN  - arXiv:{paper.arxiv_id}",
        f"UR  - {abs_url(paper.arxiv_id)}",
        "ER  - ",
    ]
    return "\n".join(lines)


def format_arxiv(paper: Paper) -> str:
    return f"arXiv:{paper.arxiv_id}"


def format_citation(paper: Paper, fmt: str = "bibtex", *, key: str | None = None) -> str:
    """One citation of `paper` in `fmt` (one of FORMATS), without a trailing newline."""
    if fmt == "bibtex":
        return format_bibtex(paper, key)
    if fmt == "apa":
        return format_apa(paper)
    if fmt == "markdown":
        return format_markdown(paper)
    if fmt == "arxiv":
        return format_arxiv(paper)
    if fmt == "ris":
        return format_ris(paper)
    raise ValueError(f"unknown citation format {fmt!r} (choose from {', '.join(FORMATS)})")


def unique_papers(papers: Iterable[Paper]) -> list[Paper]:
    """Each arXiv id once, at its first place in the list."""
    seen: set[str] = set()
    out: list[Paper] = []
    for paper in papers:
        if paper.arxiv_id not in seen:
            seen.add(paper.arxiv_id)
            out.append(paper)
    return out


def format_citations(papers: Iterable[Paper], fmt: str = "bibtex") -> str:
    """Many citations in `fmt`, each paper once, in the order given; BibTeX keys are made unique.

    BibTeX entries and RIS records are separated by a blank line, the one-line formats one per line.
    The text ends with a newline (it is empty when there are no papers).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown citation format {fmt!r} (choose from {', '.join(FORMATS)})")
    chosen = unique_papers(papers)
    if not chosen:
        return ""
    if fmt == "bibtex":
        keys = unique_keys(chosen)
        return "\n\n".join(format_bibtex(p, keys[p.arxiv_id]) for p in chosen) + "\n"
    separator = "\n\n" if fmt == "ris" else "\n"
    return separator.join(format_citation(p, fmt) for p in chosen) + "\n"
