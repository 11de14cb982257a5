"""How the workbook's parts go into its file: XlsxWriter's Packager with two changes.

- The shared-string table is written in one pass (sharedstrings.py).
- The worksheets are written on both cores. A province's sheets are 27 MB of XML, 0.7 s of
  writing; the biggest of them, about half the cells, are written by a forked child
  (scoring/background.py) into the temporary files XlsxWriter gives them, while this process
  writes the others. A sheet's XML depends on the rest of the workbook only through the
  shared-string indices, fixed when its cells were written, and the formats' style numbers,
  given here to every sheet's formats in the workbook's order before any sheet is written
  (`BlockSheet.number_formats`). Writing a sheet changes nothing the workbook reads afterwards
  unless it has links to other parts (hyperlinks, drawings, comments, tables, a background):
  such a sheet is written here. A workbook built in memory (a city's), or one on a machine
  without a second core, has its sheets written here one after the other: the file is the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.packager import Packager
from xlsxwriter.worksheet import Worksheet

from scoring import background
from scoring.report.blocksheet import BlockSheet
from scoring.report.sharedstrings import OnePassSharedStrings


class WorkbookPackager(Packager):
    def _write_shared_strings_file(self) -> None:
        if not self.workbook.str_table.count:
            return
        sst = OnePassSharedStrings()
        sst.string_table = self.workbook.str_table
        sst._set_xml_writer(self._filename("xl/sharedStrings.xml"))
        sst._assemble_xml_file()

    def _write_worksheet_files(self) -> None:
        sheets = [ws for ws in self.workbook.worksheets() if not ws.is_chartsheet]
        if not all(isinstance(ws, BlockSheet) and not ws.constant_memory for ws in sheets):
            super()._write_worksheet_files()
            return
        for ws in sheets:
            ws.number_formats()
        files = [self._filename(f"xl/worksheets/sheet{i}.xml") for i in range(1, len(sheets) + 1)]
        apart = [] if self.in_memory or not background.can_fork() else _apart(sheets)
        here = [i for i in range(len(sheets)) if i not in apart]
        if not apart:
            _write(sheets, files, here)
            return
        with background.Background(lambda: _write(sheets, files, apart)) as child:
            _write(sheets, files, here)
            child.result()


def _write(sheets: Sequence[Worksheet], files: Sequence[str], which: Sequence[int]) -> bool:
    for i in which:
        sheets[i]._set_xml_writer(files[i])
        sheets[i]._assemble_xml_file()
    return True


def _apart(sheets: Sequence[BlockSheet]) -> list[int]:
    """The sheets a child writes: the biggest first, each to whichever side has fewer cells
    so far, of those without links to other parts."""
    cells = [ws.cell_count() for ws in sheets]
    here = apart = 0
    chosen = []
    for i in sorted(range(len(sheets)), key=lambda i: -cells[i]):
        if apart < here and _alone(sheets[i]):
            apart += cells[i]
            chosen.append(i)
        else:
            here += cells[i]
    return sorted(chosen)


def _alone(ws: Worksheet) -> bool:
    """Whether writing the sheet's XML changes nothing outside it (no relationship ids)."""
    return not (ws.hyperlinks or ws.drawing or ws.has_vml or ws.has_header_vml or ws.tables
                or ws.background_image)
