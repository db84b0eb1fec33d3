"""reader.core.lazy_re: a pattern compiled on first use answers as re.compile's would."""

import re

from reader.core import parse
from reader.core.lazy_re import LazyPattern, lazy


def test_a_lazy_pattern_compiles_on_first_use_and_answers_as_the_compiled_one():
    text = "Vote: 12\nvotes : 3\nnothing"
    pattern = lazy(r"^votes?\s*:\s*(?P<v>\d+)$", re.IGNORECASE | re.MULTILINE)
    compiled = re.compile(r"^votes?\s*:\s*(?P<v>\d+)$", re.IGNORECASE | re.MULTILINE)
    assert "search" not in vars(pattern)  # nothing compiled yet
    assert pattern.search(text)[0] == compiled.search(text)[0] == "Vote: 12"
    assert vars(pattern)["search"] == compiled.search  # bound once, the compiled pattern's own method
    assert pattern.findall(text) == compiled.findall(text) == ["12", "3"]
    assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    assert pattern.sub("-", text) == compiled.sub("-", text)
    assert pattern.match("VOTES:7")["v"] == "7" and pattern.fullmatch("x") is None
    assert (pattern.pattern, pattern.flags, pattern.groups, pattern.groupindex) == (
        compiled.pattern, compiled.flags, compiled.groups, compiled.groupindex)


def test_the_parsers_patterns_wait_for_their_first_use():
    assert isinstance(parse._WATCH, LazyPattern)
    assert parse.parse_text("## Daily Papers (2024-08-07)\n\n### [A](https://arxiv.org/abs/2408.00001)\n").papers
