"""BlockSheet writes whole columns: the file must be the one XlsxWriter writes for the same
cells written one by one (column after column, each in row order), byte for byte."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import numpy as np
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xlsxwriter.workbook import Workbook

from scoring.report.blocksheet import BlockSheet

CREATED = dt.datetime(2021, 12, 31, 9, 30)
LONG = "长" * 40_000  # beyond Excel's 32,767 characters a cell


def _workbook(build) -> dict[str, bytes]:
    """The zip members of a workbook built by `build(workbook, sheet, formats)`."""
    out = io.BytesIO()
    wb = Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                        "strings_to_urls": False})
    wb.set_properties({"created": CREATED})
    formats = {"red": wb.add_format({"font_color": "#9C0006"}), "num": wb.add_format({"num_format": "0.00"}),
               "text": wb.add_format({"border": 1})}
    ws = wb.add_worksheet("表", worksheet_class=BlockSheet)
    build(wb, ws, formats)
    wb.close()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as z:
        return {name: z.read(name) for name in z.namelist()}


def _one_by_one(ws, first_row: int, col: int, strings, numbers, formats) -> None:
    """What BlockSheet.write_block does, the way XlsxWriter's users write cells."""
    n = len(strings) if strings is not None else len(numbers)
    for i in range(n):
        fmt = formats[i] if isinstance(formats, (list, np.ndarray)) else formats
        text = strings[i] if strings is not None else None
        if isinstance(text, str) and text != "":
            ws.write_string(first_row + i, col, text, fmt)
        elif numbers is not None and np.isfinite(numbers[i]):
            ws.write_number(first_row + i, col, float(numbers[i]), fmt)
        elif fmt is not None:
            ws.write_blank(first_row + i, col, None, fmt)


def _same_file(layout) -> dict[str, bytes]:
    """Build `layout(ws, write, formats)` with blocks and one by one; assert the files match."""

    def with_blocks(wb, ws, formats):
        layout(ws, ws.write_block, formats)

    def one_by_one(wb, ws, formats):
        layout(ws, lambda r, c, strings=None, numbers=None, formats=None: _one_by_one(ws, r, c, strings, numbers,
                                                                                   formats), formats)

    blocks, cells = _workbook(with_blocks), _workbook(one_by_one)
    assert blocks.keys() == cells.keys()
    for name in cells:
        assert blocks[name] == cells[name], name
    return blocks


def test_a_formatted_table_with_header_labels_and_red_rows_is_the_same_file():
    texts = np.array(["市政府办公室", "", "县甲", None, "县甲", "=SUM(A1:A2)", LONG], dtype=object)
    points = np.array([12.5, np.nan, 3.0, 0.1 + 0.2, 1e-7, 123456789.125, -4.0])

    def layout(ws, write, f):
        ws.write_string(0, 0, "标题")  # ordinary cells above, and one row between
        ws.write_string(1, 0, "单位", f["text"])
        ws.write_string(1, 1, "得分", f["text"])
        red = np.array([False, True, False, False, True, False, False])
        write(2, 0, strings=texts, formats=np.where(red, f["red"], f["text"]))
        write(2, 1, numbers=points, formats=np.where(red, f["red"], f["num"]))
        ws.set_row(4, 30)  # a taller row inside the table
        ws.write_string(5, 1, "不适用", f["text"])  # written over a value: the last write wins
        ws.write_string(12, 0, "注:以上为示例。")  # an ordinary row below the table

    files = _same_file(layout)
    ws = openpyxl.load_workbook(io.BytesIO(_zip(files)))["表"]
    assert [ws.cell(r, 1).value for r in range(3, 10)] == ["市政府办公室", None, "县甲", None, "县甲", "=SUM(A1:A2)",
                                                          "长" * 32_767]
    assert ws.cell(9 - 1, 1).data_type == "s"  # text that looks like a formula stays text
    assert [ws.cell(r, 2).value for r in range(3, 10)] == [12.5, None, 3.0, "不适用", 1e-7, 123456789.125, -4.0]
    assert ws.cell(4, 2).font.color.rgb == "FF9C0006" and ws.cell(4, 2).value is None  # a red blank keeps its format
    assert ws.row_dimensions[5].height == 30
    assert ws.cell(13, 1).value == "注:以上为示例。"


def test_formats_given_as_choices_and_picks_are_those_rows_formats_and_an_unused_one_is_not_styled():
    def layout(ws, write, f):
        choices = [f["num"], f["red"], f["text"]]  # "text" is picked by no row
        if write == ws.write_block:
            write(0, 0, numbers=np.arange(4.0), formats=(choices, np.array([0, 1, 0, -1])))
        else:
            write(0, 0, numbers=np.arange(4.0), formats=[f["num"], f["red"], f["num"], None])

    files = _same_file(layout)
    assert files["xl/styles.xml"].count(b"<xf ") == _workbook(
        lambda wb, ws, f: ws.write_number(0, 0, 1.0, f["num"]) or ws.write_number(1, 0, 1.0, f["red"])
    )["xl/styles.xml"].count(b"<xf ")


def test_a_block_over_earlier_cells_and_over_another_block_wins():
    def layout(ws, write, f):
        ws.write_number(3, 2, 99.0)
        ws.write_string(4, 2, "旧")
        write(3, 2, numbers=np.array([1.0, np.nan, 3.0]))  # row 4 has no value: the earlier "旧" stays
        write(2, 2, strings=np.array(["甲", "乙", "", "丙"], dtype=object), numbers=np.array([np.nan, 7.0, 8.0, 9.0]))

    files = _same_file(layout)
    ws = openpyxl.load_workbook(io.BytesIO(_zip(files)))["表"]
    assert [ws.cell(r, 3).value for r in range(3, 7)] == ["甲", "乙", 8.0, "丙"]


def test_a_chart_over_block_cells_caches_their_values():
    def layout(ws, write, f):
        write(0, 0, strings=np.array(["甲", "乙", "丙"], dtype=object))
        write(0, 1, numbers=np.array([3.0, 2.5, 1.0]))
        chart = ws._chart_workbook.add_chart({"type": "bar"})
        chart.add_series({"categories": ["表", 0, 0, 2, 0], "values": ["表", 0, 1, 2, 1]})
        ws.insert_chart(5, 3, chart)

    def attach(wb, ws, f, blocks: bool):
        ws._chart_workbook = wb
        if blocks:
            layout(ws, ws.write_block, f)
        else:
            layout(ws, lambda r, c, strings=None, numbers=None, formats=None: _one_by_one(
                ws, r, c, strings, numbers, formats), f)

    blocks = _workbook(lambda wb, ws, f: attach(wb, ws, f, True))
    cells = _workbook(lambda wb, ws, f: attach(wb, ws, f, False))
    assert blocks == cells
    chart = blocks["xl/charts/chart1.xml"].decode()
    assert "<c:v>乙</c:v>" in chart and "<c:v>2.5</c:v>" in chart


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_any_columns_give_the_same_file(data):
    n = data.draw(st.integers(1, 40))
    values = st.one_of(st.none(), st.sampled_from(["", "甲", "乙 ", "<&>", "0.5"]),
                       st.floats(allow_nan=True, allow_infinity=False, width=64))
    columns = [data.draw(st.lists(values, min_size=n, max_size=n)) for _ in range(data.draw(st.integers(1, 4)))]
    first_row = data.draw(st.integers(0, 30))
    formatted = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))

    def layout(ws, write, f):
        ws.write_string(first_row, 0, "表头") if first_row else None
        for col, cells in enumerate(columns):
            strings = np.array([v if isinstance(v, str) else None for v in cells], dtype=object)
            numbers = np.array([v if isinstance(v, float) else np.nan for v in cells])
            fmts = np.array([f["num"] if on else None for on in formatted], dtype=object)
            write(first_row + 1, col, strings=strings, numbers=numbers, formats=fmts)

    _same_file(layout)


def test_negative_zero_is_written_as_xlsxwriter_writes_it():
    """-0.0 equals 0.0 for a hash table, not for `%.16G` ("-0"): found by the test above."""
    files = _same_file(lambda ws, write, f: write(0, 0, numbers=np.array([0.0, -0.0, -0.0, 0.0, np.nan, 2.5])))
    assert b"<v>-0</v>" in files["xl/worksheets/sheet1.xml"]


def test_a_cell_beyond_the_sheet_is_refused():
    def layout(ws, write, f):
        write(1_048_575, 0, numbers=np.array([1.0, 2.0]))

    with pytest.raises(ValueError, match="outside the worksheet"):
        _workbook(lambda wb, ws, f: layout(ws, ws.write_block, f))


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()
