"""The answer is untrusted: a chat completion's text must hold the three sections as non-empty Korean text of a
sane length, each cleaned as digest text is; whatever a server says back is shown only redacted."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from reader.core.korean import SUMMARY_SECTIONS, has_hangul
from reader.core.sanitize import clean_line, visible_line
from reader.sources.summarize.errors import PaperFailed

MAX_SECTION_CHARS = 3_000  # the archive's longest section is about 1,000
MAX_ANSWER_CHARS = 200_000  # an answer's text; the body itself is capped at request.MAX_ANSWER_BYTES
_KEYS = {re.sub(r"[^a-z]", "", name.lower()): name for name in SUMMARY_SECTIONS}


def redact(text: str, key: str | None) -> str:
    """Text a server sent back, fit to show: one line, cut, and nothing that looks like the key (the key
    itself, any 8 characters of it, anything shaped like a key or a bearer token)."""
    text = visible_line(" ".join(text.split()))[:300]
    if key:
        text = text.replace(key, "[redacted]")
        for start in range(0, max(0, len(key) - 7)):
            piece = key[start:start + 8]
            if piece in text:
                text = re.sub(r"[A-Za-z0-9_\-*.]*" + re.escape(piece) + r"[A-Za-z0-9_\-*.]*", "[redacted]", text)
    text = re.sub(r"(?i)\bbearer\s+[A-Za-z0-9_\-.~+/=*]+", "Bearer [redacted]", text)
    text = re.sub(r"(?i)\b(api[-_ ]?key|token|authorization|secret|password)(\s*[:=]\s*)[^\s,;]+", r"\1\2[redacted]", text)
    return re.sub(r"\b(?:sk|pk|rk|hf|gsk|xai|key)[-_][A-Za-z0-9_\-*.]{6,}", "[redacted]", text)


def answer_text(data: Any, key: str | None = None) -> tuple[str, int]:
    """A chat completion -> (its message's text, tokens used). PaperFailed when it holds no usable text."""
    tokens = usage_tokens(data)
    if not isinstance(data, dict):
        raise PaperFailed("the answer is not a chat completion", tokens)
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        error = data.get("error")
        said = error.get("message") if isinstance(error, dict) else error
        if isinstance(said, str) and said.strip():
            raise PaperFailed(f"the model server answered with an error: {redact(said, key)}", tokens)
        raise PaperFailed("the answer holds no choices (not a chat completion)", tokens)
    choice = choices[0]
    message = choice.get("message") if isinstance(choice.get("message"), dict) else {}
    refusal = message.get("refusal")
    if isinstance(refusal, str) and refusal.strip():
        raise PaperFailed(f"the model refused: {redact(refusal, key)[:120]}", tokens)
    if choice.get("finish_reason") == "content_filter":
        raise PaperFailed("the server's content filter stopped the answer", tokens)
    content = message.get("content")
    if isinstance(content, list):  # content parts
        content = "".join(part.get("text", "") for part in content
                          if isinstance(part, dict) and isinstance(part.get("text"), str))
    if not isinstance(content, str) or not content.strip():
        raise PaperFailed("the answer is empty", tokens)
    if choice.get("finish_reason") == "length":
        try:
            parse_sections(content)
        except PaperFailed:
            raise PaperFailed("the answer was cut off (the model's output limit)", tokens) from None
    return content, tokens


def usage_tokens(data: Any) -> int:
    usage = data.get("usage") if isinstance(data, dict) else None
    if not isinstance(usage, dict):
        return 0

    def count(name: str) -> int:
        value = usage.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9 else 0

    return count("total_tokens") or count("prompt_tokens") + count("completion_tokens")


def _json_objects(text: str):
    """Every JSON object in text, from its start or any '{' (at most 50 tried)."""
    decoder = json.JSONDecoder()
    tried = 0
    position = text.find("{")
    while position != -1 and tried < 50:
        tried += 1
        try:
            value, _ = decoder.raw_decode(text, position)
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, dict):
            yield value
        position = text.find("{", position + 1)


def _sections_of(data: Mapping[str, Any]) -> dict[str, Any]:
    found = {_KEYS[k]: v for key, v in data.items() if isinstance(key, str)
             and (k := re.sub(r"[^a-z]", "", key.lower())) in _KEYS}
    if not found:  # one level down ({"summary": {...}})
        for value in data.values():
            if isinstance(value, dict):
                inner = {_KEYS[k]: v for key, v in value.items() if isinstance(key, str)
                         and (k := re.sub(r"[^a-z]", "", key.lower())) in _KEYS}
                if inner:
                    return inner
    return found


def parse_sections(content: str) -> list[tuple[str, str]]:
    """The model's answer -> [(section name, cleaned one-line text)] in the archive's order, or PaperFailed
    naming what is wrong. Extra keys are dropped; each section must be non-empty Korean text of at most
    MAX_SECTION_CHARS characters once cleaned (no control character or escape sequence, one line)."""
    if len(content) > MAX_ANSWER_CHARS:
        raise PaperFailed(f"the answer is {len(content):,} characters long (far more than three sections)")
    best: dict[str, Any] = {}
    for candidate in _json_objects(content):
        sections = _sections_of(candidate)
        if len(sections) > len(best):
            best = sections
        if len(best) == len(SUMMARY_SECTIONS):
            break
    if not best:
        start = visible_line(" ".join(content.split()))[:80]
        if "{" not in content:
            raise PaperFailed(f"the answer holds no JSON object (it begins {start!r})")
        raise PaperFailed(f"the answer holds none of the sections {', '.join(SUMMARY_SECTIONS)} "
                          f"(it begins {start!r})")
    missing = [name for name in SUMMARY_SECTIONS if name not in best]
    if missing:
        raise PaperFailed("the answer lacks " + ", ".join(f"'{m}'" for m in missing))
    out = []
    for name in SUMMARY_SECTIONS:
        value = best[name]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = " ".join(value)
        if not isinstance(value, str):
            raise PaperFailed(f"'{name}' is not text")
        if len(value) > MAX_ANSWER_CHARS:
            raise PaperFailed(f"'{name}' is {len(value):,} characters (at most {MAX_SECTION_CHARS:,})")
        text = " ".join(clean_line(value).split())
        if not text:
            raise PaperFailed(f"'{name}' is empty")
        if len(text) > MAX_SECTION_CHARS:
            raise PaperFailed(f"'{name}' is {len(text):,} characters (at most {MAX_SECTION_CHARS:,})")
        if not has_hangul(text):
            raise PaperFailed(f"'{name}' is not in Korean (it begins {visible_line(text[:60])!r})")
        out.append((name, text))
    return out
