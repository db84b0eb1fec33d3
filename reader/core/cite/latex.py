"""A title or a name as LaTeX for a BibTeX field, and LaTeX as plain Unicode text.

* Titles are LaTeX: `% $ & # _` and a lone `^ ~ < > |` are escaped; LaTeX the title already carries is kept
  when it is safe (a closed `$...$` pair with known commands, `\\textsc{..}`, accents, `\\%`); anything else
  is shown literally (`\\textbackslash{}foo`). Braces always balance. Words holding a capital letter are
  braced so that styles that lower-case titles keep `{LLaMA}` as written.
* Unicode stays UTF-8 where LaTeX's utf8 input encoding with T1 fonts can typeset it (tables.T1_SAFE, measured
  on TeX Live: Latin-1, Latin Extended-A and the usual punctuation). Greek letters and mathematical symbols
  become math (`$\\alpha$`); other letters are folded to ASCII where they decompose (`ℓ` -> `l`), else `?`;
  emoji and other symbols are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

from reader.core.cite.tables import (
    ACCENT_MARKS,
    LETTER_ACCENTS,
    MATH_ALIASES,
    MATH_COMMANDS,
    MATH_UNICODE,
    SPECIAL_LETTERS,
    SUBSCRIPTS,
    SUPERSCRIPTS,
    SYMBOL_ACCENTS,
    T1_SAFE,
    TEXT_ARG_ALIASES,
    TEXT_ARG_COMMANDS,
    TEXT_SYMBOLS,
)


class _Piece(NamedTuple):
    latex: str
    plain: str
    space: bool = False


_SPACE = _Piece(" ", " ", True)
TEXT_ESCAPES = {
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
    if c in SPECIAL_LETTERS:
        return c
    base = unicodedata.normalize("NFKD", c)
    marks = [ch for ch in base if unicodedata.combining(ch)]
    letters = "".join(ch for ch in base if not unicodedata.combining(ch))
    # Keep as many of the accents as still compose into something typesettable (ǘ -> ü, ṩ -> ṣ -> s).
    for keep in range(len(marks), -1, -1):
        candidate = unicodedata.normalize("NFC", letters + "".join(marks[:keep]))
        if candidate and all(ch.isascii() or ch in T1_SAFE for ch in candidate):
            return candidate
    return ""


def text_unicode(c: str, *, math: bool) -> _Piece:
    """One non-ASCII character, in text mode (or math mode when `math`)."""
    category = unicodedata.category(c)
    if category == "Cf":
        return _Piece("", "")
    if category == "Mn":  # a combining mark left over after NFC
        return _Piece("", c)
    name = MATH_UNICODE.get(c)
    if math:
        if name is not None:
            return _Piece(name if name == "-" else "\\" + name, c)
        if c in T1_SAFE:
            return _Piece("\\mbox{" + c + "}", c)
    else:
        if c in T1_SAFE:
            return _Piece(c, c)
        if name is not None:
            return _Piece("$" + (name if name == "-" else "\\" + name) + "$", c)
        if c in SUPERSCRIPTS.values():
            base = next(k for k, v in SUPERSCRIPTS.items() if v == c)
            return _Piece("\\textsuperscript{" + base + "}", c)
        if c in SUBSCRIPTS.values():
            base = next(k for k, v in SUBSCRIPTS.items() if v == c)
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
    mark = ACCENT_MARKS.get(accent)
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
                out.append(_Piece(TEXT_ESCAPES["{"], "{"))
                i += 1
            else:
                inner = _text(s[i + 1 : j], math=math, depth=depth + 1)
                out.append(_Piece("{" + "".join(p.latex for p in inner) + "}", "".join(p.plain for p in inner)))
                i = j + 1
        elif c in TEXT_ESCAPES:
            out.append(_Piece(TEXT_ESCAPES[c], c))
            i += 1
        elif c.isascii():
            if c.isprintable():
                out.append(_Piece(c, c))
            i += 1
        else:
            out.append(text_unicode(c, math=False))
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
        return _Piece(TEXT_ESCAPES["\\"], "\\"), i + 1
    d = s[i + 1]
    if d.isascii() and d.isalpha():
        m = re.match(r"[A-Za-z]+", s[i + 1 :])
        assert m
        name = m.group(0)
        j = i + 1 + len(name)
        name = TEXT_ARG_ALIASES.get(name, name)
        if name in TEXT_ARG_COMMANDS and j < len(s) and s[j] == "{":
            k = _match_brace(s, j)
            if k > 0 and depth <= 20:
                inner = _text(s[j + 1 : k], math=math, depth=depth + 1)
                latex = "".join(p.latex for p in inner)
                return _Piece(f"\\{name}{{{latex}}}", "".join(p.plain for p in inner)), k + 1
        elif name in TEXT_SYMBOLS:
            if s.startswith("{}", j):
                j += 2
            return _Piece(f"\\{name}{{}}", TEXT_SYMBOLS[name]), j
        elif name in LETTER_ACCENTS and len(name) == 1:
            k = j + 1 if j < len(s) and s[j] == " " else j
            arg = _accent_argument(s, k)
            if arg is not None:
                char = _accented(name, arg[0])
                if char is not None:
                    return text_unicode(char, math=False) if not char.isascii() else _Piece(char, char), arg[1]
        # An unknown command is shown, not run: it could be undefined in the reader's document.
        return _Piece("\\textbackslash{}" + name, "\\" + name), j
    if d in SYMBOL_ACCENTS:
        arg = _accent_argument(s, i + 2)
        if arg is not None and arg[0]:
            char = _accented(d, arg[0])
            if char is not None:
                return text_unicode(char, math=False) if not char.isascii() else _Piece(char, char), arg[1]
        if arg is not None and arg[0] == "" and d in "^~":  # \^{} and \~{}: the character itself
            return _Piece(TEXT_ESCAPES[d], d), arg[1]
        return _Piece(TEXT_ESCAPES["\\"], "\\"), i + 1
    if d in "%&#_$":
        return _Piece("\\" + d, d), i + 2
    if d in "{}":
        return _Piece(TEXT_ESCAPES[d], d), i + 2
    if d in " \\":
        return _SPACE, i + 2
    if d == ",":
        return _Piece("\\,", "\u2009"), i + 2
    if d in "-/@":
        return _Piece("", ""), i + 2
    return _Piece(TEXT_ESCAPES["\\"], "\\"), i + 1


def _script(mark: str, plain: str) -> str:
    table = SUPERSCRIPTS if mark == "^" else SUBSCRIPTS
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
        piece = text_unicode(c, math=True)
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
        name = MATH_ALIASES.get(name, TEXT_ARG_ALIASES.get(name, name))
        if name in TEXT_ARG_COMMANDS:
            inner = _text(self._group_argument(), math=True, depth=self.depth + 1)
            latex = "".join(p.latex for p in inner)
            return f"\\{name}{{{latex}}}", "".join(p.plain for p in inner)
        spec = MATH_COMMANDS.get(name)
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
