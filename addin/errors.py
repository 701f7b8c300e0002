"""Errors a person can act on: each one is a single clear sentence, never a traceback."""


class UserError(Exception):
    """A problem with the user's file, settings or request, worded for the user; ``short`` is the same problem
    in a few words, for a cell (without what else there is to know)."""

    def __init__(self, message: str, short: str | None = None):
        super().__init__(message)
        self.short = short or message.rstrip(".")
