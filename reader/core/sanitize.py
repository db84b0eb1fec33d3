"""Remove what must never reach a terminal: control characters and escape sequences.

Digest text is untrusted. ESC-introduced sequences (CSI, OSC such as OSC 52 or a window title, DCS, ...)
are removed whole; any other C0/C1 control character is dropped (a tab becomes a space); bidirectional
override characters, which can disguise text, are dropped too. Newlines are kept.
"""

from __future__ import annotations

import functools
import re

# Compiled on first use (functools.cache): digest text rarely holds anything to remove, and compiling these
# character classes costs a few milliseconds of the reader's start.
_ESCAPES_PATTERN = (
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                 # CSI ... final byte
  | \x1b[\]PX^_][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?  # OSC / DCS / SOS / PM / APC, to its end
  | \x9b[0-?]*[ -/]*[@-~]                   # 8-bit CSI
  | [\x90\x9d\x98\x9e\x9f][^\x07\x1b\x9c\n]*(?:\x07|\x9c)?  # 8-bit OSC / DCS / ...
  | \x1b[ -/]*[0-~]?                        # any other ESC sequence (or a lone ESC)
    """
)
_CONTROLS = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
_NEEDS_WORK = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@functools.cache
def _pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def clean(text: str) -> str:
    """Return text with escape sequences and control characters removed (newlines kept)."""
    if not _NEEDS_WORK.search(text):
        return text
    text = _pattern(_ESCAPES_PATTERN, re.VERBOSE).sub("", text)
    text = text.replace("\t", " ")
    return _pattern(_CONTROLS).sub("", text)


def clean_line(text: str) -> str:
    """As clean(), for a one-line value: newlines become spaces."""
    return clean(text).replace("\n", " ")


# Text that is not a digest's (file names, paths, config values, command-line arguments, a git error) is
# shown, not cleaned: its control characters become visible escapes (\x1b, \u202e), so the user can still
# tell which file is meant, and nothing reaches the terminal as a control sequence.
_UNSAFE = _CONTROLS
_UNSAFE_LINE = "[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Control characters (but tab and newline) and bidi overrides as visible escapes."""
    return _pattern(_UNSAFE).sub(_escape, text)


def visible_line(text: str) -> str:
    """As visible(), for a value that must stay on one line: tab and newline are escaped too."""
    return _pattern(_UNSAFE_LINE).sub(_escape, text)


def is_safe(text: str) -> bool:
    """True when text holds nothing a terminal would take as control (tab and newline allowed)."""
    return not _pattern(_UNSAFE).search(text)


_UNSAFE_STREAM = "\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"


class GuardedStream:
    """A text stream that writes what it is given with every control character as a visible escape (tab,
    newline and CRLF pass): what the command-line tools print can never be a terminal control sequence,
    whatever a file name, a path or an argument holds. `unguarded` is the stream below (for a progress line
    that rewrites itself with a carriage return)."""

    def __init__(self, stream) -> None:
        self.unguarded = stream

    def write(self, text: str) -> int:
        unsafe = _pattern(_UNSAFE_STREAM)
        if unsafe.search(text):
            text = unsafe.sub(_escape, text)
        return self.unguarded.write(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):
        return getattr(self.unguarded, name)
