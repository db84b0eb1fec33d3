"""Errors that reach the user as one line and an exit code."""


class UserError(Exception):
    """A failure the user can act on: printed as one line, exit code 1 (or the code given)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class UsageError(UserError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code=2)
