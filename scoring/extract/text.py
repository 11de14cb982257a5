"""Report text normalisation and sentence lookup.

Two views of a file's text, with the same lines:
- folded (`fold`): character for character the file as written, each character NFKC-normalised
  (full-width "１２" → "12", "，" → ",") and traditional → simplified (OpenCC t2s) when that
  keeps it one character. Same length as the written text, so a place in it is a place in
  what the report wrote (evidence is shown as written). Table cells keep their separators.
- squeezed (`squeeze`): the folded text without horizontal white space (Chinese text has none;
  PDF and web copies add stray ones, also inside numbers and titles); every pattern runs on it.
  `Squeezed.offsets` maps each of its characters back to the folded text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np

_HSPACE = re.compile(r"[^\S\n]+")
SENTENCE_END = "。;!?\n"
_SENTENCE_BOUNDARY = re.compile(r"[。;!?\n]")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+(?:、|\.(?!\d))|第[一二三四五六七八九十]+)")
_LINE_END = tuple("。;:!?)\"”’》】")
MAX_EVIDENCE = 300


_LONE_CR = re.compile(r"\r(?!\n)")


@dataclass(frozen=True)
class Squeezed:
    text: str
    offsets: np.ndarray  # offsets[i] = position in the folded text of text[i]


def normalize(raw: str) -> str:
    """The squeezed text of `raw` (folded, horizontal white space removed)."""
    return _HSPACE.sub("", fold(raw))


def fold(raw: str) -> str:
    """Line ends unified ("\\r\\n" → " \\n"), each character NFKC and t2s; same length as `raw`.

    Worked out once per distinct character and applied with numpy: a 10 MB file takes a second.
    """
    text = _LONE_CR.sub("\n", raw).replace("\r", " ")
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if not len(codes):
        return text
    distinct = np.flatnonzero(np.bincount(codes))
    folded = np.array([ord(_fold_char(chr(c))) for c in distinct], dtype=np.uint32)
    if np.array_equal(folded, distinct):
        return text
    lookup = np.arange(int(distinct[-1]) + 1, dtype=np.uint32)
    lookup[distinct] = folded
    return lookup[codes].tobytes().decode("utf-32-le")


def squeeze(folded: str) -> Squeezed:
    """`folded` (whose only white space is " " and "\\n") without its spaces, and where each character was."""
    codes = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32)
    return Squeezed(folded.replace(" ", ""), np.flatnonzero(codes != 32))


@cache
def _fold_char(ch: str) -> str:
    if ch.isspace():
        return ch if ch == "\n" else " "
    n = unicodedata.normalize("NFKC", ch)
    ch = n if len(n) == 1 else ch
    simplified = _t2s(ch)
    return simplified if len(simplified) == 1 else ch


@lru_cache(maxsize=1)
def _converter():
    import opencc  # 繁→简 with a maintained dictionary: some sites serve reports in traditional characters

    return opencc.OpenCC("t2s")


def _t2s(ch: str) -> str:
    if ord(ch) < 0x3400:  # nothing below CJK has a simplified form
        return ch
    return _converter().convert(ch)


def dewrap(text: str) -> str:
    """Join layout lines of a PDF back into paragraphs.

    A line is continued by the next one unless it ends a sentence, or it is a short heading,
    or the next line starts a heading.
    """
    out: list[str] = []
    for line in text.split("\n"):
        if not line:
            continue
        if out and _continues(out[-1], line):
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def _continues(previous: str, line: str) -> bool:
    if normalize(previous[-8:]).endswith(_LINE_END) or _HEADING.match(normalize(line[:40])):
        return False
    head = normalize(previous[:60])
    return not (_HEADING.match(head) and len(head) <= 25 and len(previous) <= 60)


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Start and end of the sentence (split on 。;!?\\n) holding text[start:end]."""
    left = max(text.rfind(ch, 0, start) for ch in SENTENCE_END) + 1
    m = _SENTENCE_BOUNDARY.search(text, end)
    right = m.end() if m and m.group() != "\n" else (m.start() if m else len(text))
    return left, right


PROSE = re.compile(r"[\u4e00-\u9fff]")
# the numbering a label starts with ("2.", "(三)", "四、"), left at the end of the cells before it
NUMBERING = re.compile(r"(?:\d[.、]|\([一二三四五六七八九十]{1,2}\)|[一二三四五六七八九十]{1,2}、|第)\s*$")


@dataclass(frozen=True)
class TextView:
    """One report's text three ways: squeezed (patterns), folded (cells), written (evidence)."""

    squeezed: str
    folded: str
    written: str
    offsets: np.ndarray  # squeezed position → folded/written position

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Folded/written span of squeezed [start, end)."""
        if start >= len(self.squeezed):
            return len(self.folded), len(self.folded)
        last = int(self.offsets[min(end, len(self.squeezed)) - 1]) + 1 if end > start else int(self.offsets[start])
        return int(self.offsets[start]), last

    def written_between(self, start: int, end: int, limit: int = 160) -> str:
        a, b = self.span(start, end)
        text = " ".join(self.written[a:b].split())
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def row_evidence(self, start: int, label_end: int, stop: int) -> str:
        """A row as written: its label and its cells, up to the next words (the next label's number)."""
        a, b = self.span(start, stop)
        label_end = self.span(start, label_end)[1]
        cells = self.folded[label_end:b]
        prose = PROSE.search(cells)
        cells_end = label_end + (prose.start() if prose else len(cells))
        tail = NUMBERING.sub("", self.written[label_end:cells_end].rstrip()).rstrip("(( ")  # noqa: B005 (a set of characters, meant)
        text = " ".join((self.written[a:label_end] + tail).split())
        return text if len(text) <= 200 else text[:199] + "…"

    @classmethod
    def of(cls, written: str) -> TextView:
        folded = fold(written)
        squeezed = squeeze(folded)
        return cls(squeezed.text, folded, written, squeezed.offsets)
