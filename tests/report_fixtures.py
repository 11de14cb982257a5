"""A small Result built by hand, following scoring/result.py column by column.

Two classes, six units, two first-level indicators of two leaves each, a bonus, a penalty, a
veto, a tie, a unit whose name looks like a formula, data issues, and the previous quarter.

Scores worked out by hand (leaves: volume 30, interpretation 30 | on_time 25, corrected 15):

    unit  name                 vol  int   on    cor   base   bonus  pen  total  veto  class_rank rank
    c1    东城区                30   24    25    9     88     2      0    90            1          2
    c2    西城区                30   30    20    15    95     0      5    90            1          2
    c3    =HYPERLINK("x")      20   18    25    12    75     0      0    75            3          5
    d1    市教育局              25   27    25    15    92     0      0    92            1          1
    d2    市财政局              20   21    22.5  12    75.5   0      0    75.5          2          4
    d3    市卫健委              30   30    25    15    100    0      0    100    yes  3          6

Previous quarter (2021Q3) class ranks: c2 1 (88), c1 2 (80); d2 1 (85), d1 2 (80), d3 3 (70);
c3 is new. Rank changes: c1 ↑1, c2 —, c3 新, d1 ↑1, d2 ↓1, d3 —.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from scoring.issues import DataIssue
from scoring.periods import Period
from scoring.result import Result, Step
from scoring.scheme.model import Bonus, Grade, Indicator, Item, Scheme, UnitClass, Veto

FORMULA_NAME = '=HYPERLINK("x")'
GENERATED_AT = datetime(2022, 1, 10, 9, 30, 0)

UNITS = [  # unit_id, name, class
    ("c1", "东城区", "county"),
    ("c2", "西城区", "county"),
    ("c3", FORMULA_NAME, "county"),
    ("d1", "市教育局", "dept"),
    ("d2", "市财政局", "dept"),
    ("d3", "市卫健委", "dept"),
]
CLASS_NAMES = {"county": "县区政府", "dept": "市直部门"}

# Leaf points and values per unit: (points, value, value_text, approx)
LEAVES = {
    "c1": {"volume": (30, 665, "665条", False), "interpretation": (24, 16, "16条", False),
           "on_time": (25, 1.0, "100.00%", False), "corrected": (9, 2, "2件", False)},
    "c2": {"volume": (30, 600, "600余条", True), "interpretation": (30, 20, "20条", False),
           "on_time": (20, 0.96, "96.00%", False), "corrected": (15, 0, "0件", False)},
    "c3": {"volume": (20, 120, "120条", False), "interpretation": (18, 12, "12条", False),
           "on_time": (25, np.nan, "无申请", False), "corrected": (12, 1, "1件", False)},
    "d1": {"volume": (25, 350, "350", True), "interpretation": (27, 18, "18条", False),
           "on_time": (25, 1.0, "100.00%", False), "corrected": (15, 0, "0件", False)},
    "d2": {"volume": (20, 80, "80条", False), "interpretation": (21, 14, "14条", False),
           "on_time": (22.5, 0.98, "98.00%", False), "corrected": (12, 1, "1件", False)},
    "d3": {"volume": (30, 900, "900条", False), "interpretation": (30, 25, "25条", False),
           "on_time": (25, 1.0, "100.00%", False), "corrected": (15, 0, "0件", False)},
}
TOTALS = {  # base, bonus, penalty, total, vetoed, grade, rank, class_rank
    "c1": (88.0, 2.0, 0.0, 90.0, False, "优秀", 2, 1),
    "c2": (95.0, 0.0, 5.0, 90.0, False, "优秀", 2, 1),
    "c3": (75.0, 0.0, 0.0, 75.0, False, "合格", 5, 3),
    "d1": (92.0, 0.0, 0.0, 92.0, False, "优秀", 1, 1),
    "d2": (75.5, 0.0, 0.0, 75.5, False, "合格", 4, 2),
    "d3": (100.0, 0.0, 0.0, 100.0, True, "不合格", 6, 3),
}
PREVIOUS = {  # total, rank, class_rank (2021Q3)
    "c1": (80.0, 3, 2),
    "c2": (88.0, 1, 1),
    "d1": (80.0, 3, 2),
    "d2": (85.0, 2, 1),
    "d3": (70.0, 5, 3),
}
VETO_REASON = "泄密等严重问题"


def make_scheme() -> Scheme:
    proactive = Indicator(
        id="proactive", name="主动公开", points=60,
        children=(
            Indicator(id="volume", name="信息发布数量", points=30, metric="proactive_items",
                      rule={"type": "bands", "bands": [{"min": 500, "points": 30}, {"min": 200, "points": 25},
                                                        {"min": 50, "points": 20}], "else": 10}),
            Indicator(id="interpretation", name="政策解读", points=30, metric="policy_interpretations",
                      rule={"type": "linear", "zero_at": 0, "full_at": 20}),
        ),
    )
    applications = Indicator(
        id="applications", name="依申请公开", points=40,
        children=(
            Indicator(id="on_time", name="按时答复", points=25, metric="on_time_rate", when_undefined="full",
                      rule={"type": "linear", "zero_at": 0.8, "full_at": 1.0}),
            Indicator(id="corrected", name="复议纠错", points=15, metric="reconsiderations_corrected",
                      rule={"type": "deduct", "each": 3}),
        ),
    )
    return Scheme(
        id="test-openness", name="2021年度政务公开工作考评", version="2021.1", total=100, precision=2,
        classes=(UnitClass(id="county", name="县区政府"), UnitClass(id="dept", name="市直部门")),
        grades=(Grade(label="优秀", min=90), Grade(label="良好", min=80), Grade(label="合格", min=60),
                Grade(label="不合格", min=0)),
        indicators=(proactive, applications),
        bonus=Bonus(cap=5, items=(Item(id="demo_site", name="示范点创建", metric="demo_sites",
                                       rule={"type": "per_item", "each": 2}),)),
        penalties=(Item(id="copied_report", name="年报雷同", metric="report_similarity",
                        rule={"type": "bands", "bands": [{"min": 0.9, "points": -5}], "else": 0}),),
        vetoes=(Veto(id="leak", name=VETO_REASON, metric="leaks", when="> 0", effect="fail"),),
        source="/criteria/test_openness.yaml", sha256="ab" * 32, sources=("/criteria/test_openness.yaml",),
    )


def _units() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_id": [u for u, _, _ in UNITS],
            "name": [n for _, n, _ in UNITS],
            "class": [c for _, _, c in UNITS],
            "class_name": [CLASS_NAMES[c] for _, _, c in UNITS],
        }
    )


def _details(scheme: Scheme) -> pd.DataFrame:
    leaves = {leaf.id: leaf for leaf in scheme.leaves()}
    group_of = {leaf.id: ind for ind in scheme.indicators for leaf in ind.leaves()}
    rows = []
    for unit_id, items in LEAVES.items():
        for item_id, (points, value, text, approx) in items.items():
            leaf, group = leaves[item_id], group_of[item_id]
            rows.append({
                "unit_id": unit_id, "kind": "indicator", "item_id": item_id, "item_name": leaf.title,
                "path": f"{group.title} / {leaf.title}", "group_id": group.id, "metric": leaf.metric,
                "value": value, "value_text": text, "approx": approx,
                "status": "undefined" if np.isnan(value) else "ok",
                "rule_text": f"{leaf.title}规则", "points": float(points), "max_points": float(leaf.points),
                "explanation": f"{leaf.title} {text} → {points:g}/{leaf.points:g}",
            })
        demo = 1.0 if unit_id == "c1" else 0.0
        similarity = 0.95 if unit_id == "c2" else 0.1
        leaks = 1.0 if unit_id == "d3" else 0.0
        rows += [
            {"unit_id": unit_id, "kind": "bonus", "item_id": "demo_site", "item_name": "示范点创建",
             "path": "加分项 / 示范点创建", "group_id": "", "metric": "demo_sites", "value": demo,
             "value_text": f"{demo:g}个", "approx": False, "status": "ok", "rule_text": "每个加2分",
             "points": 2 * demo, "max_points": 5.0, "explanation": f"示范点 {demo:g} 个 × 2 → 加 {2 * demo:g} 分"},
            {"unit_id": unit_id, "kind": "penalty", "item_id": "copied_report", "item_name": "年报雷同",
             "path": "扣分项 / 年报雷同", "group_id": "", "metric": "report_similarity", "value": similarity,
             "value_text": f"{similarity:g}", "approx": False, "status": "ok", "rule_text": "雷同度 ≥0.9 扣5分",
             "points": -5.0 if similarity >= 0.9 else 0.0, "max_points": 0.0,
             "explanation": "年报雷同度 0.95 ≥ 0.9 → 扣 5 分" if similarity >= 0.9 else "年报雷同度低于 0.9,不扣分"},
            {"unit_id": unit_id, "kind": "veto", "item_id": "leak", "item_name": VETO_REASON,
             "path": f"否决项 / {VETO_REASON}", "group_id": "", "metric": "leaks", "value": leaks,
             "value_text": f"{leaks:g}件", "approx": False, "status": "ok", "rule_text": "大于0即否决",
             "points": 0.0, "max_points": 0.0,
             "explanation": "发生泄密 1 件 → 单项否决,等次为不合格" if leaks else "未发生,不否决"},
        ]
    return pd.DataFrame(rows)


def _groups(scheme: Scheme) -> pd.DataFrame:
    rows = []
    for unit_id, items in LEAVES.items():
        for ind in scheme.indicators:
            earned = sum(items[leaf.id][0] for leaf in ind.leaves())
            rows.append({"unit_id": unit_id, "group_id": ind.id, "group_name": ind.title, "raw": float(earned),
                         "points": float(earned), "max_points": float(ind.points)})
    return pd.DataFrame(rows)


def _totals() -> pd.DataFrame:
    rows = []
    for unit_id, name, cls in UNITS:
        base, bonus, penalty, total, vetoed, grade, rank, class_rank = TOTALS[unit_id]
        rows.append({
            "unit_id": unit_id, "name": name, "class": cls, "class_name": CLASS_NAMES[cls], "base": base,
            "max_base": 100.0, "rescale": 1.0, "rescaled": base, "bonus_raw": bonus, "bonus": bonus,
            "penalty": penalty, "total": total, "vetoed": vetoed, "veto_effect": "fail" if vetoed else "",
            "veto_reasons": VETO_REASON if vetoed else "", "grade": grade, "demoted": False,
            "rank": rank, "class_rank": class_rank,
        })
    return pd.DataFrame(rows).set_index("unit_id")


def _inputs() -> pd.DataFrame:
    rows = []
    for i, (unit_id, items) in enumerate(LEAVES.items()):
        for metric, name, leaf in (("proactive_items", "主动公开政府信息", "volume"),
                                   ("policy_interpretations", "政策解读", "interpretation")):
            _, value, text, approx = items[leaf]
            rows.append({"unit_id": unit_id, "metric": metric, "metric_name": name, "value": float(value),
                         "raw": text, "approx": approx, "source": "metrics.csv", "row": i + 2,
                         "column": name, "evidence": ""})
    rows[2]["evidence"] = "全年主动公开政府信息600余条,其中政策解读20条。"
    rows[2]["source"] = "西城区2021年报.txt"
    return pd.DataFrame(rows)


ISSUES = (
    DataIssue("warning", "数值“600余条”为约数,按 600 计", file="metrics.csv", row=3, column="主动公开政府信息",
              unit="c2", metric="proactive_items"),
    DataIssue("error", "本年新收与上年结转之和不等于办理结果总计与结转下年度之和", file="metrics.csv", row=5,
              unit="d2", metric="applications_received"),
)
LOG = (
    Step("veto", "市卫健委发生泄密等严重问题,单项否决,等次为不合格", unit_id="d3", item_id="leak"),
    Step("bonus", "东城区加分 2 分,未超过上限 5 分", unit_id="c1", item_id="demo_site"),
)


def make_result(issues: tuple[DataIssue, ...] = ISSUES) -> Result:
    scheme = make_scheme()
    return Result(
        scheme=scheme, period=Period.parse("2021Q4"), units=_units(), details=_details(scheme),
        groups=_groups(scheme), totals=_totals(), inputs=_inputs(), issues=issues, log=LOG,
        generated_at=GENERATED_AT,
    )


def make_previous() -> Result:
    """The previous quarter: only totals matter for the comparison; other tables are empty."""
    current = make_result()
    totals = current.totals.loc[list(PREVIOUS)].copy()
    totals["total"] = [PREVIOUS[u][0] for u in totals.index]
    totals["rank"] = [PREVIOUS[u][1] for u in totals.index]
    totals["class_rank"] = [PREVIOUS[u][2] for u in totals.index]
    return Result(
        scheme=current.scheme, period=Period.parse("2021Q3"), units=current.units.iloc[:0],
        details=current.details.iloc[:0], groups=current.groups.iloc[:0], totals=totals,
        inputs=current.inputs.iloc[:0], issues=(), log=(), generated_at=datetime(2021, 10, 8, 9, 0, 0),
    )


def make_large_result(n_units: int, items_per_unit: int) -> Result:
    """A synthetic Result of any size, built vectorised (for limits and timing, not for values)."""
    scheme = make_scheme()
    ids = np.array([f"u{i:05d}" for i in range(n_units)])
    classes = np.where(np.arange(n_units) % 2 == 0, "county", "dept")
    units = pd.DataFrame({"unit_id": ids, "name": [f"单位{i}" for i in range(n_units)], "class": classes,
                          "class_name": pd.Series(classes).map(CLASS_NAMES).to_numpy()})
    leaf_ids = [leaf.id for leaf in scheme.leaves()]
    n = n_units * items_per_unit
    unit_of = np.repeat(ids, items_per_unit)
    item = np.tile(np.arange(items_per_unit), n_units)
    leaf_of = np.array(leaf_ids)[item % len(leaf_ids)]
    group_of = np.where(np.isin(leaf_of, ["volume", "interpretation"]), "proactive", "applications")
    points = (np.arange(n) % 15).astype(float)
    details = pd.DataFrame({
        "unit_id": unit_of, "kind": "indicator",
        "item_id": np.where(item < len(leaf_ids), leaf_of, np.char.add("extra", item.astype(str))),
        "item_name": leaf_of, "path": np.char.add("主动公开 / ", leaf_of), "group_id": group_of,
        "metric": "proactive_items", "value": points * 10, "value_text": np.char.add((points * 10).astype(str), "条"),
        "approx": item % 7 == 0, "status": "ok", "rule_text": "≥500条得满分,≥200条得25分",
        "points": points, "max_points": 30.0,
        "explanation": np.char.add(np.char.add("主动公开信息 ", (points * 10).astype(str)), " 条 → 按档次得分"),
    })
    total = (np.arange(n_units) * 7919 % 10000) / 100.0
    rank = pd.Series(-total).rank(method="min").astype(int).to_numpy()
    class_rank = pd.Series(-total).groupby(classes).rank(method="min").astype(int).to_numpy()
    totals = pd.DataFrame({
        "name": units["name"].to_numpy(), "class": classes, "class_name": units["class_name"].to_numpy(),
        "base": total, "max_base": 100.0, "rescale": 1.0, "rescaled": total, "bonus_raw": 0.0, "bonus": 0.0,
        "penalty": 0.0, "total": total, "vetoed": False, "veto_effect": "", "veto_reasons": "",
        "grade": np.where(total >= 60, "合格", "不合格"), "demoted": False, "rank": rank, "class_rank": class_rank,
    }, index=pd.Index(ids, name="unit_id"))
    groups = pd.DataFrame({
        "unit_id": np.repeat(ids, 2), "group_id": np.tile(["proactive", "applications"], n_units),
        "group_name": np.tile(["主动公开", "依申请公开"], n_units), "raw": np.repeat(total / 2, 2),
        "points": np.repeat(total / 2, 2), "max_points": np.tile([60.0, 40.0], n_units),
    })
    inputs = pd.DataFrame({
        "unit_id": ids, "metric": "proactive_items", "metric_name": "主动公开政府信息", "value": total * 10,
        "raw": np.char.add((total * 10).astype(str), "条"), "approx": False, "source": "metrics.csv",
        "row": np.arange(n_units) + 2, "column": "主动公开政府信息", "evidence": "",
    })
    return Result(scheme=scheme, period=Period.parse("2021Q4"), units=units, details=details, groups=groups,
                  totals=totals, inputs=inputs, issues=(), log=(), generated_at=GENERATED_AT)
