"""Errors a person can act on: each one is a single clear sentence, never a traceback."""


class UserError(Exception):
    """A problem with the user's file, settings or request, worded for the user."""
