"""Collecting data issues while reading, with row-level issues capped so a bad file stays readable."""

from __future__ import annotations

from collections.abc import Iterable

from scoring.issues import DataIssue, Severity

# A file with thousands of bad rows gets this many row issues, then one summary issue.
ROW_ISSUE_LIMIT = 20


class IssueLog:
    def __init__(self) -> None:
        self.items: list[DataIssue] = []

    def add(
        self,
        severity: Severity,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        unit: str | None = None,
        metric: str | None = None,
    ) -> None:
        self.items.append(DataIssue(severity, message, file, row, column, unit, metric))

    def add_rows(self, issues: Iterable[DataIssue], what: str) -> None:
        """Add row-level issues of one kind from one file; past the limit, count the rest.

        `what` names the kind in the summary ("日期无法识别").
        """
        issues = list(issues)
        self.items.extend(issues[:ROW_ISSUE_LIMIT])
        rest = issues[ROW_ISSUE_LIMIT:]
        if rest:
            first = rest[0]
            rows = "、".join(str(i.row) for i in rest[:5] if i.row is not None)
            self.add(
                first.severity,
                f"另有 {len(rest)} 行同类问题({what})未逐条列出,如第 {rows} 行等",
                file=first.file,
                column=first.column,
            )

    def __len__(self) -> int:
        return len(self.items)
