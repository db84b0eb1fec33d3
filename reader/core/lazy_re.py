"""Regular expressions compiled when first used, not when their module is imported.

A command pays for every pattern its modules compile at import, used or not: the digest parser's, the index's
and the search language's cost `daily-papers search` about 10 ms together, and it uses a handful (a class
of Hangul syllables alone takes a millisecond to compile). `lazy(pattern, flags)` stands where
`re.compile(pattern, flags)` stood: the pattern is compiled the first time one of its attributes is asked
for, and from then on its methods are the compiled pattern's own, bound once (a loop that calls
`_PATTERN.match` pays nothing more than before).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

_BOUND = ("match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split", "scanner", "pattern",
          "flags", "groups", "groupindex")


class LazyPattern:
    """A re.Pattern that compiles itself when first used (see the module's docstring)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = (pattern, flags)

    def compiled(self) -> re.Pattern[str]:
        return re.compile(*self._source)  # (re's own cache: the same object every time)

    def __getattr__(self, name: str):  # only for what is not bound yet: the first use
        compiled = self.compiled()
        self.__dict__.update((attr, getattr(compiled, attr)) for attr in _BOUND)
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self._source[0]!r}, {self._source[1]!r})"


if TYPE_CHECKING:
    def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]: ...
else:
    lazy = LazyPattern
