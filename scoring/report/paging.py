"""Printing: A4 pages, a print scale that keeps text at 10 pt, and page numbers per sheet.

Every sheet made with `new_sheet` has an explicit default row height and every other height goes
through `set_height`, so Excel and LibreOffice lay rows out alike and `setup_page` can count the
sheet's own pages: the footer then reads "第 2 页,共 3 页" for this sheet, where the programs'
own total (&N) would count the pages of the whole workbook.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from weakref import WeakKeyDictionary

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from scoring.report.blocksheet import BlockSheet

BODY_POINTS = 11  # the workbook's font size
ROW_POINTS = 18.0  # default row height: one line of 11 pt CJK text with some air
MIN_SCALE = -(-100 * 10 // BODY_POINTS)  # 91%: body text still 10 pt on paper
A4_POINTS = (595.3, 841.9)  # short and long side
SIDE_MARGIN, TOP_MARGIN = 0.5, 0.75  # inches
PRINTABLE_PX = {  # page width less the side margins, at 96 px per inch: landscape, portrait
    True: round((A4_POINTS[1] / 72 - 2 * SIDE_MARGIN) * 96), False: round((A4_POINTS[0] / 72 - 2 * SIDE_MARGIN) * 96),
}
PRINTABLE_HEIGHT = {True: A4_POINTS[0] - 2 * TOP_MARGIN * 72, False: A4_POINTS[1] - 2 * TOP_MARGIN * 72}  # points
WIDTH_SLACK = 0.97
# A column `w` wide is about 9.4·w + 7 px where LibreOffice replaces 等线 (measured), 8·w + 5 in
# Excel with 等线: columns are fitted to the page by the wider measure and text into columns by
# the narrower one, so a table fits the page and its text fits its cells in both programs.
CHAR_PX, PAD_PX = 9.4, 7
NARROW_CHAR_PX, NARROW_PAD_PX = 8, 5
TEXT_UNIT_PX = 8.2  # a display-width unit of 11 pt text: half a CJK character (7.3 px), a Latin letter or digit (up to 8.5 px)
XLSXWRITER_CHAR_PX = 7  # what XlsxWriter assumes when it places a chart over cells
MIN_WRAP_WIDTH = 14  # wrapped text columns are narrowed down to this to fit the page

_HEIGHTS: WeakKeyDictionary[Worksheet, dict[int, float]] = WeakKeyDictionary()


def new_sheet(wb: Workbook, name: str) -> BlockSheet:
    ws = wb.add_worksheet(name, worksheet_class=BlockSheet)
    ws.set_default_row(ROW_POINTS)
    _HEIGHTS[ws] = {}
    return ws


def set_height(ws: Worksheet, row: int, points: float) -> None:
    ws.set_row(row, points)
    _HEIGHTS.setdefault(ws, {})[row] = points


def column_px(width: float, char_px: float = CHAR_PX) -> int:
    """Pixels of a column `width` characters wide, by the widest measure of the programs that
    open the workbook (or by `char_px`)."""
    return int(width * char_px + PAD_PX)


def text_capacity(width: float) -> float:
    """Display width of text (CJK counting two) one line of a column `width` wide holds in
    every program."""
    return max((width * NARROW_CHAR_PX + NARROW_PAD_PX - 6) / TEXT_UNIT_PX, 1.0)


def narrowed_to_page(widths: list[float], kinds: list[str], landscape: bool = True) -> list[float]:
    """Widths with the wrapped text columns narrowed (down to MIN_WRAP_WIDTH) so the table fits
    the page width at MIN_SCALE."""
    budget = PRINTABLE_PX[landscape] * WIDTH_SLACK * 100 / MIN_SCALE
    excess = (sum(column_px(w) for w in widths) - budget) / CHAR_PX
    wrap = [i for i, k in enumerate(kinds) if k == "wrap" and widths[i] > MIN_WRAP_WIDTH]
    room = sum(widths[i] - MIN_WRAP_WIDTH for i in wrap)
    if excess <= 0 or room <= 0:
        return widths
    share = min(excess / room, 1.0)
    out = list(widths)
    for i in wrap:
        out[i] = float(math.floor(widths[i] - (widths[i] - MIN_WRAP_WIDTH) * share))
    return out


def print_scale(widths: Sequence[float], landscape: bool = True) -> int:
    """The largest scale up to 100% that fits `widths` on the page, but never below MIN_SCALE
    (text stays 10 pt; a table wider than that continues on a page across)."""
    needed = sum(column_px(w) for w in widths) or 1
    return int(max(MIN_SCALE, min(100, PRINTABLE_PX[landscape] * WIDTH_SLACK * 100 // needed)))


def count_pages(heights: Sequence[float], usable: float, repeat: tuple[int, int] | None, breaks: set[int]) -> int:
    """Pages the rows take down the page: a new page at each manual break and whenever the next
    row does not fit; the repeated rows print again at the top of every later page."""
    repeated = sum(heights[repeat[0]:repeat[1] + 1]) if repeat else 0.0
    pages, used, fresh = 1, 0.0, True
    for row, height in enumerate(heights):
        later = repeat is None or row > repeat[1]
        if not fresh and (row in breaks or (later and used + height > usable)):
            pages, used = pages + 1, repeated if later else 0.0
        used += height
        fresh = False
    return pages


def setup_page(
    ws: Worksheet,
    title: str,
    repeat: tuple[int, int] | None,
    widths: Sequence[float] | None = None,
    landscape: bool = True,
    repeat_columns: int = 0,
    breaks: Sequence[int] = (),
    last_row: int | None = None,
    column_breaks: Sequence[int] = (),
) -> None:
    """A4 in `landscape` or portrait, a print scale that fits `widths` across the page with text
    at 10 pt or more, manual page `breaks` (rows that start a page), repeated header rows (and
    the first `repeat_columns` columns on pages across), the title in the page header and
    "第 n 页,共 N 页" counting this sheet's pages (rows up to `last_row`, default the last used)."""
    scale = print_scale(widths, landscape) if widths else 100
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_print_scale(scale)
    ws.set_margins(left=SIDE_MARGIN, right=SIDE_MARGIN, top=TOP_MARGIN, bottom=TOP_MARGIN)
    if repeat is not None:
        ws.repeat_rows(*repeat)
    if repeat_columns:
        ws.repeat_columns(0, repeat_columns - 1)
    if breaks:
        ws.set_h_pagebreaks(sorted(breaks))
    if column_breaks:
        ws.set_v_pagebreaks(sorted(column_breaks))
    ws.set_start_page(1)  # each sheet numbers its own pages from 1
    ws.set_header("&C" + header_text(title))
    last = ws.dim_rowmax if last_row is None else last_row
    own = _HEIGHTS.get(ws, {})
    heights = [own.get(row, ROW_POINTS) for row in range(0, (last if last is not None else 0) + 1)]
    down = count_pages(heights, PRINTABLE_HEIGHT[landscape] * 100 / scale, repeat, set(breaks))
    across = sum(_pages_across(part, scale, landscape, repeat_columns if i else 0)
                 for i, part in enumerate(_split(list(widths or []), sorted(column_breaks), repeat_columns)))
    ws.set_footer(f"&C第 &P 页,共 {down * across} 页")


def _split(widths: list[float], column_breaks: list[int], repeat_columns: int) -> list[list[float]]:
    """The columns of each stretch between manual column breaks; later stretches print the
    repeated columns again in front."""
    edges = [0, *[b for b in column_breaks if 0 < b < len(widths)], len(widths)]
    parts = [widths[a:b] for a, b in zip(edges, edges[1:])]
    return [part if i == 0 else widths[:repeat_columns] + part for i, part in enumerate(parts)]


def _pages_across(widths: Sequence[float], scale: int, landscape: bool, repeat_columns: int) -> int:
    total = sum(column_px(w) for w in widths) * scale / 100
    room = PRINTABLE_PX[landscape]
    if total <= room:
        return 1
    repeated = sum(column_px(w) for w in widths[:repeat_columns]) * scale / 100
    return 1 + math.ceil((total - room) / max(room - repeated, 1.0))


def header_text(text: str) -> str:
    """Escape `&` (a control character in page headers) and stay within Excel's 255 characters."""
    return text.replace("&", "&&")[:200]
