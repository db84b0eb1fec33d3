"""What a summarizer run can raise: nothing can start, one paper failed, or the run cannot go on."""

from __future__ import annotations

from reader.errors import UserError


class SummarizeSetupError(UserError):
    """Nothing can be summarised as things are (no model, a bad prompt file, pypdf missing ...): one line."""


class PaperFailed(Exception):
    """One paper could not be summarised (one line); the run goes on."""

    def __init__(self, message: str, tokens: int = 0) -> None:
        super().__init__(message)
        self.tokens = tokens


class Fatal(Exception):
    """The run cannot go on (the key refused, an unknown model, no server, a long rate limit): one line."""
