"""Errors raised by the library; the CLI maps each to an exit code.

GcfinopsError (exit 2)
├── InputError              a file cannot be read as billing data (file, line, column)
│   ├── MissingColumnError
│   ├── UnknownFormatError
│   ├── AmbiguousFormatError
│   ├── EncodingError
│   ├── EmptyFileError
│   └── TruncatedFileError
├── ConfigError             gcfinops.toml or a CSV the user maintains is wrong (file, key)
├── RuleDefinitionError     a rule file is invalid (file, key or SQL position)
├── MissingRateError        a total needs an FX rate that is not in the rate table
├── NoDataError             the lake holds nothing for what was asked
├── LockedError             another ingest holds the workspace lock
├── RemoteSourceError       a remote source (s3://, azure://, bq://) cannot be listed or read
└── ReconciliationError     (exit 1) source and lake totals differ
"""

from __future__ import annotations


class GcfinopsError(Exception):
    """Base class; the tool could not do its work."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InputError(GcfinopsError, ValueError):
    """Raised when an input file is not readable billing data."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        where = ":".join(str(p) for p in (path, line) if p is not None)
        if column:
            where = f"{where}: column {column!r}" if where else f"column {column!r}"
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.path = path
        self.line = line
        self.column = column


class MissingColumnError(InputError):
    """Raised when a required source column is absent."""


class UnknownFormatError(InputError):
    """Raised when no adapter recognises a file's columns."""


class AmbiguousFormatError(InputError):
    """Raised when several adapters recognise a file's columns."""


class EncodingError(InputError):
    """Raised when a file is in none of the supported encodings."""


class EmptyFileError(InputError):
    """Raised when a file has no header or no data rows."""


class TruncatedFileError(InputError):
    """Raised when a compressed file ends early."""


class ConfigError(GcfinopsError):
    """Raised when configuration or a user-maintained table is invalid."""


class RuleDefinitionError(GcfinopsError):
    """Raised when a rule file is invalid."""


class MissingRateError(GcfinopsError):
    """Raised when an amount needs an FX rate that the workspace does not have."""


class NoDataError(GcfinopsError):
    """Raised when the lake has no data for the requested scope."""


class LockedError(GcfinopsError):
    """Raised when the workspace lock cannot be taken in time."""


class RemoteSourceError(GcfinopsError):
    """Raised when a remote source cannot be listed or read (credentials, access, missing data)."""


class ReconciliationError(GcfinopsError):
    """Raised when the totals written differ from the totals read."""

    exit_code = 1
