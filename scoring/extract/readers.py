"""Reading report files into text as written: .txt (UTF-8 or GB18030; a saved web page's HTML
is turned into text), .docx (python-docx), .pdf (pdfplumber).

A real table (a .docx or PDF table, an HTML <table>) becomes one line per row with its cells
joined by "|", so the template reader sees cells where the file had them, blank cells included.
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from scoring.errors import InputError, Location
from scoring.extract.text import dewrap
from scoring.issues import DataIssue

SUFFIXES = (".txt", ".docx", ".pdf")
_HTML_TAG = re.compile(r"<(?:p|td|tr|div|br|span|table|h\d)\b", re.IGNORECASE)
_HTML_CELL = re.compile(r"<t([dh])\b[^>]*>(.*?)</t\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_BREAK = re.compile(r"<br\s*/?>|</(?:p|tr|div|table|h\d|li)\s*>", re.IGNORECASE)
_HTML_DROP = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_ANY_TAG = re.compile(r"<[^<>]{0,2000}>")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    display: str  # as shown to users: relative to the folder it was found in, else the name


@dataclass(frozen=True)
class ReadResult:
    text: str | None  # the text as the file wrote it (tables as "|" rows), None when unreadable
    issue: DataIssue | None = None


def collect_files(paths: list[Path]) -> list[SourceFile]:
    """Files to read, in a deterministic order; folders are walked (sorted)."""
    found: list[SourceFile] = []
    for path in paths:
        if not path.exists():
            raise InputError("找不到报告文件或文件夹", Location(file=str(path)))
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.suffix.lower() in SUFFIXES and not child.name.startswith(("~$", ".")):
                    found.append(SourceFile(child, child.relative_to(path).as_posix()))
        elif path.suffix.lower() in SUFFIXES:
            found.append(SourceFile(path, path.name))
        else:
            raise InputError(
                f"不支持的报告文件类型“{path.suffix}”:只能读取 .txt、.docx 和 .pdf", Location(file=str(path))
            )
    return found


def read_report_file(source: SourceFile) -> ReadResult:
    suffix = source.path.suffix.lower()
    try:
        if suffix == ".txt":
            raw = decode_text(source.path.read_bytes())
            if raw is None:
                return _unreadable(source, "既不是 UTF-8 也不是 GB18030 编码,无法读取;请另存为 UTF-8 文本")
            return ReadResult(html_to_text(raw) if len(_HTML_TAG.findall(raw[:200_000])) >= 3 else raw)
        if suffix == ".docx":
            return _read_docx(source)
        return _read_pdf(source)
    except OSError as exc:
        return _unreadable(source, f"无法打开文件({exc.strerror or exc})")


def decode_text(data: bytes) -> str | None:
    """UTF-8 (with or without BOM), else GB18030; decided by strict decoding, never by platform."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def html_to_text(raw: str) -> str:
    """A saved page (or a script holding one, quotes escaped as \\"): paragraphs become lines, a
    table row one line of "|"-joined cells (an empty or &nbsp; cell stays an empty cell)."""
    text = _HTML_DROP.sub("", raw.replace('\\"', '"').replace("\\/", "/"))
    text = _HTML_CELL.sub(lambda m: _cell_text(m.group(2)) + "|", text)
    text = _HTML_BREAK.sub("\n", text)
    return html.unescape(_ANY_TAG.sub("", text))


def _cell_text(inner: str) -> str:
    return " ".join(html.unescape(_ANY_TAG.sub(" ", inner)).split()).replace("|", "/")


def _read_docx(source: SourceFile) -> ReadResult:
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return ReadResult(read_docx(source.path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, SyntaxError, ValueError):  # lxml: SyntaxError
        return _unreadable(source, "不是有效的 Word(.docx)文件,无法读取;.doc 格式请先另存为 .docx")


def read_docx(path: Path) -> str:
    """Paragraphs and tables in document order (python-docx: merged cells come out once)."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            lines += _docx_table_rows(block)
    return "\n".join(lines)


def _docx_table_rows(table) -> list[str]:
    rows: list[str] = []
    above: list[object] = []
    for row in table.rows:
        cells, seen = [], []
        for column, cell in enumerate(row.cells):
            if any(cell._tc is s for s in seen):  # a cell merged across columns: once
                continue
            seen.append(cell._tc)
            merged_down = column < len(above) and above[column] is cell._tc  # merged across rows
            cells.append("" if merged_down else " ".join(cell.text.split()).replace("|", "/"))
        above = [cell._tc for cell in row.cells]
        rows.append("|".join(cells) + "|")
    return rows


def _read_pdf(source: SourceFile) -> ReadResult:
    import pdfplumber

    try:
        with pdfplumber.open(str(source.path)) as pdf:
            text = "\n".join(_pdf_page_text(page) for page in pdf.pages)
    except OSError:
        raise
    except Exception:  # noqa: BLE001 - pdfminer raises many kinds of error on a damaged file; each means unreadable
        return _unreadable(source, "不是有效的 PDF 文件(或已损坏),无法读取")
    if len("".join(text.split())) < 20:
        return _unreadable(source, "PDF 没有文字层(可能是扫描件),无法提取;请先做文字识别(OCR)或提供 Word/文本版")
    return ReadResult(text)


def _pdf_page_text(page) -> str:
    """Text lines outside tables (layout line breaks joined back) and table rows, top to bottom."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        x, top = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= top <= b[3] for b in boxes)

    blocks: list[tuple[float, bool, str]] = []  # (top, is a table, text)
    for table in tables:
        rows = ["|".join(" ".join((c or "").split()) for c in row) + "|" for row in table.extract()]
        blocks.append((table.bbox[1], True, "\n".join(rows)))
    lines = page.filter(outside).extract_text_lines() if boxes else page.extract_text_lines()
    blocks += [(line["top"], False, line["text"]) for line in lines]
    blocks.sort(key=lambda b: b[0])
    out: list[str] = []
    prose: list[str] = []
    for _, is_table, text in blocks:
        if is_table:
            if prose:
                out.append(dewrap("\n".join(prose)))
                prose = []
            out.append(text)
        else:
            prose.append(text)
    if prose:
        out.append(dewrap("\n".join(prose)))
    return "\n".join(out)


def _unreadable(source: SourceFile, message: str) -> ReadResult:
    return ReadResult(None, DataIssue("error", f"{message},已跳过该文件", file=source.display))
