"""Generate sample_inputs/: a fictional city 临江市 with 44 units, metrics for 2021Q3, 2021Q4
and 2021, and a year of publication records. Fixed seed: re-running writes identical files.

    .venv/bin/python scripts/make_sample.py [--out sample_inputs]

The blemishes put in on purpose are listed in sample_inputs/README.md (written by hand).
"""

from __future__ import annotations

import argparse
import csv
import io
import math
from datetime import datetime
from pathlib import Path

import numpy as np
import xlsxwriter

from scoring.vocabulary import VOCABULARY

SEED = 20211231
YEAR = 2021

COUNTIES = ["东湖区", "西山县", "青石镇", "南溪区", "北岭县", "白沙镇", "柳河县", "松林镇", "云台区", "石门县",
            "桃源镇", "枫桥镇", "江口区", "金桂乡"]
DEPARTMENTS = [
    ("市发展和改革委员会", "市发改委|发改委"), ("市教育局", ""), ("市公安局", ""), ("市财政局", ""),
    ("市自然资源和规划局", "市自然资源局"), ("市生态环境局", "市环境局"), ("市住房和城乡建设局", "市住建局"),
    ("市交通运输局", "市交通局"), ("市水利局", ""), ("市农业农村局", "市农业局"), ("市商务局", ""),
    ("市文化广电旅游局", "市文旅局"), ("市卫生健康委员会", "市卫健委"), ("市市场监督管理局", "市市场监管局"),
    ("市医疗保障局", "市医保局"), ("市公共资源交易中心", "市交易中心"), ("市人力资源和社会保障局", "市人社局"),
    ("市民政局", ""), ("市司法局", ""), ("市应急管理局", "市应急局"), ("市统计局", ""), ("市审计局", ""),
    ("市林业局", ""), ("市退役军人事务局", "市退役军人局"), ("市科学技术局", "市科技局"),
    ("市工业和信息化局", "市工信局"), ("市体育局", ""), ("市城市管理局", "市城管局"), ("市信访局", ""),
    ("市档案馆", ""),
]
BUSY = "市公共资源交易中心"  # publishes tens of thousands of procurement notices a year

# Metrics outside the vocabulary, named in headers as "中文(id)".
EXTRA_NAMES = {"applications_on_time": "按时答复", "evaluation_score": "第三方评估得分",
               "media_score": "政务新媒体检查得分", "demo_sites": "示范点创建",
               "highlights": "工作亮点", "site_down": "网站无法访问"}
ADDITIVE = ["proactive_items", "policy_interpretations", "responses_to_concerns", "applications_received",
            "applications_overdue", "reconsiderations", "reconsiderations_corrected", "lawsuits",
            "lawsuits_corrected", "trainings", "trainees", "consultations", "proposals_handled",
            "late_publications", "leaks"]
METRIC_ORDER = [*VOCABULARY, "applications_on_time", "evaluation_score", "media_score", "demo_sites", "highlights",
                "site_down"]

# Blemishes (see sample_inputs/README.md)
ALIAS_WRITTEN = ("市发展和改革委员会", "市发改委")  # 2021Q4 metrics.csv uses the alias
SPACED_NAME = ("西山县", "西山县\u3000")  # 2021Q4 metrics.csv: trailing full-width space
APPROX_UNITS = {"市教育局": "余", "东湖区": "余", "市交通运输局": "多"}
NO_APPLICATIONS = "市体育局"  # applications_received = 0 in 2021Q4
VETOED = "松林镇"  # site_down = 1 in 2021Q4
NO_EVALUATION = "市档案馆"  # missing from the 2021Q4 assessment workbook
TEXT_SCORES = ("北岭县", "市水利局")  # scores stored as text in the workbook
CONFLICT = "市财政局"  # 补报.csv gives another proactive_items value
SAME_AGAIN = "东湖区"  # 补报.csv repeats its policy_interpretations value (no issue)
GAP_UNITS = ("市统计局", "枫桥镇")  # no 工作动态 from mid-October to late December
# 2021Q4 metrics.csv cells left as offices leave them: a blank 政策解读 (missing: scored 0, warned), a
# 不适用 claim for 建议提案办理 (left out and rescaled, listed), a blank fault count (blank: zero)
Q4_WRITTEN = {("市民政局", "policy_interpretations"): "", ("市信访局", "proposals_handled"): "不适用",
              ("市林业局", "late_publications"): ""}

CATEGORIES = ["工作动态", "通知公告", "政策文件", "政策解读", "人事信息", "财政信息"]
CATEGORY_SHARE = [0.42, 0.24, 0.08, 0.07, 0.09, 0.10]
TOPICS = ["安全生产", "防汛抗旱", "乡村振兴", "营商环境", "疫情防控", "文明创建", "森林防火", "河长制",
          "民生实事", "垃圾分类", "减税降费", "稳岗就业"]
TITLES = {
    "工作动态": ["召开{t}专题会议", "开展{t}督查", "{t}推进会召开", "部署{t}工作"],
    "通知公告": ["关于{t}的通知", "{t}公告", "关于做好{t}的通告"],
    "政策文件": ["{t}实施方案", "{t}管理办法", "关于加强{t}的意见"],
    "政策解读": ["《{t}实施方案》解读", "图解{t}管理办法"],
    "人事信息": ["干部任前公示", "公开招聘公告", "人事任免通知"],
    "财政信息": ["部门预算公开", "部门决算公开", "{t}资金分配情况"],
}
BUSY_TITLES = ["{t}项目招标公告", "{t}项目中标结果公示", "{t}采购公告"]
PROJECTS = ["道路改造", "学校修缮", "设备采购", "绿化养护", "物业服务", "管网更新", "信息化建设", "河道整治"]


def units() -> list[dict[str, str]]:
    rows = [{"unit_id": f"C{i:02d}", "name": n, "class": "county", "aliases": ""} for i, n in enumerate(COUNTIES, 1)]
    rows += [{"unit_id": f"D{i:02d}", "name": n, "class": "dept", "aliases": a}
             for i, (n, a) in enumerate(DEPARTMENTS, 1)]
    return rows


def annual(rng: np.random.Generator, unit_rows: list[dict[str, str]]) -> dict[str, dict[str, float]]:
    """Annual values per unit name, in realistic ranges (see shared DOMAIN notes)."""
    out: dict[str, dict[str, float]] = {}
    for u in unit_rows:
        county = u["class"] == "county"
        v: dict[str, float] = {}
        if u["name"] == BUSY:
            v["proactive_items"] = float(rng.integers(50_000, 54_000))
        elif county:
            v["proactive_items"] = float(rng.integers(2_400, 4_400))
        else:
            v["proactive_items"] = float(np.clip(round(rng.lognormal(5.2, 0.8)), 15, 700))
        v["policy_interpretations"] = float(rng.integers(4, 60 if county else 30))
        v["responses_to_concerns"] = float(rng.integers(2, 50 if county else 25))
        v["applications_received"] = float(rng.integers(8, 120) if county else rng.integers(4, 40))
        v["applications_carried_over"] = float(rng.integers(0, 5))
        v["applications_overdue"] = float(rng.choice([0, 0, 0, 0, 1, 2]))
        v["reconsiderations"] = float(rng.choice([0, 0, 1, 1, 2, 3]))
        v["reconsiderations_corrected"] = float(min(v["reconsiderations"], rng.choice([0, 0, 0, 0, 1])))
        v["lawsuits"] = float(rng.choice([0, 0, 0, 1, 2]))
        v["lawsuits_corrected"] = float(min(v["lawsuits"], rng.choice([0, 0, 0, 0, 1])))
        v["trainings"] = float(rng.integers(2, 10))
        v["trainees"] = float(v["trainings"] * rng.integers(15, 70))
        v["fulltext_rate"] = float(round(rng.uniform(92, 100), 1))
        v["consultations"] = float(rng.integers(20, 800))
        v["proposals_handled"] = float(rng.integers(0, 60))
        v["staff_fulltime"] = float(rng.integers(1, 4))
        v["staff_parttime"] = float(rng.integers(1, 10))
        v["spending"] = float(round(rng.uniform(2, 50), 1))
        v["late_publications"] = float(rng.choice([0, 0, 0, 0, 1, 2, 3, 5]))
        v["leaks"] = 0.0
        v["report_similarity"] = float(round(rng.uniform(0.08, 0.55), 2))
        v["evaluation_score"] = float(round(rng.uniform(68, 97), 1))
        v["media_score"] = float(round(rng.uniform(60, 98), 1)) if county else math.nan  # counties only: "—"
        v["demo_sites"] = float(rng.choice([0] * 8 + [1, 2]))
        v["highlights"] = float(rng.choice([0, 0, 1, 1, 2, 3]))
        v["site_down"] = 0.0
        out[u["name"]] = v
    for name in ("市审计局", "金桂乡"):  # two reports copied from earlier years
        out[name]["report_similarity"] = 0.93
    return out


def quarter(rng: np.random.Generator, year_values: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """A quarter's values: additive counts are a share of the year, rates and staff stay."""
    out: dict[str, dict[str, float]] = {}
    for name, v in year_values.items():
        q = dict(v)
        for metric in ADDITIVE:
            q[metric] = float(round(v[metric] * rng.uniform(0.2, 0.3)))
        q["applications_received"] = max(q["applications_received"], 1.0)  # only NO_APPLICATIONS has none
        q["trainees"] = q["trainees"] if q["trainings"] else 0.0
        q["applications_carried_over"] = float(rng.integers(0, 3))
        q["spending"] = round(v["spending"] * rng.uniform(0.2, 0.3), 1)
        q["evaluation_score"] = float(round(np.clip(v["evaluation_score"] + rng.normal(0, 3), 55, 99), 1))
        q["media_score"] = float(round(np.clip(v["media_score"] + rng.normal(0, 4), 50, 100), 1))
        q["demo_sites"] = float(rng.choice([0] * 8 + [1, 2]))
        q["highlights"] = float(rng.choice([0, 0, 0, 1, 1, 2]))
        out[name] = q
    for q in out.values():
        _applications(rng, q)
    return out


def _applications(rng: np.random.Generator, v: dict[str, float]) -> None:
    """Keep the report identity: received + carried over = completed + carried forward."""
    pending = v["applications_received"] + v["applications_carried_over"]
    v["applications_carried_forward"] = float(min(pending, rng.choice([0, 0, 0, 1, 2])))
    v["applications_completed"] = pending - v["applications_carried_forward"]
    v["applications_overdue"] = min(v["applications_overdue"], v["applications_received"])
    answered = min(v["applications_received"], v["applications_completed"])
    v["applications_on_time"] = max(answered - v["applications_overdue"], 0.0)


def text(value: float) -> str:
    if math.isnan(value):
        return "—"  # not applicable
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def header(metric: str, style: str) -> str:
    if style == "id":
        return metric
    if metric in EXTRA_NAMES:
        return f"{EXTRA_NAMES[metric]}({metric})"
    term = VOCABULARY[metric]
    return f"{term.name}({term.unit})" if style == "chinese_units" and term.unit in ("条", "件", "人次", "万元") \
        else term.name


def wide_rows(values: dict[str, dict[str, float]], metrics: list[str], unit_header: str, style: str,
              written: dict[str, str] | None = None,
              cells: dict[tuple[str, str], str] | None = None) -> list[list[str]]:
    written, cells = written or {}, cells or {}
    rows = [[unit_header, *(header(m, style) for m in metrics)]]
    for name, v in values.items():
        rows.append([written.get(name, name), *(cells.get((name, m), text(v[m])) for m in metrics)])
    return rows


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_assessment(path: Path, values: dict[str, dict[str, float]]) -> None:
    """XLSX with a merged title row above the header; some scores stored as text."""
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"title": "第三方评估结果", "author": "临江市政务公开办", "created": datetime(2022, 1, 10)})
    sheet = book.add_worksheet("评估结果")
    title = book.add_format({"bold": True, "align": "center", "font_size": 14})
    sheet.merge_range(0, 0, 0, 2, f"临江市{YEAR}年第四季度政府网站第三方评估结果", title)
    sheet.write_row(2, 0, ["单位名称", header("evaluation_score", "chinese"), "备注"])
    row = 3
    for name, v in values.items():
        if name == NO_EVALUATION:
            continue
        sheet.write_string(row, 0, name)
        if name in TEXT_SCORES:
            sheet.write_string(row, 1, text(v["evaluation_score"]))
        else:
            sheet.write_number(row, 1, v["evaluation_score"])
        sheet.write_string(row, 2, "网站无法访问" if name == VETOED else "")
        row += 1
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 2, 18)
    book.close()


def q4_cells(values: dict[str, dict[str, float]]) -> dict[tuple[str, str], str]:
    cells: dict[tuple[str, str], str] = {}
    for name, mark in APPROX_UNITS.items():
        n = values[name]["proactive_items"]
        cells[(name, "proactive_items")] = f"{int(n // 10 * 10)}{mark}"
    busy = values[BUSY]["proactive_items"]
    cells[(BUSY, "proactive_items")] = f"{busy / 10_000:.1f}万"
    return cells | Q4_WRITTEN


def records(rng: np.random.Generator, unit_rows: list[dict[str, str]], year_values: dict[str, dict[str, float]]
            ) -> list[list[str]]:
    start = np.datetime64(f"{YEAR}-01-01")
    days = np.arange(start, np.datetime64(f"{YEAR + 1}-01-01"))
    weekday = (days.astype("int64") + 3) % 7 < 5  # 1970-01-01 was a Thursday
    day_weight = np.where(weekday, 1.0, 0.15)
    day_weight /= day_weight.sum()
    gap_from, gap_to = np.datetime64(f"{YEAR}-10-12"), np.datetime64(f"{YEAR}-12-21")
    parts = []
    for u in unit_rows:
        name = u["name"]
        n = int(year_values[name]["proactive_items"] * rng.uniform(0.9, 1.05))
        share = [0.06, 0.88, 0.01, 0.01, 0.02, 0.02] if name == BUSY else CATEGORY_SHARE
        cat = rng.choice(len(CATEGORIES), size=n, p=share)
        when = np.sort(rng.choice(days, size=n, p=day_weight))
        if name in GAP_UNITS:
            keep = ~((cat == 0) & (when >= gap_from) & (when < gap_to))
            cat, when = cat[keep], when[keep]
        for c, d in zip(cat, when):
            category = CATEGORIES[c]
            pool = BUSY_TITLES if name == BUSY and category == "通知公告" else TITLES[category]
            topic = PROJECTS if name == BUSY else TOPICS
            title = pool[rng.integers(len(pool))].format(t=topic[rng.integers(len(topic))])
            due = ""
            if category in ("政策文件", "财政信息") or (category == "人事信息" and rng.random() < 0.5):
                lag = int(rng.integers(1, 20)) if rng.random() < 0.12 else -int(rng.integers(0, 15))
                due = str(d - lag)  # a positive lag: published after the due date
            parts.append((str(d), u["unit_id"], category, title, due))
    parts.sort(key=lambda r: (r[0], r[1]))
    return [["单位", "发布日期", "栏目", "标题", "应公开日期"], *([p[1], p[0], p[2], p[3], p[4]] for p in parts)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "sample_inputs")
    out = parser.parse_args().out
    rng = np.random.default_rng(SEED)
    unit_rows = units()
    year_values = annual(rng, unit_rows)
    for v in year_values.values():
        _applications(rng, v)
    q3 = quarter(rng, year_values)
    q4 = quarter(rng, year_values)
    q4[NO_APPLICATIONS].update(applications_received=0.0, applications_overdue=0.0, applications_on_time=0.0,
                               applications_carried_forward=0.0)
    q4[NO_APPLICATIONS]["applications_completed"] = q4[NO_APPLICATIONS]["applications_carried_over"]
    q4[VETOED]["site_down"] = 1.0

    write_csv(out / "units.csv", [["unit_id", "name", "class", "aliases"], *([u["unit_id"], u["name"], u["class"],
                                                                             u["aliases"]] for u in unit_rows)])
    write_csv(out / f"{YEAR}" / "metrics.csv", wide_rows(year_values, METRIC_ORDER, "单位名称", "chinese"))
    write_csv(out / f"{YEAR}Q3" / "metrics.csv", wide_rows(q3, METRIC_ORDER, "unit", "id"))
    q4_metrics = [m for m in METRIC_ORDER if m != "evaluation_score"]
    write_csv(out / f"{YEAR}Q4" / "metrics.csv",
              wide_rows(q4, q4_metrics, "单位名称", "chinese_units", dict([ALIAS_WRITTEN, SPACED_NAME]), q4_cells(q4)),
              encoding="gbk")
    write_assessment(out / f"{YEAR}Q4" / "第三方评估.xlsx", q4)
    conflict = q4[CONFLICT]["proactive_items"] + 37
    write_csv(out / f"{YEAR}Q4" / "补报.csv", [
        ["单位", "指标", "数值", "来源"],
        [CONFLICT, "主动公开政府信息", text(conflict), "市财政局补报说明"],
        [SAME_AGAIN, "政策解读", text(q4[SAME_AGAIN]["policy_interpretations"]), "东湖区补报说明"],
    ])
    write_csv(out / f"{YEAR}" / "records.csv", records(rng, unit_rows, year_values))
    write_performance(out, unit_rows)


PERFORMANCE = {"perf_economy": "重点任务完成情况得分", "perf_services": "公共服务评价得分", "perf_party": "党建工作考核得分"}


def write_performance(out: Path, unit_rows: list[dict[str, str]]) -> None:
    """Other performance-assessment scores (for criteria/gov_performance_2021.yaml), one file a period.

    A generator of its own, so adding these files left every other sample value unchanged.
    """
    rng = np.random.default_rng(SEED + 1)
    for period in (f"{YEAR}", f"{YEAR}Q3", f"{YEAR}Q4"):
        rows = [["单位名称", *(f"{name}({mid})" for mid, name in PERFORMANCE.items())]]
        for u in unit_rows:
            rows.append([u["name"], *(text(round(float(rng.uniform(70, 98)), 1)) for _ in PERFORMANCE)])
        write_csv(out / period / "绩效考核.csv", rows)


if __name__ == "__main__":
    main()
