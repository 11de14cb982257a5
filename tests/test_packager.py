"""scoring/report/packager.py: a workbook's sheets written by a forked child and by this process
make the file XlsxWriter writes one sheet after another, byte for byte."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
from xlsxwriter.workbook import Workbook

from scoring import background
from scoring.report import packager
from scoring.report.blocksheet import BlockSheet
from scoring.report.packager import WorkbookPackager

CREATED = dt.datetime(2021, 12, 31, 9, 30)
forking = pytest.mark.skipif(not background.can_fork(), reason="needs Linux with fork and two CPUs")


class TwoCoreWorkbook(Workbook):
    def _get_packager(self) -> WorkbookPackager:
        return WorkbookPackager()


def _build(path: Path, workbook_class=TwoCoreWorkbook) -> dict[str, bytes]:
    """Four sheets whose formats are first used in another order than they were made, a sheet
    with a link, formats on a column and a row, and on disk (not in memory): what a province's
    workbook is."""
    wb = workbook_class(str(path), {"in_memory": False, "strings_to_formulas": False, "strings_to_numbers": False,
                                    "strings_to_urls": False})
    wb.set_properties({"created": CREATED})
    fmt = {name: wb.add_format(props) for name, props in {
        "header": {"bold": True}, "red": {"font_color": "#9C0006"}, "num": {"num_format": "0.00"},
        "wrap": {"text_wrap": True}, "col": {"italic": True}, "row": {"bg_color": "#DDEBF7"}}.items()}
    rng = np.random.default_rng(7)
    big = wb.add_worksheet("指标得分", worksheet_class=BlockSheet)
    big.write_string(0, 0, "单位", fmt["header"])
    for col in range(1, 30):
        big.write_block(1, col, numbers=np.round(rng.uniform(0, 10, 3000), 2),
                        formats=np.where(rng.random(3000) < 0.1, fmt["red"], fmt["num"]))
    big.write_block(1, 0, strings=np.array([f"单位{i % 700}" for i in range(3000)], dtype=object), formats=fmt["wrap"])
    ranking = wb.add_worksheet("排名", worksheet_class=BlockSheet)  # its formats numbered after the big sheet's
    ranking.write_string(0, 0, "说明", fmt["wrap"])
    ranking.write_block(1, 0, strings=np.array(["甲局", "", None, "乙局 "] * 500, dtype=object), formats=fmt["header"])
    ranking.write_url(0, 3, "https://example.org/通报")  # a link: this sheet stays with the workbook
    plain = wb.add_worksheet("说明", worksheet_class=BlockSheet)  # no blocks: XlsxWriter's own rows
    plain.set_column(0, 0, 20, fmt["col"])
    plain.set_row(2, 30, fmt["row"])
    plain.write_string(1, 1, "注")
    plain.write_number(2, 1, 1.5)
    details = wb.add_worksheet("得分明细", worksheet_class=BlockSheet)
    details.write_block(0, 0, strings=np.array([f"明细{i}" for i in range(4000)], dtype=object), formats=fmt["red"])
    details.write_block(0, 1, numbers=rng.uniform(0, 1, 4000))
    wb.close()
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


@forking
def test_sheets_written_apart_make_the_file_xlsxwriter_writes(tmp_path, monkeypatch):
    children = []
    original = background.Background._start

    def started(self):
        children.append(True)
        original(self)

    monkeypatch.setattr(background.Background, "_start", started)
    apart = _build(tmp_path / "apart.xlsx")
    assert children == [True]  # one child wrote sheets
    assert apart == _build(tmp_path / "xlsxwriter.xlsx", Workbook)


@forking
def test_a_child_that_fails_leaves_the_sheets_to_this_process(tmp_path, monkeypatch):
    monkeypatch.setattr(background, "_child", lambda work, write, parent: os._exit(1))
    assert _build(tmp_path / "failed.xlsx") == _build(tmp_path / "xlsxwriter.xlsx", Workbook)


def test_without_a_second_core_the_file_is_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(background, "can_fork", lambda: False)
    assert _build(tmp_path / "here.xlsx") == _build(tmp_path / "xlsxwriter.xlsx", Workbook)


def test_the_child_takes_the_biggest_sheets_it_can_and_never_one_with_links(tmp_path):
    wb = TwoCoreWorkbook(str(tmp_path / "x.xlsx"))
    sizes = {"a": 100, "b": 900, "c": 500, "d": 450, "linked": 800}
    sheets = []
    for name, n in sizes.items():
        ws = wb.add_worksheet(name, worksheet_class=BlockSheet)
        ws.write_block(0, 0, numbers=np.arange(n, dtype=float))
        sheets.append(ws)
    sheets[-1].write_url(0, 1, "https://example.org")
    # biggest first, each to the side with fewer cells: b (900) stays, the linked sheet (801)
    # cannot go, c (500), d (450) and a (100) go: 1,050 cells apart against 1,701 here
    assert [sheets[i].name for i in packager._apart(sheets)] == ["a", "c", "d"]
    wb.close()


@forking
def test_a_big_workbook_made_with_children_is_the_file_made_without(tmp_path, monkeypatch):
    """The sample city's workbook built as a province's is (on disk, its long tables made by a
    child, its biggest sheets written by another): the same file as built here alone."""
    from scoring.data.load import load_periods
    from scoring.engine import score
    from scoring.periods import Period
    from scoring.report import workbook
    from scoring.scheme.loader import load_scheme

    root = Path(__file__).resolve().parents[1]
    scheme = load_scheme(root / "criteria" / "gov_openness_2021.yaml")
    data, before = load_periods(root / "sample_inputs", ["2021Q4", "2021Q3"], scheme, progress=False)
    result = score(scheme, data, Period.parse("2021Q4"))
    previous = score(scheme, before, Period.parse("2021Q3"))
    monkeypatch.setattr(workbook, "_small", lambda result: False)
    forked = []
    original = background.Background._start
    monkeypatch.setattr(background.Background, "_start", lambda self: forked.append(True) or original(self))
    files = {}
    for fork in (True, False):
        monkeypatch.setattr(background, "can_fork", lambda fork=fork: fork)
        workbook.write_workbook(result, tmp_path / f"{fork}.xlsx", previous=previous)
        with zipfile.ZipFile(tmp_path / f"{fork}.xlsx") as z:
            files[fork] = {name: z.read(name) for name in z.namelist()}
    assert forked == [True, True]  # the long tables, then the sheets apart
    assert files[True] == files[False]
