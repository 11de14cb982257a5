"""Reading report files: .txt (UTF-8 or GB18030), .docx (document.xml), .pdf (text layer)."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from scoring.errors import InputError, Location
from scoring.issues import DataIssue
from scoring.extract.text import dewrap, normalize

SUFFIXES = (".txt", ".docx", ".pdf")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass(frozen=True)
class SourceFile:
    path: Path
    display: str  # as shown to users: relative to the folder it was found in, else the name


@dataclass(frozen=True)
class ReadResult:
    text: str | None  # normalised text, None when unreadable
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
            return ReadResult(normalize(raw))
        if suffix == ".docx":
            return ReadResult(normalize(read_docx(source.path)))
        return _read_pdf(source)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return _unreadable(source, "不是有效的 Word(.docx)文件,无法读取;.doc 格式请先另存为 .docx")
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


def read_docx(path: Path) -> str:
    """Paragraph text in document order; a table row becomes one line, cells joined by "|"."""
    with zipfile.ZipFile(path) as zf:
        root = ElementTree.fromstring(zf.read("word/document.xml"))
    body = root.find(f"{_W}body")
    lines: list[str] = []
    _walk_docx(body if body is not None else root, lines)
    return "\n".join(lines)


def _walk_docx(element: ElementTree.Element, lines: list[str]) -> None:
    for child in element:
        if child.tag == f"{_W}p":
            lines.append(_docx_paragraph_text(child))
        elif child.tag == f"{_W}tbl":
            for row in child.iter(f"{_W}tr"):
                cells = [" ".join(_docx_paragraph_text(p) for p in cell.iter(f"{_W}p")) for cell in row.iter(f"{_W}tc")]
                lines.append("|".join(cells))
        else:
            _walk_docx(child, lines)


def _docx_paragraph_text(paragraph: ElementTree.Element) -> str:
    parts: list[str] = []
    for node in paragraph.iter():
        if node.tag == f"{_W}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
    return "".join(parts)


def _read_pdf(source: SourceFile) -> ReadResult:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(source.path))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError) as exc:
        return _unreadable(source, f"不是有效的 PDF 文件,无法读取({exc})")
    text = dewrap(normalize(text))
    if len(text.strip()) < 20:
        return _unreadable(source, "PDF 没有文字层(可能是扫描件),无法提取;请先做文字识别(OCR)或提供 Word/文本版")
    return ReadResult(text)


def _unreadable(source: SourceFile, message: str) -> ReadResult:
    return ReadResult(None, DataIssue("error", f"{message},已跳过该文件", file=source.display))
