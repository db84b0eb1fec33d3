"""Which papers have a Korean summary: the archive's sections (What's New, Technical Details, Performance
Highlights; the oldest days' plain "Summary") holding Korean text.

Every archive day has them; a day from Hugging Face has English sections only until the summarizer writes
the three Korean ones above them (reader.sources.summarize).
"""

from __future__ import annotations

from reader.core.lazy_re import lazy

# The archive's newest form, in its order: the summarizer writes these three.
SUMMARY_SECTIONS = ("What's New", "Technical Details", "Performance Highlights")
# Sections that count as "the Korean summary" when they hold Hangul (the oldest archive days: "Summary").
KOREAN_SECTION_NAMES = frozenset(SUMMARY_SECTIONS + ("Summary",))

# Hangul syllables, Jamo and compatibility Jamo.
_HANGUL = lazy("[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")


def has_hangul(text: str) -> bool:
    return _HANGUL.search(text) is not None


def has_korean_summary(paper) -> bool:
    """True when one of the paper's sections named as the archive names them holds Korean text."""
    return any(section.name in KOREAN_SECTION_NAMES and has_hangul(section.markdown) for section in paper.sections)
