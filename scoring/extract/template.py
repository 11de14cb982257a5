"""The national annual-report template's tables, read from text in whatever shape they arrive.

Rows and columns are recognised by their labels, not by separators: a table copied from a web
page or PDF comes as "|" rows, markdown, one cell per line, space-separated numbers, or digits
run together ("本年新收…数量 713000074" = 71|3|0|0|0|0|74). Labels are searched in the squeezed
text (no spaces: labels may be cut by stray spaces or split one character per line); the cells
between one label and the next are read in the folded text, where separators survive.

Where cells run together, the template's identities choose the reading: in table 3 every row's
总计 column is the sum of the six applicant columns, and 新收 + 上年结转 = 办理结果总计 + 结转下年度;
in table 4 each group's 维持 + 纠正 + 其他 + 尚未审结 = 总计. A failed identity is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.extract.text import NUMBERING, PROSE, TextView
from scoring.issues import DataIssue

TABLE_CONFIDENCE = 0.97  # a cell whose row adds up
LOOSE_CONFIDENCE = 0.85  # a cell read without a check (a lone number, a blank applicant column)
_SEARCH_WINDOW = 700  # squeezed characters between one table row's label and the next
_CELL_TOKEN = re.compile(r"-?\d+(?:\.\d+)?|[-/—–]")
_BLANKS = {"-", "/", "—", "–", ""}
_RUN = re.compile(r"[\d|\-/—–.\s]*\d[\d|\-/—–.\s]*")

# table 3: (category, label); category None = a heading without cells of its own
_APPLICATION_ROWS: tuple[tuple[str | None, str], ...] = (
    ("received", r"本年新收(?:政府信息公开)?申请(?:数量)?"),
    ("carried_over", r"上年结转(?:政府信息公开)?申请(?:数量)?"),
    (None, r"本年度?办理结果"),
    ("granted", r"予以公开"),
    ("partly_granted", r"部分公开(?:\([^()|\d]{0,30}\)?)?"),
    (None, r"不予公开"),
    ("refused", r"属于国家秘密"),
    ("refused", r"其他法律行政法规禁止公开"),
    ("refused", r"危及.{0,2}三安全一稳定.{0,2}"),
    ("refused", r"保护第三方合法权益"),
    ("refused", r"属于三类内部事务信息"),
    ("refused", r"属于四类过程性信息"),
    ("refused", r"属于行政执法案卷"),
    ("refused", r"属于行政查询事项"),
    (None, r"无法提供"),
    ("unavailable", r"本机关不掌握相关政府信息"),
    ("unavailable", r"没有现成信息需要另行制作"),
    ("unavailable", r"补正后申请内容仍不明确"),
    (None, r"不予处理"),
    ("not_processed", r"信访举报投诉类申请"),
    ("not_processed", r"重复申请"),
    ("not_processed", r"要求提供公开出版物"),
    ("not_processed", r"无正当理由大量反复申请"),
    ("not_processed", r"要求行政机关确认或重新出具已获取信息"),
    ("other_handled", r"其他处理"),  # a row of its own in the 2019 format, a heading in 2021
    ("other_handled", r"申请人无正当理由逾期不补正[^\d|]{0,40}"),
    ("other_handled", r"申请人逾期未按收费通知要求缴纳费用[^\d|]{0,40}"),
    ("other_handled", r"其他(?=[\d|\-/])"),
    ("completed", r"总计"),
    ("carried_forward", r"结转下年度?继续办理"),
)
_APPLICATION_METRICS = {
    "received": "applications_received",
    "carried_over": "applications_carried_over",
    "completed": "applications_completed",
    "carried_forward": "applications_carried_forward",
    "granted": "applications_granted",
    "partly_granted": "applications_partly_granted",
    "refused": "applications_refused",
    "unavailable": "applications_unavailable",
    "not_processed": "applications_not_processed",
    "other_handled": "applications_other_handled",
}
_OUTCOMES = ("completed", ("granted", "partly_granted", "refused", "unavailable", "not_processed", "other_handled"))
# table 4: three groups of five cells
_GROUPS = ("reconsiderations", "lawsuits_direct", "lawsuits_after_reconsideration")
_GROUP_CELLS = ("upheld", "corrected", "other", "pending", "total")
# table 2 (2021 format): label → metrics of its number cells, in order
_PROACTIVE_ROWS_2021 = (
    (r"规章", ("regulations_issued", "regulations_repealed", "regulations_in_force")),
    (r"(?:行政)?规范性文件", ("normative_documents_issued", "normative_documents_repealed",
                            "normative_documents_in_force")),
    (r"行政许可", ("licensing_decisions",)),
    (r"行政处罚", ("penalty_decisions",)),
    (r"行政强制", ("enforcement_decisions",)),
    (r"行政事业性收费", ("fees_collected",)),
)
# 2019 format: 本年新制作数量 counts as issued; the three-column rows' last cell is 处理决定数量
_PROACTIVE_ROWS_2019 = (
    (r"规章", ("regulations_issued", None, None)),
    (r"规范性文件", ("normative_documents_issued", None, None)),
    (r"行政许可", (None, None, "licensing_decisions")),
    (r"其他对外管理服务事项", (None, None, None)),
    (r"行政处罚", (None, None, "penalty_decisions")),
    (r"行政强制", (None, None, "enforcement_decisions")),
)


def table_metrics() -> frozenset[str]:
    """Every metric the tables give (those without sentence patterns come from tables only)."""
    appeals = {f"{g}{s}" for g in ("reconsiderations", "lawsuits") for s in ("", "_upheld", "_corrected", "_other",
                                                                            "_pending")}
    proactive = {m for _, metrics in (*_PROACTIVE_ROWS_2021, *_PROACTIVE_ROWS_2019) for m in metrics if m}
    return frozenset({*_APPLICATION_METRICS.values(), *appeals, *proactive})


@dataclass(frozen=True)
class TableValue:
    metric: str
    value: float
    confidence: float
    start: int  # position of the row label in the squeezed text
    evidence: str  # the row as the report wrote it
    place: str  # which table and row, for people


def read_template(view: TextView, where: str) -> tuple[list[TableValue], list[DataIssue]]:
    """Values of tables 2, 3 and 4 found in one report; `where` names the report in messages."""
    values: list[TableValue] = []
    issues: list[DataIssue] = []
    for reader in (_proactive_table, _applications_table, _appeals_table):
        found, found_issues = reader(view, where)
        values += found
        issues += found_issues
    return values, issues


# ---- cells ---------------------------------------------------------------------------------

def cells_of(segment: str, keep_trailing: bool = False) -> list[str]:
    """The cells of a row's stretch of folded text: "|"-separated when it has pipes (blank cells
    kept), else white-space separated; the cell the label sat in and trailing blanks dropped."""
    segment = NUMBERING.sub("", segment.rstrip()).rstrip()
    if "|" in segment:
        pieces = [p.strip() for p in segment.split("|")]
        if pieces and pieces[0] == "":
            pieces = pieces[1:]
        cells: list[str] = []
        for piece in pieces:
            cells += piece.split() if len(piece.split()) > 1 else [piece]
    else:
        cells = segment.split()
    while cells and cells[-1] == "" and not keep_trailing:
        cells.pop()
    return cells


def _number(cell: str) -> float | None:
    return None if cell in _BLANKS else float(cell)


def _is_cells(cells: list[str]) -> bool:
    return all(c in _BLANKS or _CELL_TOKEN.fullmatch(c) for c in cells)


def split_run(digits: str, parts: int, check) -> list[tuple[int, ...]]:
    """Every way to cut a digit string into `parts` numbers (no leading zeros) that `check` accepts."""
    out: list[tuple[int, ...]] = []
    if len(digits) > parts * 6 or len(digits) < parts:
        return out

    def cut(rest: str, taken: tuple[int, ...]) -> None:
        if len(out) > 50:
            return
        left = parts - len(taken)
        if left == 0:
            if not rest and check(taken):
                out.append(taken)
            return
        if len(rest) < left:
            return
        longest = 1 if rest[0] == "0" else min(6, len(rest) - left + 1)
        for n in range(1, longest + 1):
            cut(rest[n:], (*taken, int(rest[:n])))

    cut(digits, ())
    return out


# ---- table 3 -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Row:
    category: str | None
    start: int
    end: int  # end of the label (squeezed)
    stop: int  # start of the next label, or the end of the table


def _find_rows(squeezed: str, start: int, labels: tuple[tuple[str | None, str], ...]) -> list[_Row]:
    """Labels in template order; a label not found within reach is skipped (a cut-off table)."""
    found: list[tuple[str | None, int, int]] = []
    position = start
    for category, label in labels:
        m = re.compile(label).search(squeezed, position, position + _SEARCH_WINDOW)
        if m:
            found.append((category, m.start(), m.end()))
            position = m.end()
    rows = []
    for i, (category, a, b) in enumerate(found):
        stop = found[i + 1][1] if i + 1 < len(found) else min(len(squeezed), b + _SEARCH_WINDOW)
        rows.append(_Row(category, a, b, stop))
    return rows


def _row_total(view: TextView, row: _Row, at_end: bool) -> tuple[list[tuple[int, ...]], float | None, bool]:
    """(candidate readings of a run-together row, the 总计 cell when read directly, checked)."""
    a, b = view.span(row.end, row.stop)
    segment = view.folded[a:b]
    if at_end:  # the last row: its cells end where prose starts
        prose = PROSE.search(segment)
        segment = segment[: prose.start()] if prose else segment
    cells = cells_of(segment)
    if not cells or not _is_cells(cells):
        return [], None, False
    numbers = [c for c in cells if c not in _BLANKS]
    if at_end and b >= len(view.folded) and "|" in segment and len(cells) < 7:
        return [], None, False  # the text stops inside the row: its 总计 cell is not there
    if len(cells) == 7:
        values = [_number(c) for c in cells]
        total = values[6]
        checked = total is not None and abs(sum(v or 0 for v in values[:6]) - total) < 1e-9
        return [], total, checked
    if len(numbers) == 1 and len(numbers[0]) >= 7 and numbers[0].isdigit():
        readings = split_run(numbers[0], 7, lambda p: sum(p[:6]) == p[6])
        return readings, None, False
    if len(numbers) == 1:
        return [], _number(numbers[0]), False
    if 2 <= len(numbers) < 7:
        values = [float(n) for n in numbers if n.lstrip("-").replace(".", "").isdigit()]
        if len(values) == len(numbers) and abs(sum(values[:-1]) - values[-1]) < 1e-9:
            return [], values[-1], True
    return [], None, False


def _applications_table(view: TextView, where: str) -> tuple[list[TableValue], list[DataIssue]]:
    squeezed = view.squeezed
    anchor = squeezed.find("自然人")
    while anchor >= 0:
        head = re.compile(_APPLICATION_ROWS[0][1]).search(squeezed, anchor, anchor + 800)
        if head:
            break
        anchor = squeezed.find("自然人", anchor + 3)
    if anchor < 0:
        return _lone_application_rows(view, where)
    rows = _find_rows(squeezed, head.start(), _APPLICATION_ROWS)
    readings: dict[int, tuple[list[tuple[int, ...]], float | None, bool]] = {}
    for i, row in enumerate(rows):
        if row.category is not None:
            readings[i] = _row_total(view, row, i == len(rows) - 1)
    totals = _choose_totals(readings)
    issues: list[DataIssue] = []
    values: list[TableValue] = []
    by_category: dict[str, list[tuple[int, float | None, bool]]] = {}
    for i, row in enumerate(rows):
        if row.category is None:
            continue
        total, checked = totals.get(i, (None, False))
        runs = readings[i][0]
        if total is None and len(runs) > 1:
            issues.append(DataIssue("warning", f"{where}:表三“{squeezed[row.start:row.end]}”一行数字连在一起,"
                                               f"有 {len(runs)} 种拆法且总计不同,无法确定,未采用"))
        by_category.setdefault(row.category, []).append((i, total, checked))
    for category, items in by_category.items():
        if any(t is None for _, t, _ in items):
            # a heading row without cells (2021 其他处理) does not stop its sub-rows from adding up
            items = [x for x in items if x[1] is not None] if category == "other_handled" else items
        if not items or any(t is None for _, t, _ in items):
            continue
        first = rows[items[0][0]]
        last = rows[items[-1][0]]
        value = float(sum(t for _, t, _ in items))
        confidence = TABLE_CONFIDENCE if all(c for _, _, c in items) else LOOSE_CONFIDENCE
        label = squeezed[first.start:first.end] if len(items) == 1 else f"{squeezed[first.start:first.end]}…"
        values.append(TableValue(
            _APPLICATION_METRICS[category], value, confidence, first.start,
            view.row_evidence(first.start, first.end, first.stop if len(items) == 1 else last.stop),
            f"表三“{label}”行总计",
        ))
    issues += _application_identities(values, where)
    return values, issues


def _lone_application_rows(view: TextView, where: str) -> tuple[list[TableValue], list[DataIssue]]:
    """Rows of table 3 without its heading (a page of a flip-book, an excerpt): only the three
    rows whose labels say it all, and only when the seven cells are there."""
    values = []
    for category in ("received", "carried_over", "carried_forward"):
        label = dict((c, row) for c, row in _APPLICATION_ROWS if c)[category]
        for m in re.compile(label).finditer(view.squeezed):
            row = _Row(category, m.start(), m.end(), min(len(view.squeezed), m.end() + 60))
            runs, total, checked = _row_total(view, row, at_end=True)
            options = {r[6] for r in runs}
            if len(options) == 1:
                total, checked = float(options.pop()), True
            if total is not None and checked:
                values.append(TableValue(_APPLICATION_METRICS[category], total, TABLE_CONFIDENCE, m.start(),
                                         view.row_evidence(m.start(), m.end(), row.stop), f"表三“{m.group()}”行总计"))
                break
    return values, []


def _choose_totals(readings: dict) -> dict[int, tuple[float | None, bool]]:
    """Each row's 总计: the cell read directly, or the one total every reading of a run agrees on."""
    totals: dict[int, tuple[float | None, bool]] = {}
    for i, (runs, direct, checked) in readings.items():
        options = {r[6] for r in runs}
        totals[i] = (float(options.pop()), True) if len(options) == 1 else (direct, checked and not runs)
    return totals


def _application_identities(values: list[TableValue], where: str) -> list[DataIssue]:
    got = {v.metric: v.value for v in values}
    issues = []
    names = ["applications_received", "applications_carried_over", "applications_completed",
             "applications_carried_forward"]
    if all(n in got for n in names):
        left, right = got[names[0]] + got[names[1]], got[names[2]] + got[names[3]]
        if abs(left - right) > 1e-9:
            issues.append(DataIssue("warning", f"{where}:表三勾稽关系不成立:本年新收 {_fmt(got[names[0]])} + 上年结转 "
                                               f"{_fmt(got[names[1]])} = {_fmt(left)},而办理结果总计 {_fmt(got[names[2]])} + "
                                               f"结转下年度 {_fmt(got[names[3]])} = {_fmt(right)}"))
    parts = [_APPLICATION_METRICS[c] for c in _OUTCOMES[1]]
    if "applications_completed" in got and all(p in got for p in parts):
        added = sum(got[p] for p in parts)
        if abs(added - got["applications_completed"]) > 1e-9:
            issues.append(DataIssue("warning", f"{where}:表三办理结果各项合计 {_fmt(added)},与“总计”行 "
                                               f"{_fmt(got['applications_completed'])} 不一致"))
    return issues


# ---- table 4 -------------------------------------------------------------------------------

def _appeals_table(view: TextView, where: str) -> tuple[list[TableValue], list[DataIssue]]:
    squeezed = view.squeezed
    # the header's group names; "尚未审结" where a copy lost them
    header = next((at for word in ("未经复议直接起诉", "复议后起诉", "尚未审结") if (at := squeezed.find(word)) >= 0), -1)
    if header < 0:
        return [], []
    end_match = re.compile(r"五、|存在的主要问题").search(squeezed, header)
    end = end_match.start() if end_match else min(len(squeezed), header + 1500)
    a, b = view.span(header, end)
    region = view.folded[a:b]
    for run in _RUN.finditer(region):
        cells = cells_of(run.group(), keep_trailing=True)
        if len(cells) > 15 and all(c == "" for c in cells[15:]):
            cells = cells[:15]
        numbers = [c for c in cells if c not in _BLANKS]
        if len(cells) == 15 and _is_cells(cells):
            grid = [_number(c) for c in cells]
        elif len(numbers) == 1 and numbers[0].isdigit() and len(numbers[0]) >= 15:
            runs = split_run(numbers[0], 15, lambda p: all(sum(p[g:g + 4]) == p[g + 4] for g in (0, 5, 10)))
            if len(runs) != 1:
                return [], [DataIssue("warning", f"{where}:表四(行政复议、行政诉讼)一行数字连在一起,"
                                                 f"{'有多种拆法' if runs else '拆不出合乎“总计”的读法'},未采用")]
            grid = [float(v) for v in runs[0]]
        else:
            continue
        start = header
        evidence = " ".join(view.written[a + run.start():a + run.end()].split())
        return _appeal_values(grid, start, evidence, where)
    return [], []


def _appeal_values(grid: list[float | None], start: int, evidence: str, where: str) -> tuple[list[TableValue], list[DataIssue]]:
    groups = {name: dict(zip(_GROUP_CELLS, grid[i * 5:(i + 1) * 5])) for i, name in enumerate(_GROUPS)}
    issues = []
    checked = {}
    for name, cells in groups.items():
        parts = [cells[c] for c in _GROUP_CELLS[:4]]
        ok = cells["total"] is not None and abs(sum(p or 0 for p in parts) - cells["total"]) < 1e-9
        checked[name] = ok
        if cells["total"] is not None and not ok:
            issues.append(DataIssue("warning", f"{where}:表四“{_GROUP_NAMES[name]}”维持、纠正、其他、尚未审结之和 "
                                               f"{_fmt(sum(p or 0 for p in parts))} 与总计 {_fmt(cells['total'])} 不一致"))
    values = []

    def add(metric: str, value: float | None, ok: bool, place: str) -> None:
        if value is not None:
            values.append(TableValue(metric, value, TABLE_CONFIDENCE if ok else LOOSE_CONFIDENCE, start,
                                     f"行政复议、行政诉讼表:{evidence}", place))

    recon = groups["reconsiderations"]
    for cell, suffix in zip(_GROUP_CELLS, ("_upheld", "_corrected", "_other", "_pending", "")):
        add(f"reconsiderations{suffix}", recon[cell], checked["reconsiderations"], f"表四行政复议“{_CELL_NAMES[cell]}”")
    direct, after = groups["lawsuits_direct"], groups["lawsuits_after_reconsideration"]
    ok = checked["lawsuits_direct"] and (checked["lawsuits_after_reconsideration"] or after["total"] is None)
    for cell, suffix in zip(_GROUP_CELLS, ("_upheld", "_corrected", "_other", "_pending", "")):
        pair = [direct[cell], after[cell]]
        value = None if all(v is None for v in pair) else sum(v or 0 for v in pair)
        add(f"lawsuits{suffix}", value, ok, f"表四行政诉讼(两类合计)“{_CELL_NAMES[cell]}”")
    return values, issues


_GROUP_NAMES = {"reconsiderations": "行政复议", "lawsuits_direct": "未经复议直接起诉",
                "lawsuits_after_reconsideration": "复议后起诉"}
_CELL_NAMES = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结", "total": "总计"}


# ---- table 2 -------------------------------------------------------------------------------

def _proactive_table(view: TextView, where: str) -> tuple[list[TableValue], list[DataIssue]]:
    squeezed = view.squeezed
    first = re.compile(r"第二十条第?\(一\)项").search(squeezed)
    if not first:
        return [], []
    end_match = re.compile(r"收到和处理政府信息公开申请|本年新收").search(squeezed, first.end())
    end = end_match.start() if end_match else min(len(squeezed), first.end() + 2000)
    old_format = "上一年项目数量" in squeezed[first.end():end] or "新制作" in squeezed[first.end():end]
    layout = _PROACTIVE_ROWS_2019 if old_format else _PROACTIVE_ROWS_2021
    values: list[TableValue] = []
    issues: list[DataIssue] = []
    position = first.end()
    labels = [label for label, _ in layout]
    for index, (label, metrics) in enumerate(layout):
        m = re.compile(rf"(?<![\u4e00-\u9fff]){label}(?=[\d|\-/])").search(squeezed, position, end)
        if not m:
            continue
        position = m.end()
        following = re.compile("|".join(rf"{x}(?=[\d|\-/])" for x in labels[index + 1:]) + r"|第二十条|信息内容") \
            if index + 1 < len(labels) else re.compile(r"第二十条|信息内容")
        stop_match = following.search(squeezed, m.end(), end)
        stop = stop_match.start() if stop_match else end
        a, b = view.span(m.end(), stop)
        segment = view.folded[a:b]
        prose = PROSE.search(segment)
        cells = [c for c in cells_of(segment[: prose.start()] if prose else segment)]
        if not cells or not _is_cells(cells):
            continue
        wanted = [x for x in metrics]
        if len(cells) != len(wanted):
            if len(wanted) > 1 and len(cells) == 1 and any(w for w in wanted):
                issues.append(DataIssue("info", f"{where}:表二“{squeezed[m.start():m.end()]}”一行的数字连在一起"
                                                f"({cells[0]}),没有勾稽关系可以拆分,未采用"))
            if len(cells) < len(wanted) or len(wanted) == 1 and len(cells) != 1:
                continue
        evidence = view.row_evidence(m.start(), m.end(), stop)
        for metric, cell in zip(wanted, cells):
            number = _number(cell) if _CELL_TOKEN.fullmatch(cell) or cell in _BLANKS else None
            if metric and number is not None:
                values.append(TableValue(metric, number, LOOSE_CONFIDENCE + 0.05, m.start(), evidence,
                                         f"表二“{squeezed[m.start():m.end()]}”行"))
    return values, issues


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.10g}"
