"""Reading report files: encodings, .docx paragraphs and tables, .pdf text layer, folders."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import pytest

from scoring.errors import InputError
from scoring.extract.readers import SourceFile, collect_files, read_report_file
from scoring.extract.text import normalize

FIXTURES = Path(__file__).parent / "fixtures"
REPORTS = FIXTURES / "reports" / "2021"
TEXT = "临江市档案馆2021年政务公开工作总结\n全年主动公开政府信息１２８条，政策解读 6 条。\n"


def read(path: Path):
    return read_report_file(SourceFile(path, path.name))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_text_encodings_and_normalisation(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(TEXT.encode(encoding))
    result = read(path)
    assert result.issue is None
    assert result.text == TEXT  # as written
    # the text the patterns read: full-width digits and punctuation half-width, spaces gone, lines kept
    assert normalize(result.text) == "临江市档案馆2021年政务公开工作总结\n全年主动公开政府信息128条,政策解读6条。\n"


def test_the_gb18030_fixture_is_not_utf8_and_is_read() -> None:
    path = REPORTS / "市公安局2021年政务公开工作总结.txt"
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    assert "本年新收政府信息公开申请52件" in read(path).text


def test_undecodable_text_is_an_issue_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(b"\xff\xff\xff\x80\x80")
    result = read(path)
    assert result.text is None
    assert result.issue.severity == "error" and result.issue.file == "broken.txt" and "GB18030" in result.issue.message


def test_docx_paragraphs_and_table_rows() -> None:
    text = normalize(read(REPORTS / "市财政局2021年政府信息公开工作年度报告.docx").text)
    lines = text.split("\n")
    assert lines[0] == "临江市财政局2021年政府信息公开工作年度报告"
    assert "主动公开政府信息(条)|412|" in lines and "本年新收政府信息公开申请(件)|6|" in lines
    assert lines.index("指标|数量|") < lines.index("三、存在的主要问题及改进情况")  # document order kept


def test_broken_docx_is_an_issue(tmp_path: Path) -> None:
    path = tmp_path / "bad.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("other.xml", "<x/>")
    result = read(path)
    assert result.text is None and ".docx" in result.issue.message


def test_pdf_text_layer_with_wrapped_lines_joined() -> None:
    text = normalize(read(REPORTS / "市生态环境局2021年政府信息公开工作年度报告.pdf").text)
    lines = text.split("\n")
    assert lines[0] == "临江市生态环境局2021年政府信息公开工作年度报告"
    assert lines[1] == "一、总体情况"  # a short heading is not glued to the next line
    # layout lines were cut inside numbers ("2\n16条", "2\n2.38万元") and across the page break
    assert "其中环境质量信息216条" in text and "经费为22.38万元。" in text
    assert "收到依申请公开申请38件,上年结转2件,办结37件,结转下年度3件,逾期答复0件。" in lines


def test_pdf_without_text_layer_is_an_issue(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    page = canvas.Canvas(str(path))
    page.rect(50, 50, 400, 600)  # a drawing, no text: what a scan looks like to a text reader
    page.showPage()
    page.save()
    result = read(path)
    assert result.text is None and "扫描件" in result.issue.message


def test_folders_are_walked_sorted_and_other_files_skipped(tmp_path: Path) -> None:
    for name in ["b/2.txt", "a.docx", "b/1.pdf", "notes.csv", "~$a.docx", "c.TXT"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    found = collect_files([tmp_path])
    assert [f.display for f in found] == ["a.docx", "b/1.pdf", "b/2.txt", "c.TXT"]


def test_missing_path_and_unsupported_file_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="找不到"):
        collect_files([tmp_path / "nowhere"])
    (tmp_path / "report.doc").write_bytes(b"")
    with pytest.raises(InputError, match=r"\.docx"):
        collect_files([tmp_path / "report.doc"])


def test_fixture_binaries_are_what_the_generator_writes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_report_fixtures", FIXTURES / "make_report_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make_docx(tmp_path / "a.docx")
    module.make_pdf(tmp_path / "a.pdf")
    assert (tmp_path / "a.docx").read_bytes() == (REPORTS / "市财政局2021年政府信息公开工作年度报告.docx").read_bytes()
    assert (tmp_path / "a.pdf").read_bytes() == (REPORTS / "市生态环境局2021年政府信息公开工作年度报告.pdf").read_bytes()
