"""The one exception type meant for users: a Chinese message plus where the problem is.

The CLI turns it into exit code 2; any other exception is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass


def printable(text: str) -> str:
    """A file or folder name whose bytes are not UTF-8 (a Windows zip unpacked on UOS/Kylin keeps
    GBK names) with replacement characters, so terminals, workbooks and JSON can show it."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass(frozen=True)
class Location:
    file: str | None = None
    line: int | None = None
    key: str | None = None  # e.g. "indicators[0].children[1].rule.bands[2]"
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"第{self.line}行")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"列“{self.column}”")
        if self.key:
            parts.append(self.key)
        return " ".join(parts)


class ScoringError(Exception):
    """A problem in the user's criteria, data or usage, explained in Chinese."""

    def __init__(self, message: str, location: Location | None = None):
        self.message = message
        self.location = location or Location()
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message


class CriteriaError(ScoringError):
    """Bad criteria file (validation, extends, expressions)."""


class InputError(ScoringError):
    """Unreadable or unusable input data."""


class OutputError(ScoringError):
    """The output cannot be written where asked."""
