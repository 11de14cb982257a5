"""The leadership workbook: seven sheets in a fixed order, optional unit sheets after them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from xlsxwriter.workbook import Workbook

import scoring
from scoring.report.frames import ranking_table
from scoring.report.layout import WORKBOOK_OPTIONS, Styles
from scoring.report.output import atomic_write
from scoring.report.sheets.chart import write_chart
from scoring.report.sheets.criteria import write_criteria
from scoring.report.sheets.details import ordered_details, write_details
from scoring.report.sheets.inputs import write_inputs
from scoring.report.sheets.issues import write_issues
from scoring.report.sheets.ranking import sheet_title, write_ranking
from scoring.report.sheets.scores import write_scores
from scoring.report.sheets.stability import write_stability
from scoring.report.sheets.units import write_unit_sheets
from scoring.result import Result

if TYPE_CHECKING:
    from scoring.stability import Stability

SHEETS = ("排名", "指标得分", "得分明细", "原始数据", "评分标准", "数据问题", "图表")  # + 排名稳定性 with --stability


def write_workbook(
    result: Result, path: Path, previous: Result | None = None, unit_sheets: bool = False
) -> list[str]:
    """Write the workbook atomically to `path`. Returns notes for the user (Chinese), e.g. that
    unit sheets were skipped because there are too many units; empty when there is nothing to say."""
    notes: list[str] = []
    atomic_write(Path(path), workbook_writer(result, previous, unit_sheets, notes))
    return notes


def workbook_writer(result: Result, previous: Result | None, unit_sheets: bool, notes: list[str],
                    stability: "Stability | None" = None):
    """A writer for atomic_write: builds the workbook at the temp path, collecting notes."""

    def build(target: Path) -> None:
        with settled_heap():
            notes.extend(_build(result, target, previous, unit_sheets, stability))

    return build


def _build(result: Result, target: Path, previous: Result | None, unit_sheets: bool,
           stability: "Stability | None" = None) -> list[str]:
    # Closing writes the file, so it also runs on failure; atomic_write then drops that file.
    with Workbook(str(target), WORKBOOK_OPTIONS) as wb:
        _set_properties(wb, result)
        styles = Styles(wb, result.scheme.precision)
        table = ranking_table(result, previous)
        write_ranking(wb, styles, result, table)
        write_scores(wb, styles, result, table.order)
        notes = write_details(wb, styles, result, table.order)
        notes += write_inputs(wb, styles, result, table.order)
        write_criteria(wb, styles, result)
        write_issues(wb, styles, result)
        write_chart(wb, styles, result, table)
        if stability is not None:
            write_stability(wb, styles, result, stability)
        if unit_sheets:
            notes += write_unit_sheets(wb, styles, result, table, ordered_details(result, table.order))
        return notes


@contextmanager
def settled_heap() -> Iterator[None]:
    """Leave what already exists (the Result's millions of objects) out of the garbage
    collector's scans while a writer adds objects by the million (XlsxWriter one per cell,
    the CSV writer one per value): otherwise every full collection walks them all again, a
    third of the writing time for a province."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _set_properties(wb: Workbook, result: Result) -> None:
    """Fixed document properties: the only timestamp is the Result's generation time."""
    scheme = result.scheme
    wb.set_properties(
        {
            "title": sheet_title(result),
            "subject": "政务公开考评结果",
            "author": f"政务公开考评工具 {scoring.__version__}",
            "comments": f"考评方案 {scheme.id} {scheme.version or ''} SHA-256 {scheme.sha256}".strip(),
            "created": result.generated_at,
        }
    )
