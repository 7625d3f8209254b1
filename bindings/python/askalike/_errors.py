"""The exceptions of askalike: one tree rooted at :class:`askalike.Error`.

The compiled module raises the subclass that matches the library's error
code, with the library's message. Several also derive from the built-in
exception a Python programmer would try first (ValueError, LookupError,
OSError), so ``except ValueError`` catches a bad argument as usual.
"""

from __future__ import annotations

import builtins

__all__ = [
    "Error",
    "InvalidArgumentError",
    "ParseError",
    "NotFoundError",
    "DatabaseLockedError",
    "IncompatibleVersionError",
    "CorruptDatabaseError",
    "FileError",
    "InternalError",
    "UnavailableError",
    "TimeoutError",
]


class Error(Exception):
    """Base class of every error raised by askalike.

    ``str(error)`` is the library's message; ``code`` is a short stable name
    of the kind of error ("not_found", "parse", ...).
    """

    code: str = "internal"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)

    @property
    def message(self) -> str:
        """The library's message (the same as ``str(error)``)."""
        return str(self.args[0]) if self.args else ""


class InvalidArgumentError(Error, ValueError):
    """A bad option or argument, or an operation on a closed Index/Searcher."""

    code = "invalid_argument"


class ParseError(Error, ValueError):
    """A malformed input record. The message reads ``SOURCE:LINE: REASON``."""

    code = "parse"

    def __init__(self, message: str = "", *, source: str = "", line: int = 0,
                 reason: str = "") -> None:
        super().__init__(message)
        #: The file (or stream name: "<record>", "<add_many>", ...) of the record.
        self.source = source
        #: Its 1-based line (for add_many: its position in the iterable).
        self.line = line
        #: What was wrong, without the location.
        self.reason = reason


class NotFoundError(Error, LookupError):
    """No database at the path, or no record with the id."""

    code = "not_found"


class DatabaseLockedError(Error):
    """Another writer (an Index in this or another process) holds the database."""

    code = "database_locked"


class IncompatibleVersionError(Error):
    """The database was written by another (newer) askalike, or is not askalike's."""

    code = "incompatible_version"


class CorruptDatabaseError(Error):
    """The database is damaged."""

    code = "corrupt"


class FileError(Error, OSError):
    """A file could not be read or written."""

    code = "io"


class InternalError(Error):
    """Anything else: a bug in askalike (please report it)."""

    code = "internal"


class UnavailableError(Error, ConnectionError):
    """A remote shard's server (xapian-tcpsrv) refused or dropped the connection."""

    code = "unavailable"


class TimeoutError(Error, builtins.TimeoutError):
    """A remote shard's server did not answer within the Searcher's timeout."""

    code = "timeout"
