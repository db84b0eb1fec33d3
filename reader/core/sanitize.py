"""Remove what must never reach a terminal: control characters and escape sequences.

Digest text is untrusted. ESC-introduced sequences (CSI, OSC such as OSC 52 or a window title, DCS, ...)
are removed whole; any other C0/C1 control character is dropped (a tab becomes a space); bidirectional
override characters (and U+061C), which can disguise text, are dropped too, and so are Unicode tag
characters (U+E0000-E007F: text no one sees) and the interlinear annotation marks (U+FFF9-FFFB). Newlines
are kept; U+2028 / U+2029 (line and paragraph separators) become a newline (a space on one-line values).

Text is also made measurable: a terminal and Textual must agree on how many cells each character takes, or
a row pushes its pane's border aside. Text is NFC-composed (a decomposed accent or Hangul syllable becomes
one character) and what terminals draw at widths Textual cannot know is replaced: zero-width joiners (a
ZWJ emoji becomes its single emoji, side by side), variation selectors, emoji skin-tone modifiers, spacing
combining marks (Textual counts them 0 cells, terminals 1), the Hangul fillers, and the few symbols whose
width changed between Unicode versions (U+FFFD stands in for those).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from reader.core.lazy_re import lazy

# Compiled on first use (functools.cache, reader.core.lazy_re): digest text rarely holds anything to remove,
# and compiling these character classes costs a few milliseconds of the reader's start.
_ESCAPES_PATTERN = (
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                 # CSI ... final byte
  | \x1b[\]PX^_][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?  # OSC / DCS / SOS / PM / APC, to its end
  | \x9b[0-?]*[ -/]*[@-~]                   # 8-bit CSI
  | [\x90\x9d\x98\x9e\x9f][^\x07\x1b\x9c\n]*(?:\x07|\x9c)?  # 8-bit OSC / DCS / ...
  | \x1b[ -/]*[0-~]?                        # any other ESC sequence (or a lone ESC)
    """
)
# Characters that hide or reorder text: bidi marks and overrides (U+061C, U+200E/F, U+202A-E, U+2066-9),
# interlinear annotations (U+FFF9-FFFB) and tags (U+E0000-E007F).
_HIDDEN = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufff9-\ufffb\U000e0000-\U000e007f"
_SEPARATORS = "\u2028\u2029"
_CONTROLS = "[\x00-\x08\x0b-\x1f\x7f-\x9f" + _HIDDEN + "]"
# Drawn at a width Textual cannot know (see the module's docstring): dropped.
_UNMEASURABLE = ("\u115f\u1160\u200d\u3164\ufe00-\ufe0f\uffa0\U0001f3fb-\U0001f3ff\U000e0100-\U000e01ef")
# Symbols whose width changed between Unicode versions (Textual's tables are newer than most terminals').
_WIDTH_CHANGED = "\u2630-\u2637\u268a-\u268f\u3248-\u324f\U0001d300-\U0001d356\U0001d360-\U0001d376"
# The Unicode blocks that hold spacing combining marks (category Mc; tests/tui/test_unicode_text.py checks that
# none lies outside them): text with none of these characters needs no look-up of categories.
_MC_BLOCKS = ("\u0900-\u1cff\u302e\u302f\ua800-\uabff\U00011000-\U00011fff\U00016f00-\U00016fff"
              "\U0001d100-\U0001d1ff")
_NEEDS_WORK_ASCII = lazy("[\x00-\x09\x0b-\x1f\x7f]")


@functools.cache
def _needs_work() -> re.Pattern[str]:
    """Whether a text needs any of the above: its Basic Multilingual Plane characters one by one, and any
    character beyond it (emoji, tags, ...) at all. (A class of many ranges past U+FFFF makes every search
    several times slower: Korean text is scanned at each screen it appears on.)"""
    return re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f" + "".join(
        part for part in re.findall(r".-.|.", _HIDDEN + _SEPARATORS + _UNMEASURABLE + _WIDTH_CHANGED + _MC_BLOCKS)
        if ord(part[0]) < 0x10000) + "\U00010000-\U0010ffff]")


@functools.cache
def _pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


@functools.cache
def _spacing_marks() -> re.Pattern[str]:
    """Every spacing combining mark (Mc) this Python's Unicode knows, as one character class."""
    ranges: list[list[int]] = []
    for first, last in ((0x0900, 0x1CFF), (0x302E, 0x302F), (0xA800, 0xABFF), (0x11000, 0x11FFF),
                        (0x16F00, 0x16FFF), (0x1D100, 0x1D1FF)):
        for code in range(first, last + 1):
            if unicodedata.category(chr(code)) == "Mc":
                if ranges and ranges[-1][1] == code - 1:
                    ranges[-1][1] = code
                else:
                    ranges.append([code, code])
    return re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in ranges) + "]")


def clean(text: str, separators: str | None = "\n") -> str:
    """Return text with escape sequences and control characters removed (newlines kept), made measurable.

    U+2028 / U+2029 become `separators` (None keeps them: the digest parser turns them into spaces or line
    breaks once the file is split into lines)."""
    if text.isascii():
        if not _NEEDS_WORK_ASCII.search(text):
            return text
    else:
        text = unicodedata.normalize("NFC", text)
        if not _needs_work().search(text):
            return text
    text = _pattern(_ESCAPES_PATTERN, re.VERBOSE).sub("", text)
    text = text.replace("\t", " ")
    text = _pattern(_CONTROLS).sub("", text)
    if text.isascii():
        return text
    if separators is not None:
        text = _pattern("[" + _SEPARATORS + "]").sub(separators, text)
    text = _pattern("[" + _UNMEASURABLE + "]").sub("", text)
    text = _pattern("[" + _WIDTH_CHANGED + "]").sub("\ufffd", text)
    if _pattern("[" + _MC_BLOCKS + "]").search(text):
        text = _spacing_marks().sub("", text)
    return text


def clean_line(text: str) -> str:
    """As clean(), for a one-line value: newlines (and line or paragraph separators) become spaces."""
    return clean(text, " ").replace("\n", " ")


# Text that is not a digest's (file names, paths, config values, command-line arguments, a git error) is
# shown, not cleaned: its control characters become visible escapes (\x1b, \u202e), so the user can still
# tell which file is meant, and nothing reaches the terminal as a control sequence.
_UNSAFE = "[\x00-\x08\x0b-\x1f\x7f-\x9f" + _HIDDEN + _SEPARATORS + "]"
_UNSAFE_LINE = "[\x00-\x1f\x7f-\x9f" + _HIDDEN + _SEPARATORS + "]"


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str) -> str:
    """Control characters (but tab and newline), bidi overrides, tags and line separators as visible escapes."""
    return _pattern(_UNSAFE).sub(_escape, text)


def visible_line(text: str) -> str:
    """As visible(), for a value that must stay on one line: tab and newline are escaped too."""
    return _pattern(_UNSAFE_LINE).sub(_escape, text)


def is_safe(text: str) -> bool:
    """True when text holds nothing a terminal would take as control (tab and newline allowed)."""
    return not _pattern(_UNSAFE).search(text)


_UNSAFE_STREAM = "\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + _HIDDEN + _SEPARATORS + "]"
# What _UNSAFE_STREAM could match, as one character class: a class alone is scanned five times faster than the
# alternation (a search printing 4,000 lines: 3 ms, not 14), and only text holding one is looked at closer.
_STREAM_SUSPECT = "[\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + _HIDDEN + _SEPARATORS + "]"
# The same, for ASCII text (most of what a command prints): compiled in a tenth of the time.
_STREAM_SUSPECT_ASCII = lazy("[\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class GuardedStream:
    """A text stream that writes what it is given with every control character as a visible escape (tab,
    newline and CRLF pass): what the command-line tools print can never be a terminal control sequence,
    whatever a file name, a path or an argument holds. `unguarded` is the stream below (for a progress line
    that rewrites itself with a carriage return)."""

    def __init__(self, stream) -> None:
        self.unguarded = stream

    def write(self, text: str) -> int:
        if (_STREAM_SUSPECT_ASCII if text.isascii() else _pattern(_STREAM_SUSPECT)).search(text):
            text = _pattern(_UNSAFE_STREAM).sub(_escape, text)
        return self.unguarded.write(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):
        return getattr(self.unguarded, name)
