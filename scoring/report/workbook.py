"""The leadership workbook: its sheets in a fixed order (趋势 only when earlier periods of the
year were scored), optional unit sheets after them."""

from __future__ import annotations

import functools
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter.workbook
from xlsxwriter.workbook import Workbook

import scoring
from scoring.background import Background
from scoring.collector import settled_heap
from scoring.report.frames import ranking_table
from scoring.report.layout import Styles, workbook_options
from scoring.report.output import atomic_write
from scoring.report.packager import WorkbookPackager
from scoring.report.sheets.chart import write_chart
from scoring.report.sheets.criteria import write_criteria
from scoring.report.sheets.details import detail_table, ordered_details, write_details
from scoring.report.sheets.inputs import input_table, write_inputs
from scoring.report.sheets.issues import write_issues
from scoring.report.sheets.provenance import write_provenance
from scoring.report.sheets.ranking import sheet_title, write_ranking
from scoring.report.sheets.scores import write_scores
from scoring.report.sheets.stability import write_stability
from scoring.report.sheets.trend import write_trend
from scoring.report.sheets.units import write_unit_sheets
from scoring.result import Result

if TYPE_CHECKING:
    from scoring.stability import Stability

ZIP_LEVEL = 1  # deflate level of a workbook built on disk (zlib's default is 6)
IN_MEMORY_ROWS = 100_000  # units × leaves + detail rows + input rows below which the workbook is built in memory
SHEETS = ("排名", "趋势", "指标得分", "得分明细", "原始数据", "评分标准", "数据问题", "图表", "生成信息")  # + 排名稳定性 with --stability


@dataclass(frozen=True)
class WorkbookOptions:
    """What a run adds to its Result: the comparison period, the earlier periods of the year
    (趋势), unit sheets, the issuing office's name (else the criteria's `office:`), and the
    format of the full results written beside the workbook (where its notes send the reader)."""

    previous: Result | None = None
    earlier: tuple[Result, ...] = ()
    unit_sheets: bool = False
    office: str | None = None
    stability: "Stability | None" = None
    data_format: str = "json"


def write_workbook(result: Result, path: Path, previous: Result | None = None, unit_sheets: bool = False,
                   earlier: tuple[Result, ...] = (), office: str | None = None) -> list[str]:
    """Write the workbook atomically to `path`. Returns notes for the user (Chinese), e.g. that
    unit sheets were skipped because there are too many units; empty when there is nothing to say."""
    notes: list[str] = []
    options = WorkbookOptions(previous, tuple(earlier), unit_sheets, office)
    atomic_write(Path(path), workbook_writer(result, options, notes))
    return notes


def workbook_writer(result: Result, options: WorkbookOptions, notes: list[str]):
    """A writer for atomic_write: builds the workbook at the temp path, collecting notes."""

    def build(target: Path) -> None:
        with settled_heap():
            notes.extend(_build(result, target, options))

    return build


def _build(result: Result, target: Path, options: WorkbookOptions) -> list[str]:
    # Closing writes the file, so it also runs on failure; atomic_write then drops that file.
    office = options.office or result.scheme.office
    with QuickZipWorkbook(str(target), workbook_options(in_memory=_small(result))) as wb:
        _set_properties(wb, result, office)
        styles = Styles(wb, result.scheme.precision, sheet_title(result, office))
        table = ranking_table(result, options.previous)
        # the two long tables are made by a forked child while the first sheets are written here
        with Background(lambda: (detail_table(result, table.order, options.data_format),
                                 input_table(result, table.order, options.data_format)),
                        fork=not _small(result)) as long_tables:
            write_ranking(wb, styles, result, table, office, options.stability)
            if options.earlier:
                write_trend(wb, styles, result, table.order, options.earlier)
            write_scores(wb, styles, result, table)
            details, inputs = long_tables.result()
        notes = write_details(wb, styles, result, table.order, table=details)
        notes += write_inputs(wb, styles, result, table.order, table=inputs)
        write_criteria(wb, styles, result)
        write_issues(wb, styles, result)
        write_chart(wb, styles, result, table)
        if options.stability is not None:
            write_stability(wb, styles, result, options.stability)
        write_provenance(wb, styles, result, office)
        if options.unit_sheets:
            notes += write_unit_sheets(wb, styles, result, table, ordered_details(result, table.order))
        return notes


class QuickZipWorkbook(Workbook):
    """XlsxWriter's Workbook, its files on disk zipped at deflate level ZIP_LEVEL: a province's
    27 MB of sheet XML take 0.14 s instead of 0.49 s to compress and make a 4.4 MB workbook
    instead of 3.2 MB. XlsxWriter has no option for the level, so its ZipFile is given one
    for the time the workbook is stored. (A workbook built in memory keeps zlib's default:
    its members carry their own settings, and it is small.) Its shared-string table is written
    in one pass and its sheets on both cores (scoring/report/packager.py)."""

    def _get_packager(self) -> WorkbookPackager:
        return WorkbookPackager()

    def _store_workbook(self) -> None:
        xlsxwriter.workbook.ZipFile = functools.partial(zipfile.ZipFile, compresslevel=ZIP_LEVEL)
        try:
            super()._store_workbook()
        finally:
            xlsxwriter.workbook.ZipFile = zipfile.ZipFile


def _small(result: Result) -> bool:
    """Whether the workbook is small enough to be assembled in memory: XlsxWriter otherwise
    writes each sheet's XML to a temporary file and reads it back into the zip, a tenth of a
    city's writing time; a province's XML held in memory would add a sixth of a gigabyte."""
    rows = len(result.totals) * len(result.scheme.leaves()) + len(result.details) + len(result.inputs)
    return rows < IN_MEMORY_ROWS


def _set_properties(wb: Workbook, result: Result, office: str | None) -> None:
    """Fixed document properties: the only timestamp is the Result's generation time."""
    scheme = result.scheme
    wb.set_properties(
        {
            "title": sheet_title(result, office),
            "subject": "政务公开考评结果",
            "company": office or "",
            "author": f"{scoring.PRODUCER} {scoring.__version__}",
            "comments": f"考评方案 {scheme.id} {scheme.version or ''} SHA-256 {scheme.sha256}".strip(),
            "created": result.generated_at,
        }
    )
