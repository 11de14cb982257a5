"""Broken and absurd data files: bad values are data issues (exit 0, --strict 1); unreadable input exits 2.

Every message names the file, and the row / column / unit where there is one.
"""

from __future__ import annotations

import io
import json
import os
import random
import struct
import time
import zipfile
import zlib

import openpyxl
import pytest
import python_calamine

from scoring.data import sheets, tables
from tests.conftest import TINY_HEADER, TINY_METRICS, write

pytestmark = pytest.mark.hostile
TOTAL_WITHOUT_DATA = 0.0  # a unit whose only row is not used: both metrics missing


def issues_of(kit) -> list[dict]:
    return json.loads(kit.workbook.with_suffix(".json").read_text(encoding="utf-8"))["issues"]


def totals_of(kit) -> dict[str, float]:
    data = json.loads(kit.workbook.with_suffix(".json").read_text(encoding="utf-8"))
    return {row["name"]: row["total"] for row in data["totals"]}


# ---- unreadable input: exit 2, naming the file -----------------------------------------------------


def small_xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["unit", "evaluation_score"])
    book.active.append(["甲局", 90])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bomb(declared_gib: int = 2) -> bytes:
    """A real xlsx whose sheet XML inflates to `declared_gib` GiB of spaces from ~2 MB.

    Built by hand from one deflate block repeated (a full flush makes blocks independent), so
    making it costs milliseconds and nothing large is ever inflated. The CRC is left 0: a reader
    that ignored the sizes would spend minutes inflating before noticing.
    """
    with zipfile.ZipFile(io.BytesIO(small_xlsx())) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    head, tail, chunk = b"<worksheet><sheetData>", b"</sheetData></worksheet>", b" " * 2**20
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    assert packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH) == block
    stream = first + block * (declared_gib * 1024) + packer.compress(tail) + packer.flush()
    out, directory = io.BytesIO(), io.BytesIO()
    for name, data in parts.items():
        if name == "xl/worksheets/sheet1.xml":
            packed, size, crc = stream, len(head) + len(chunk) * declared_gib * 1024 + len(tail), 0
        else:
            packed, size, crc = zlib.compress(data, 9)[2:-4], len(data), zlib.crc32(data)
        encoded, offset = name.encode(), out.tell()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(packed), size, len(encoded), 0))
        out.write(encoded + packed)
        directory.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(packed), size,
                                    len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    out.write(directory.getvalue())
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory.getvalue()), start, 0))
    return out.getvalue()


def test_zip_bomb_is_refused_from_its_directory_before_any_reader(make_kit, score_cli, monkeypatch):
    bomb = zip_bomb()
    assert len(bomb) < 4_000_000
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:  # what the guard reads: 2 GiB declared
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 2 * 10**9
    kit = make_kit(metrics=bomb, name="第三方评估.xlsx")
    opened: list[object] = []
    monkeypatch.setattr(python_calamine, "CalamineWorkbook",  # imported by the reader when it reads a sheet
                        lambda *a, **k: opened.append(a) or pytest.fail("calamine opened the bomb"))
    started = time.perf_counter()
    run = score_cli(*kit.job())
    assert time.perf_counter() - started < 3
    assert run.code == 2 and opened == []
    assert "2021Q4/第三方评估.xlsx" in run.err and "XLSX 文件解压后过大" in run.err and "sheet1.xml" in run.err


def test_xlsx_larger_than_the_limit_once_unzipped_is_refused(make_kit, score_cli, monkeypatch):
    book = small_xlsx()
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    assert unpacked > len(book) + 1
    monkeypatch.setattr(sheets, "MAX_UNPACKED", len(book) + 1)  # the limit in miniature: the file passes, its contents not
    kit = make_kit(metrics=None, units=None)
    write(kit.data / "units.xlsx", book)
    run = score_cli(*kit.job())
    assert run.code == 2 and "units.xlsx" in run.err and "XLSX 文件解压后过大" in run.err and "解压后共" in run.err


def test_csv_larger_than_the_limit_is_refused_before_reading(make_kit, score_cli, monkeypatch):
    monkeypatch.setattr(tables, "MAX_CSV_BYTES", 40)
    kit = make_kit()
    run = score_cli(*kit.job())
    assert run.code == 2 and "2021Q4/metrics.csv" in run.err and "文件过大" in run.err


@pytest.mark.parametrize("content", [b"hello, this is not a zip", b"PK\x03\x04" + b"\0" * 100, b"PK\x05\x06" + b"\0" * 18, b""],
                         ids=["text", "truncated zip", "empty zip", "zero bytes"])
def test_xlsx_that_is_not_a_workbook(content, make_kit, score_cli):
    kit = make_kit(metrics=content, name="评估.xlsx")
    run = score_cli(*kit.job())
    assert run.code == 2 and "2021Q4/评估.xlsx" in run.err and "不是有效的 XLSX 文件" in run.err


@pytest.mark.parametrize("seed", [0, 1])
def test_random_bytes_are_not_a_csv(seed, make_kit, score_cli):
    kit = make_kit(metrics=random.Random(seed).randbytes(4096))
    run = score_cli(*kit.job())
    assert run.code == 2 and "错误:2021Q4/metrics.csv:" in run.err and "无法识别文件编码" in run.err


def test_utf16_without_bom_is_not_taken_for_text(make_kit, score_cli):
    kit = make_kit(metrics=TINY_METRICS.encode("utf-16-le"))  # valid UTF-8 too: ASCII with a NUL after each byte
    run = score_cli(*kit.job())
    assert run.code == 2 and "错误:2021Q4/metrics.csv:" in run.err and "不是文本格式的 CSV 文件" in run.err


def test_workbook_renamed_to_csv(make_kit, score_cli):
    kit = make_kit(metrics=small_xlsx())
    run = score_cli(*kit.job())
    assert run.code == 2 and "2021Q4/metrics.csv" in run.err and "请把扩展名改为 .xlsx" in run.err


def test_utf16_csv_is_refused_with_advice(make_kit, score_cli):
    kit = make_kit(metrics=TINY_METRICS.encode("utf-16"))
    run = score_cli(*kit.job())
    assert run.code == 2 and "2021Q4/metrics.csv" in run.err and "CSV UTF-8" in run.err


def test_unclosed_quote_names_the_row(make_kit, score_cli):
    kit = make_kit(metrics=TINY_HEADER + "甲局,100,150\n乙局,\"50,20\n丙局,80,5\n")
    run = score_cli(*kit.job())
    assert run.code == 2 and "2021Q4/metrics.csv" in run.err and "从第3行开始的引号没有闭合" in run.err


@pytest.mark.parametrize("quote", ['"', ""], ids=["quoted", "unquoted"])
def test_cell_longer_than_the_csv_limit_names_the_row(quote, make_kit, score_cli):
    kit = make_kit(metrics=TINY_HEADER + "甲局,100,150\n乙局," + quote + "9" * 200_000 + quote + ",20\n")
    run = score_cli(*kit.job())
    assert run.code == 2 and "2021Q4/metrics.csv 第3行" in run.err and "单元格过长" in run.err


@pytest.mark.parametrize("units", ["", "\ufeff", "a,b,c\n1,2,3\n"], ids=["empty", "only a BOM", "no unit column"])
def test_unusable_units_file_stops_the_run(units, make_kit, score_cli):
    kit = make_kit(units=units)
    run = score_cli(*kit.job())
    assert run.code == 2 and "units.csv" in run.err and "单位名单为空或缺少表头" in run.err


@pytest.mark.parametrize("content, why", [
    (b"", "文件为空,已跳过"),
    (b"\xef\xbb\xbf\r\n\r\n", "文件为空,已跳过"),
    (TINY_HEADER.encode(), "第1行:文件只有表头,没有数据行,已跳过"),
    ("单位;第三方评估得分\n甲局;90\n".encode(), "未找到可识别的表头"),
], ids=["empty", "BOM and blank lines", "only a header", "semicolons"])
def test_the_only_data_file_gives_nothing_the_stop_says_why(content, why, make_kit, score_cli):
    kit = make_kit(metrics=content)
    run = score_cli(*kit.job())
    assert run.code == 2 and "没有找到期间 2021Q4" in run.err
    assert f"2021Q4/metrics.csv{'' if why.startswith('第') else ':'}" in run.err and why in run.err


@pytest.mark.parametrize("period", ["2021Q5", "21Q4", "2021Q0", "abc", "2021M13", ""])
def test_bad_period_argument(period, make_kit, score_cli):
    kit = make_kit()
    args = kit.job()
    args[1] = period
    run = score_cli(*args)
    assert run.code == 2 and f"“{period}”" in run.err and ("无法识别的期间" in run.err or "无效" in run.err)


def test_bad_compare_period(make_kit, score_cli):
    kit = make_kit()
    run = score_cli(*kit.job("--compare", "2021Q9"))
    assert run.code == 2 and "期间“2021Q9”无效:季度序号应在 1 到 4 之间" in run.err and not kit.out.exists()


def test_input_that_does_not_exist(make_kit, score_cli, tmp_path):
    kit = make_kit()
    args = kit.job()
    args[5] = str(tmp_path / "没有的文件夹")
    run = score_cli(*args)
    assert run.code == 2 and "找不到输入" in run.err and "没有的文件夹" in run.err


# ---- bad values and rows: data issues, the run finishes ---------------------------------------------


def test_empty_file_beside_a_good_one_is_a_warning(make_kit, score_cli):
    kit = make_kit()
    write(kit.period_dir / "补报.csv", b"")
    run = score_cli(*kit.job())
    assert run.code == 0
    assert any(i["file"] == "2021Q4/补报.csv" and "文件为空" in i["message"] and i["severity"] == "warning"
               for i in issues_of(kit))
    assert totals_of(kit) == {"甲局": 10.0, "乙局": 5.0, "丙局": 4.8}
    assert score_cli(*kit.job("--strict", "--overwrite")).code == 1


def test_ragged_rows_are_reported_with_their_rows(make_kit, score_cli):
    kit = make_kit(metrics=TINY_HEADER + "甲局,100,150,多余,又多余\n乙局,50\n丙局,80,5\n")
    run = score_cli(*kit.job())
    assert run.code == 0
    issues = {(i["row"], i["severity"], i["message"].split(",各列")[0]) for i in issues_of(kit)
              if i["file"] == "2021Q4/metrics.csv"}
    assert (2, "error", "本行有 5 个字段,多于表头的 3 个") in issues  # its values may be shifted: not used
    assert (3, "warning", "本行只有 2 个字段,少于表头的 3 个,缺少的单元格按空白处理") in issues
    assert totals_of(kit)["甲局"] == TOTAL_WITHOUT_DATA and totals_of(kit)["丙局"] == 4.8  # the good rows count
    assert score_cli(*kit.job("--strict", "--overwrite")).code == 1


@pytest.mark.parametrize("row", ["甲局,90,1,234", "甲局,90,\"1,234\","], ids=["unquoted", "quoted, stray comma"])
def test_unquoted_thousands_separator_is_not_used_shifted(row, make_kit, score_cli):
    """`1,234` without quotes splits into two fields and shifts the rest (issue 15.13): the row
    is an error and not used; a quoted one, with only an empty field beyond the header, is read."""
    kit = make_kit(metrics=TINY_HEADER + row + "\n乙局,50,20\n丙局,80,5\n")
    run = score_cli(*kit.job())
    assert run.code == 0
    found = [i for i in issues_of(kit) if i["file"] == "2021Q4/metrics.csv" and i["row"] == 2]
    if '"' not in row:
        assert [i["severity"] for i in found] == ["error"] and "1,234" in found[0]["message"]
        assert "本行未使用" in found[0]["message"] and totals_of(kit)["甲局"] == TOTAL_WITHOUT_DATA
    else:  # 90 → 5.4, 1234 items → 4
        assert not found and totals_of(kit)["甲局"] == 9.4
    assert totals_of(kit)["乙局"] == 5.0


@pytest.mark.parametrize("where", ["data row", "header"])
def test_a_line_of_40000_commas_costs_one_row(where, make_kit, score_cli):
    """A stray line of 40,000 commas (issue 15.17) must not make every row 40,000 cells wide."""
    commas = "," * 40_000
    if where == "header":
        metrics = TINY_HEADER.rstrip("\n") + commas + "\n" + TINY_METRICS.split("\n", 1)[1]
    else:
        metrics = TINY_METRICS + "丁局,1,2" + commas + "\n"
    kit = make_kit(metrics=metrics)
    run = score_cli(*kit.job())
    assert run.code == 0 and totals_of(kit) == {"甲局": 10.0, "乙局": 5.0, "丙局": 4.8}


def test_tab_separated_file_with_a_title_line(make_kit, score_cli):
    metrics = "2021年第四季度政务公开数据\n" + TINY_METRICS.replace(",", "\t")
    kit = make_kit(metrics=metrics)
    run = score_cli(*kit.job())
    assert run.code == 0 and totals_of(kit) == {"甲局": 10.0, "乙局": 5.0, "丙局": 4.8}
    assert any(i["row"] == 2 and "表头在第2行" in i["message"] for i in issues_of(kit))


def test_ctrl_c_while_a_csv_is_parsed_is_an_interruption(make_kit, score_cli):
    """Ctrl-C inside the CSV parser (issue 15.19) is 已中断 / 130, never a CSV format error."""
    import signal
    import threading

    rows = "".join(f"单位{i},{i % 100},{i % 7}\n" for i in range(400_000))  # a parse long enough to be interrupted
    kit = make_kit(metrics=TINY_METRICS + rows)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        run = score_cli(*kit.job())
    finally:
        timer.cancel()
    assert run.code == 130 and "已中断" in run.err and "CSV 格式有误" not in run.err


def test_old_mac_line_endings_are_read(make_kit, score_cli):
    kit = make_kit(metrics=TINY_METRICS.replace("\n", "\r"))
    run = score_cli(*kit.job())
    assert run.code == 0 and totals_of(kit) == {"甲局": 10.0, "乙局": 5.0, "丙局": 4.8}


BAD_VALUES = TINY_HEADER + "甲局,NaN,inf\n乙局,1e308,-5\n丙局,-inf,abc\n"
# cell → (row, column header, unit, message fragment)
EXPECTED_BAD = [
    (2, "evaluation_score", "甲局", "数值“NaN”不是有限数"),
    (2, "proactive_items", "甲局", "数值“inf”不是有限数"),
    (3, "evaluation_score", "乙局", "数值“1e308”大得不合理"),
    (3, "proactive_items", "乙局", "计数类指标不能为负数“-5”"),
    (4, "evaluation_score", "丙局", "数值“-inf”不是有限数"),
    (4, "proactive_items", "丙局", "无法识别的数值“abc”"),
]


@pytest.mark.parametrize("row, column, unit, fragment", EXPECTED_BAD, ids=[e[3] for e in EXPECTED_BAD])
def test_bad_value_is_an_error_issue_at_its_cell(row, column, unit, fragment, make_kit, score_cli):
    kit = make_kit(metrics=BAD_VALUES)
    run = score_cli(*kit.job())
    assert run.code == 0
    found = [i for i in issues_of(kit) if i["row"] == row and i["column"] == column and fragment in i["message"]]
    assert len(found) == 1, issues_of(kit)
    assert found[0]["severity"] == "error" and found[0]["file"] == "2021Q4/metrics.csv" and found[0]["unit"] == unit
    assert totals_of(kit) == {"甲局": 0.0, "乙局": 0.0, "丙局": 0.0}  # unusable values are not used


def test_bad_values_fail_strict_after_writing_the_workbook(make_kit, score_cli):
    kit = make_kit(metrics=BAD_VALUES)
    run = score_cli(*kit.job("--strict"))
    assert run.code == 1 and "--strict" in run.err and kit.workbook.exists()


def test_huge_cell_is_cut_short_in_messages(make_kit, score_cli):
    kit = make_kit(metrics=TINY_HEADER + "甲局," + "9" * 100_000 + ",150\n乙局,50,20\n丙局,80,5\n")
    run = score_cli(*kit.job())
    assert run.code == 0
    message = next(i["message"] for i in issues_of(kit) if i["row"] == 2 and i["severity"] == "error")
    assert len(message) < 200 and "共 100000 个字符" in message
    assert max(len(line) for line in run.out.splitlines()) < 300


def test_conflicting_duplicate_rows_name_both_rows(make_kit, score_cli):
    kit = make_kit(metrics=TINY_HEADER + "甲局,100,150\n乙局,50,20\n甲局,90,150\n丙局,80,5\n")
    assert score_cli(*kit.job()).code == 0
    warning = next(i for i in issues_of(kit) if "有不同的值" in i["message"])
    assert warning["severity"] == "warning" and warning["row"] == 4 and warning["unit"] == "甲局"
    assert "第2行为“100”" in warning["message"] and "第4行为“90”" in warning["message"]
    assert totals_of(kit)["甲局"] == 9.4  # the last value read: 90 × 6 / 100 + 4


def test_duplicate_units_in_the_units_file(make_kit, score_cli):
    kit = make_kit(units="unit_id,name\nU1,甲局\nU1,乙局\nU2,甲局\nU3,丙局\n")
    assert score_cli(*kit.job()).code == 0
    messages = {(i["file"], i["row"], i["message"]) for i in issues_of(kit)}
    assert ("units.csv", 3, "单位编码“U1”重复,保留第 2 行,忽略本行") in messages
    assert ("units.csv", 4, "单位名称“甲局”重复,保留第 2 行,忽略本行") in messages


@pytest.mark.parametrize("written", ["2021Q5", "21Q4", "2021Q0", "abc"])
def test_bad_period_in_a_period_column(written, make_kit, score_cli):
    long = f"单位,指标,数值,期间\n甲局,第三方评估得分,100,{written}\n甲局,第三方评估得分,50,2021Q4\n"
    kit = make_kit(metrics=None)
    write(kit.data / "汇总.csv", long)
    assert score_cli(*kit.job()).code == 0
    bad = [i for i in issues_of(kit) if f"无法识别的期间“{written}”" in i["message"]]
    assert len(bad) == 1 and bad[0]["file"] == "汇总.csv" and bad[0]["row"] == 2 and bad[0]["column"] == "期间"
    assert bad[0]["severity"] == "error"
    assert totals_of(kit)["甲局"] == 3.0  # only the 2021Q4 row: 50 × 6 / 100


# ---- names that attack the outputs -----------------------------------------------------------------

FORMULA = "=CMD|'/c calc'!A0"
SHEETY = "局[处]:科*室?/分\\支" + "某" * 27  # 40 characters, every one Excel forbids in sheet names


def test_hostile_unit_names_are_shown_literally(make_kit, score_cli):
    assert len(SHEETY) == 40
    units = f'unit_id,name\nU1,"{FORMULA}"\nU2,{SHEETY}\nU3,@SUM(A1)\n'
    metrics = "unit_id,evaluation_score,proactive_items\nU1,100,150\nU2,50,20\nU3,80,5\n"
    kit = make_kit(metrics=metrics, units=units)
    run = score_cli(*kit.job("--unit-sheets"))
    assert run.code == 0
    book = openpyxl.load_workbook(kit.workbook)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]  # nothing became a formula
    shown = {c.value for c in cells}
    assert FORMULA in shown and SHEETY in shown and "@SUM(A1)" in shown
    unit_sheets = book.sheetnames[8:]  # after the fixed sheets (no 趋势 here)
    assert len(unit_sheets) == 3
    for name in unit_sheets:
        assert 1 <= len(name) <= 31 and not set(name) & set("[]:*?/\\") and not name.startswith("'")
    assert "局_处__科_室__分_支" + "某" * 18 in unit_sheets  # cut to 31 characters
    csv_text = kit.workbook.with_suffix(".csv").read_text(encoding="utf-8-sig")
    assert f"'{FORMULA}" in csv_text and "'@SUM(A1)" in csv_text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX only")
def test_named_pipe_as_input_file_is_refused_without_blocking(make_kit, score_cli):
    kit = make_kit()
    fifo = kit.period_dir / "管道.csv"
    os.mkfifo(fifo)
    args = kit.job()
    args[5] = str(fifo)
    run = score_cli(*args)
    assert run.code == 2 and "管道.csv" in run.err and "不是普通文件" in run.err


def test_cells_without_units_are_reported_not_guessed(make_kit, score_cli):
    kit = make_kit(metrics=TINY_HEADER + ",100,150\n")
    run = score_cli(*kit.job())
    assert run.code == 2 and "2021Q4/metrics.csv 第2行:本行有数据但未填写单位" in run.err


def test_unknown_unit_named_like_a_formula_is_an_error_issue(make_kit, score_cli):
    kit = make_kit(metrics=TINY_METRICS + f'"{FORMULA}",1,1\n')
    assert score_cli(*kit.job()).code == 0
    issue = next(i for i in issues_of(kit) if FORMULA in i["message"])
    assert issue["severity"] == "error" and issue["row"] == 5 and issue["file"] == "2021Q4/metrics.csv"


def test_big_file_of_nonsense_finishes_quickly(make_kit, score_cli):
    rng = random.Random(3)
    junk = ["abc", "NaN", "-1", "1e308", "不适用", "", "600余", "=1+1", "'", '""', "１２", "—"]
    rows = "".join(f"{rng.choice(['甲局', '乙局', '丙局', '丁局'])},{rng.choice(junk)},{rng.choice(junk)}\n"
                   for _ in range(20_000))
    kit = make_kit(metrics=TINY_HEADER + rows)
    started = time.perf_counter()
    run = score_cli(*kit.job())
    assert time.perf_counter() - started < 10
    assert run.code == 0 and len(issues_of(kit)) < 200  # row issues are capped per kind
    assert all(0 <= t <= 10 for t in totals_of(kit).values())


def test_a_column_without_a_name_is_ignored_with_a_warning(make_kit, score_cli):
    """Cells under an empty header cell (a notes column nobody named) are not a shifted row:
    the row is used and the note ignored, with a warning naming the row."""
    kit = make_kit(metrics=TINY_HEADER.rstrip("\n") + ",\n甲局,100,150,已核实\n乙局,50,20,\n丙局,80,5,\n")
    run = score_cli(*kit.job())
    assert run.code == 0 and totals_of(kit) == {"甲局": 10.0, "乙局": 5.0, "丙局": 4.8}
    found = [i for i in issues_of(kit) if i["file"] == "2021Q4/metrics.csv"]
    assert [(i["row"], i["severity"]) for i in found] == [(2, "warning")] and "已忽略" in found[0]["message"]
