"""Report text normalisation and sentence lookup.

Every pattern runs on the normalised text: NFKC (full-width digits and punctuation become
half-width: "１２" → "12", "，" → ","), no horizontal white space (Chinese text has none, PDF
extraction adds stray ones, also inside numbers and titles), lines kept.
"""

from __future__ import annotations

import re
import unicodedata

_HSPACE = re.compile(r"[^\S\n]+")
SENTENCE_END = "。;!?\n"
_SENTENCE_BOUNDARY = re.compile(r"[。;!?\n]")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+(?:、|\.(?!\d))|第[一二三四五六七八九十]+)")
_LINE_END = tuple("。;:!?)\"”’》】")
MAX_EVIDENCE = 300


def normalize(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    return _HSPACE.sub("", text)


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
    if previous.endswith(_LINE_END) or _HEADING.match(line):
        return False
    return not (_HEADING.match(previous) and len(previous) <= 25)


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Start and end of the sentence (split on 。;!?\\n) holding text[start:end]."""
    left = max(text.rfind(ch, 0, start) for ch in SENTENCE_END) + 1
    m = _SENTENCE_BOUNDARY.search(text, end)
    right = m.end() if m and m.group() != "\n" else (m.start() if m else len(text))
    return left, right


def sentence_at(text: str, start: int, end: int) -> str:
    left, right = sentence_bounds(text, start, end)
    sentence = text[left:right].strip()
    if len(sentence) > MAX_EVIDENCE:  # a run-on paragraph: centre the window on the number
        centre = (start + end) // 2 - left
        lo = max(0, min(centre - MAX_EVIDENCE // 2, len(sentence) - MAX_EVIDENCE))
        sentence = "…" + sentence[lo:lo + MAX_EVIDENCE] + "…"
    return sentence
