"""Errors a user can act on. The CLI prints them as one line, without a traceback."""


class UgcTrustError(Exception):
    """Base class of every error meant for the user."""


class InputError(UgcTrustError):
    """An input file is missing, unreadable or in an unknown format."""


class OutputError(UgcTrustError):
    """An output cannot be written."""


class ModelError(UgcTrustError):
    """A model cannot be found or loaded."""
