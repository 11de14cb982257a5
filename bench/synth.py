"""Synthetic input folders and criteria for the benchmark: the same bytes for the same seed.

A folder holds what an office hands to `score`: `units.csv`, a wide metrics file per quarter
(`2021Q3/` for the comparison, `2021Q4/` for the run) and a year of publication records in
`2021/` (one `records.csv`, or one file per month beyond a million records). Values have the
shapes seen in real reports: skewed counts, a few approximate values ("600余"), "—" where a
metric does not apply, a few empty cells.

Without records (the nation scale) the record metrics are reported directly as metric columns,
as a national platform's statistics would be; the engine then uses them as given.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import yaml

from bench.scales import QUICK, SCALES, Scale

YEAR = 2021
RUN, PREVIOUS = "2021Q4", "2021Q3"
S = np.dtypes.StringDType()

SYLLABLES_A = list("东西南北青白金银石云桃柳松梅江河湖山川林平安长永宁兴华新丰泰和顺龙凤鹤阳春清明秀德仁")
SYLLABLES_B = list("城溪岭桥口沙门台原州坪塘湾港岗坝庄集店铺垣亭阁泉池渡浦滩峰谷洲关屯营堡寨坊")
DEPARTMENTS = [
    "发展和改革委员会", "教育局", "公安局", "财政局", "自然资源和规划局", "生态环境局", "住房和城乡建设局",
    "交通运输局", "水利局", "农业农村局", "商务局", "文化广电旅游局", "卫生健康委员会", "市场监督管理局",
    "医疗保障局", "公共资源交易中心", "人力资源和社会保障局", "民政局", "司法局", "应急管理局", "统计局",
    "审计局", "林业局", "退役军人事务局", "科学技术局", "工业和信息化局", "体育局", "城市管理局", "信访局",
    "档案馆", "税务局", "气象局", "粮食和物资储备局", "机关事务管理局", "地方金融监督管理局", "乡村振兴局",
    "行政审批局", "数据资源管理局", "国有资产监督管理委员会", "人民防空办公室",
]
CATEGORIES = ["工作动态", "通知公告", "政策文件", "政策解读", "回应关切", "人事信息", "财政信息", "招标采购"]
CATEGORY_SHARES = [0.36, 0.2, 0.1, 0.08, 0.05, 0.05, 0.06, 0.1]
DUE_CATEGORIES = ("政策文件", "财政信息")  # items with a statutory publication deadline
TOPICS = [
    "森林防火", "安全生产", "稳岗就业", "减税降费", "乡村振兴", "疫情防控", "防汛抗旱", "营商环境", "垃圾分类",
    "文明城市创建", "耕地保护", "河长制", "扫黑除恶", "双拥工作", "消防安全", "食品安全", "药品监管", "校园安全",
    "养老服务", "医疗救助", "住房保障", "农村公路", "水污染防治", "大气污染防治", "招商引资", "科技创新",
    "人才引进", "政务服务", "信访维稳", "统计调查", "审计整改", "国土绿化", "冬春农田水利", "安全生产月活动",
    "燃气安全", "电动车充电", "老旧小区改造", "义务教育", "职业技能培训", "退役军人服务", "残疾人帮扶",
    "社会救助", "困难群众慰问", "节能减排", "优化营商环境", "数字政府", "政务公开", "法治政府建设",
]
DOC_TYPES = ["的通知", "的通告", "的实施方案", "工作会议召开", "专题培训举办", "的公示", "情况通报", "的答复",
             "的解读", "工作部署"]


# ---- units --------------------------------------------------------------------------------


def unit_table(n: int, classes: list[tuple[str, float]], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """n units with unique Chinese names; `classes` gives (class id, share) in order."""
    two = [a + b for a in SYLLABLES_A for b in SYLLABLES_B]
    three = [p + b for p in two for b in SYLLABLES_B] if n > len(two) else []
    places = np.array(two, dtype=object)
    rng.shuffle(places)
    places = np.concatenate([places, np.array(three, dtype=object)])  # enough for 100,000 unique names
    counts = np.floor(np.array([share for _, share in classes]) * n).astype(int)
    counts[-1] = n - counts[:-1].sum()
    names: list[str] = []
    class_ids: list[str] = []
    for (class_id, _), count in zip(classes, counts):
        names += _names_of(class_id, int(count), places, len(names))
        class_ids += [class_id] * int(count)
    ids = np.array([f"U{i + 1:06d}" for i in range(n)], dtype=object)
    aliases = np.full(n, "", dtype=object)
    short = (np.arange(n) % 7 == 3) & np.array([c == "dept" for c in class_ids])
    aliases[short] = [name.replace("发展和改革委员会", "发改委") + "办公室" for name in np.array(names)[short]]
    return {"unit_id": ids, "name": np.array(names, dtype=object), "class": np.array(class_ids, dtype=object),
            "aliases": aliases}


def _names_of(class_id: str, count: int, places: np.ndarray, offset: int) -> list[str]:
    if class_id == "dept":  # place × department
        return [f"{places[(offset + i) // len(DEPARTMENTS) % len(places)]}市{DEPARTMENTS[i % len(DEPARTMENTS)]}"
                for i in range(count)]
    suffixes = {"county": ("县", "区"), "town": ("镇", "乡", "街道")}[class_id]
    return [f"{places[(offset + i) // len(suffixes) % len(places)]}{suffixes[i % len(suffixes)]}"
            for i in range(count)]


def write_units(folder: Path, units: dict[str, np.ndarray]) -> None:
    lines = ["unit_id,name,class,aliases"]
    lines += [f"{u},{n},{c},{a}" for u, n, c, a in zip(units["unit_id"], units["name"], units["class"], units["aliases"])]
    (folder / "units.csv").write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


# ---- metric values --------------------------------------------------------------------------


def counts(rng: np.random.Generator, n: int, mean: float, spread: float = 0.9) -> np.ndarray:
    return np.round(rng.lognormal(np.log(max(mean, 0.1)), spread, n))


def sample(kind: str, rng: np.random.Generator, n: int, scale: float = 1.0) -> np.ndarray:
    """Values of one metric for n units. `scale` shrinks per-year counts to a quarter."""
    if kind.startswith("count:"):
        return counts(rng, n, float(kind.split(":")[1]) * scale)
    if kind.startswith("rare:"):
        return rng.poisson(float(kind.split(":")[1]), n).astype(float)
    if kind.startswith("flag:"):
        return (rng.random(n) < float(kind.split(":")[1])).astype(float)
    if kind == "percent":
        return np.round(100 - 25 * rng.beta(1, 4, n), 1)
    if kind == "score":
        return np.round(55 + 45 * rng.beta(5, 2, n), 1)
    if kind == "share":
        return np.round(rng.beta(2, 6, n), 2)
    if kind == "days":
        return np.round(rng.gamma(2, 8, n))
    if kind == "months":  # months of a quarter with an update
        return rng.choice([3.0, 3.0, 3.0, 2.0, 1.0, 0.0], n)
    if kind == "rate":
        return np.round(1 - 0.3 * rng.beta(1, 6, n), 3)
    raise ValueError(kind)


def metric_texts(values: np.ndarray, kind: str, not_applicable: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Values as people type them: integers plain, ~1% "约" counts, "—" when not applicable,
    ~0.5% left empty."""
    whole = np.equal(np.mod(values, 1), 0)
    text = np.where(whole, np.nan_to_num(values).astype(np.int64).astype(str), values.round(3).astype(str))
    text = text.astype(object)
    if kind.startswith("count:"):
        approx = (rng.random(len(values)) < 0.01) & (values >= 20)
        text[approx] = [f"{t}余" for t in text[approx]]
    text[rng.random(len(values)) < 0.005] = ""
    text[not_applicable] = "—"
    return text


def write_metrics(path: Path, units: dict[str, np.ndarray], columns: dict[str, np.ndarray]) -> None:
    """A wide CSV: 单位编码 then one column per metric (headers are metric ids or names)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ",".join(["单位编码", *columns])
    body = units["unit_id"].astype(S)
    for values in columns.values():
        body = np.strings.add(np.strings.add(body, ","), values.astype(str).astype(S))
    path.write_text(header + "\n" + "\n".join(body.tolist()) + "\n", encoding="utf-8")


# ---- publication records ----------------------------------------------------------------------


def write_records(path: Path, unit_ids: np.ndarray, n: int, rng: np.random.Generator, monthly: bool) -> None:
    """n records over the year: busy and quiet units, deadlines for some categories, titles
    that are mostly distinct (a topic, a kind of document and an issue number). `monthly`
    writes one file per month (records_2021-01.csv …), as a platform exports a big year.
    Made a month at a time as Arrow columns (each a `take` from its few distinct texts) and
    written by pyarrow's CSV writer: 50,000,000 records in minutes, never all in memory."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path.parent.mkdir(parents=True, exist_ok=True)
    weights = rng.lognormal(0, 1.2, len(unit_ids))
    quiet = rng.random(len(unit_ids)) < 0.05  # these stop publishing after the summer
    loud = np.flatnonzero(~quiet)
    first = np.datetime64(f"{YEAR}-01-01")
    days = (np.datetime64(f"{YEAR}-12-31") - first).astype(int) + 1
    iso = (first + np.arange(days + 20)).astype(str).tolist()
    texts = {
        "unit": pa.array([str(u) for u in unit_ids]),
        "date": pa.array(iso), "written": pa.array([f"{YEAR}年{int(d[5:7])}月{int(d[8:10])}日" for d in iso]),
        "due": pa.array([*iso, ""]), "category": pa.array(CATEGORIES),
        "title": pa.array([("关于" + t if k.startswith("的") else t) + k + f"(第{i}期)"
                           for t in TOPICS for k in DOC_TYPES for i in range(1, 1000)]),
    }
    schema = pa.schema([(name, pa.string()) for name in RECORD_HEADER])
    options = pacsv.WriteOptions(quoting_style="none")  # no text holds a comma, quote or line break
    month_starts = (np.arange(13).astype("datetime64[M]") + (YEAR - 1970) * 12).astype("datetime64[D]") - first
    sizes = np.floor(np.diff(month_starts.astype(int)) / days * n).astype(int)
    sizes[-1] = n - sizes[:-1].sum()
    single = None if monthly else pacsv.CSVWriter(str(path), schema, write_options=options)
    for m, size in enumerate(sizes.tolist()):
        unit = rng.choice(len(unit_ids), size=size, p=weights / weights.sum())
        day = rng.integers(month_starts[m].astype(int), month_starts[m + 1].astype(int), size)
        silent = quiet[unit] & (day >= 260)
        unit[silent] = loud[rng.integers(0, len(loud), int(silent.sum()))]
        order = np.lexsort((unit, day))
        table = _record_table(unit[order], day[order], texts, schema, rng)
        if single is not None:
            single.write_table(table)
        else:
            pacsv.write_csv(table, str(path.with_name(f"{path.stem}_{YEAR}-{m + 1:02d}{path.suffix}")), options)
    if single is not None:
        single.close()


RECORD_HEADER = ("单位编码", "发布日期", "栏目", "标题", "应公开日期")


def _record_table(unit: np.ndarray, day: np.ndarray, texts: dict, schema, rng: np.random.Generator):
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(unit)
    category = rng.choice(len(CATEGORIES), size=n, p=CATEGORY_SHARES)
    odd = rng.random(n) < 0.005  # a few dates typed the Chinese way
    date = pc.if_else(pa.array(odd), texts["written"].take(day), texts["date"].take(day))
    has_due = np.isin(category, [CATEGORIES.index(c) for c in DUE_CATEGORIES]) & (rng.random(n) < 0.9)
    due_day = np.clip(day + rng.integers(-4, 12, n), 0, len(texts["date"]) - 1)
    due = texts["due"].take(np.where(has_due, due_day, len(texts["due"]) - 1))
    title = texts["title"].take(rng.integers(0, len(texts["title"]), n))
    return pa.Table.from_arrays([texts["unit"].take(unit), date, texts["category"].take(category), title, due],
                                schema=schema)


# ---- criteria -----------------------------------------------------------------------------------

# What each metric of the bundled city criteria looks like in a year (counts shrink to a quarter).
BUNDLED_KINDS = {
    "proactive_items": "count:600", "policy_interpretations": "count:20", "responses_to_concerns": "count:14",
    "late_publications": "rare:0.5", "fulltext_rate": "percent", "applications_received": "count:24",
    "applications_on_time": "on_time", "applications_overdue": "rare:0.15", "reconsiderations_corrected": "rare:0.1",
    "lawsuits_corrected": "rare:0.05", "trainings": "count:3", "staff_fulltime": "rare:1.5",
    "proposals_handled": "count:10", "media_score": "score", "evaluation_score": "score", "demo_sites": "rare:0.2",
    "highlights": "rare:0.3", "report_similarity": "share", "leaks": "flag:0.002", "site_down": "flag:0.01",
}
PER_YEAR = ("count:",)
MONTHLY_FROM = 1_000_000  # more records than this are exported one file per month

GROUPS = ["主动公开", "政策解读与回应", "依申请公开", "平台建设", "政务新媒体", "重点领域公开", "政务服务公开",
          "基层政务公开", "组织保障", "第三方评估"]
ASPECTS = ["信息发布数量", "发布及时性", "内容规范性", "栏目维护", "解读回应", "公众参与"]
LEAF_POINTS = [2, 2, 2, 1.5, 1.5, 1]


def _templates(p: float) -> list[tuple[dict, str]]:
    """(rule, value kind) for each rule type that fits a leaf worth p points."""
    return [
        ({"type": "bands", "bands": [{"min": 500, "points": p}, {"min": 200, "points": p * 0.75},
                                     {"min": 50, "points": p / 2}], "else": 0, "per": "year"}, "count:400"),
        ({"type": "linear", "zero_at": 0, "full_at": 40, "per": "year"}, "count:30"),
        ({"type": "deduct", "each": p / 4}, "rare:0.4"),
        ({"type": "per_item", "each": p / 4}, "rare:3"),
        ({"type": "boolean"}, "flag:0.85"),
        ({"type": "rank", "table": [p, p * 0.9, p * 0.8, p * 0.7, p * 0.6], "else": p / 2}, "count:300"),
        ({"type": "rank", "shares": [{"top": 0.2, "points": p}, {"top": 0.5, "points": p * 0.7}], "else": p * 0.4},
         "count:100"),
        ({"type": "relative"}, "count:50"),
        ({"type": "relative", "order": "asc"}, "rare:2"),
        ({"type": "score", "scale": 100}, "score"),
        ({"type": "bands", "bands": [{"max": 14, "points": p}, {"max": 30, "points": p / 2}], "else": 0}, "days"),
        ({"type": "linear", "zero_at": 30, "full_at": 0}, "days"),
    ]


# Leaves that read the record metrics, a ratio, expressions and vocabulary metrics instead of
# a metric of their own: leaf position → (metric id, template position).
SPECIAL_LEAVES = {
    0: ("proactive_items", 0), 1: ("news_items", 0), 6: ("policy_interpretations", 1), 9: ("max_update_gap_days", 10),
    10: ("days_since_update", 11), 13: ("on_time_rate", 1), 14: ("applications_overdue", 2),
    15: ("corrections", 2), 19: ("months_with_updates", 1), 20: ("on_time_share", 1), 25: ("interpretation_ratio", 7),
    26: ("late_publications", 2), 33: ("trainings", 3), 40: ("staff_fulltime", 4), 52: ("proposals_handled", 7),
}
RECORD_METRICS = {  # id → (records spec, value kind when reported directly)
    "news_items": ({"measure": "count", "where": {"category": "工作动态"}}, "count:150"),
    "max_update_gap_days": ({"measure": "max_gap_days", "where": {"category": "工作动态"}}, "days"),
    "days_since_update": ({"measure": "days_since_last"}, "days"),
    "months_with_updates": ({"measure": "months_with_updates"}, "months"),
    "on_time_share": ({"measure": "on_time_share", "where": {"category": list(DUE_CATEGORIES)}}, "rate"),
}


def generated_scheme() -> tuple[dict, dict[str, str]]:
    """A province-style scheme with 60 leaves using every rule type that fits (all but `scheme`),
    classes with exclusions, grade quotas, tie-breaks, records/ratio/expr metrics, bonus,
    penalties and vetoes. Returns the YAML document and the value kind of each raw metric."""
    kinds: dict[str, str] = {"applications_received": "count:30", "applications_on_time": "on_time",
                             "reconsiderations_corrected": "rare:0.1", "lawsuits_corrected": "rare:0.05",
                             "policy_interpretations": "count:30", "proactive_items": "count:600",
                             "demo_sites": "rare:0.2", "highlights": "rare:0.3", "report_similarity": "share",
                             "leaks": "flag:0.001", "site_down": "flag:0.005", "annual_report_late": "flag:0.02"}
    metrics: list[dict] = [
        {"id": "on_time_rate", "name": "按时答复率", "ratio": ["applications_on_time", "applications_received"]},
        {"id": "applications_on_time", "name": "按时答复申请", "unit": "件"},
        {"id": "corrections", "name": "复议诉讼被纠错", "unit": "件",
         "expr": "reconsiderations_corrected + lawsuits_corrected"},
        {"id": "interpretation_ratio", "name": "解读比例", "expr": "policy_interpretations / max(proactive_items, 1)"},
        *({"id": m, "name": name, **({"unit": "天"} if "gap" in m or "since" in m else {}), "records": spec}
          for m, name, spec in [(m, n, s) for (m, (s, _)), n in zip(RECORD_METRICS.items(),
                                ["工作动态发布量", "工作动态最长未更新天数", "距最近更新天数", "有更新的月份数",
                                 "按时发布比例"])]),
        {"id": "demo_sites", "name": "示范点创建", "unit": "个"},
        {"id": "highlights", "name": "工作亮点被推广", "unit": "项"},
        {"id": "site_down", "name": "网站无法访问"},
        {"id": "annual_report_late", "name": "年报未按时公开"},
    ]
    indicators = []
    for g, group in enumerate(GROUPS):
        children = []
        for a, (aspect, points) in enumerate(zip(ASPECTS, LEAF_POINTS)):
            position = g * len(ASPECTS) + a
            templates = _templates(points)
            metric, template = SPECIAL_LEAVES.get(position, (f"m{position + 1:02d}", position % len(templates)))
            rule, kind = templates[template]
            leaf = {"id": f"g{g + 1:02d}_{a + 1}", "name": f"{group}{aspect}", "points": points, "metric": metric,
                    "rule": rule}
            if metric == "on_time_rate":
                leaf["when_undefined"] = "full"
                leaf["rule"] = {"type": "linear", "zero_at": 0.8, "full_at": 1.0}
            elif metric == "months_with_updates":
                leaf["rule"] = {"type": "linear", "zero_at": 0, "full_at": 12, "per": "year"}
            elif metric == "on_time_share":  # units without items that have a deadline: not scored
                leaf["rule"] = {"type": "linear", "zero_at": 0.8, "full_at": 1.0}
                leaf["missing"] = "exclude"
            elif metric == f"m{position + 1:02d}":
                metrics.append({"id": metric, "name": leaf["name"], "unit": _unit_of(kind)})
                kinds[metric] = kind
            elif metric not in RECORD_METRICS and metric not in ("corrections", "interpretation_ratio"):
                kinds.setdefault(metric, kind)
            if position % 11 == 7:
                leaf["missing"] = "full"
            children.append(leaf)
        indicators.append({"id": f"g{g + 1:02d}", "name": group, "points": 10, "children": children})
    scheme = {
        "id": "province-openness-bench",
        "name": "全省政务公开工作考评(基准测试)",
        "version": "bench.1",
        "total": 100,
        "precision": 2,
        "classes": [{"id": "county", "name": "县(市、区)政府"},
                    {"id": "dept", "name": "省市直部门", "exclude": ["g05"]},
                    {"id": "town", "name": "乡镇(街道)", "exclude": ["g07_5", "g07_6"]}],
        "grades": [{"label": "优秀", "min": 90, "max_share": 0.3}, {"label": "良好", "min": 80},
                   {"label": "合格", "min": 60}, {"label": "不合格", "min": 0}],
        "tiebreak": ["g03", "g01"],
        "metrics": metrics,
        "indicators": indicators,
        "bonus": {"cap": 5, "items": [
            {"id": "demo_site", "name": "示范点创建", "metric": "demo_sites", "rule": {"type": "per_item", "each": 2}},
            {"id": "highlight", "name": "工作亮点被推广", "points": 3, "metric": "highlights",
             "rule": {"type": "per_item", "each": 1}}]},
        "penalties": [
            {"id": "copied_report", "name": "年报雷同", "metric": "report_similarity",
             "rule": {"type": "bands", "bands": [{"min": 0.9, "points": -5}, {"min": 0.7, "points": -2}], "else": 0}},
            {"id": "late_report", "name": "年报未按时公开", "metric": "annual_report_late",
             "rule": {"type": "boolean"}, "points": 3}],
        "vetoes": [{"id": "leak", "name": "泄密或泄露隐私", "metric": "leaks", "when": "> 0", "effect": "fail"},
                   {"id": "site_down", "name": "网站无法访问", "metric": "site_down", "when": "> 0", "effect": "zero"}],
    }
    return scheme, kinds


def _unit_of(kind: str) -> str:
    return {"count": "条", "rare": "件", "flag": "", "score": "分", "days": "天", "percent": "%", "share": "0–1",
            "months": "个月", "rate": "0–1"}[
        kind.split(":")[0]]


# ---- a whole input folder ---------------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    folder: Path  # --input
    criteria: Path  # --criteria
    period: str  # --period
    records: int


BUNDLED = Path(__file__).resolve().parents[1] / "criteria" / "gov_openness_2021.yaml"
CLASS_SHARES = {False: [("county", 0.25), ("dept", 0.75)], True: [("county", 0.3), ("dept", 0.4), ("town", 0.3)]}


def make_inputs(scale: Scale, root: Path, seed: int = 2021) -> Inputs:
    """Write the scale's input folder (and generated criteria) under `root`."""
    from scoring.scheme.loader import load_scheme
    from scoring.scheme.usage import metrics_used

    rng = np.random.default_rng([seed, scale.units, scale.records])
    folder = root / f"{scale.name}_inputs"
    folder.mkdir(parents=True, exist_ok=True)
    if scale.generated_scheme:
        document, kinds = generated_scheme()
        criteria = root / f"{scale.name}_criteria.yaml"
        criteria.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    else:
        criteria, kinds = BUNDLED, dict(BUNDLED_KINDS)
    scheme = load_scheme(criteria)
    derived = {m.id for m in scheme.metrics if m.derived}
    raw = sorted(metrics_used(scheme) - derived)
    if scale.records == 0:  # record metrics reported directly
        raw += [m.id for m in scheme.metrics if m.records]
        kinds.update({m: kind for m, (_, kind) in RECORD_METRICS.items()})
    units = unit_table(scale.units, CLASS_SHARES[scale.generated_scheme], rng)
    write_units(folder, units)
    excluded = _excluded_metrics(scheme)
    for period in ([PREVIOUS] if scale.compare else []) + [RUN]:
        columns = _metric_columns(raw, kinds, units, excluded, rng)
        write_metrics(folder / period / "metrics.csv", units, columns)
    if scale.records:
        write_records(folder / str(YEAR) / "records.csv", units["unit_id"], scale.records, rng,
                      monthly=scale.records > MONTHLY_FROM)
    return Inputs(folder, criteria, RUN, scale.records)


def _excluded_metrics(scheme) -> dict[str, set[str]]:
    """metric id → classes whose units write "—" for it (the class does not take part)."""
    out: dict[str, set[str]] = {}
    for unit_class in scheme.classes:
        for indicator in scheme.indicators:
            for leaf in indicator.leaves():
                if leaf.metric and (indicator.id in unit_class.exclude or leaf.id in unit_class.exclude):
                    out.setdefault(leaf.metric, set()).add(unit_class.id)
    return out


def _metric_columns(raw: list[str], kinds: dict[str, str], units: dict[str, np.ndarray],
                    excluded: dict[str, set[str]], rng: np.random.Generator) -> dict[str, np.ndarray]:
    n = len(units["unit_id"])
    values = {}
    for metric in raw:
        kind = kinds[metric]
        if kind == "on_time":
            continue
        values[metric] = sample(kind, rng, n, 0.25 if kind.startswith(PER_YEAR) else 1.0)
    if "applications_on_time" in raw:  # answered on time: most of those received
        received = values["applications_received"]
        values["applications_on_time"] = received - rng.binomial(received.astype(np.int64), 0.04)
    columns = {}
    for metric in raw:
        na = np.isin(units["class"], sorted(excluded.get(metric, ())))
        columns[metric] = metric_texts(values[metric], kinds[metric], na, rng)
    return columns


def main(argv: list[str] | None = None) -> None:
    """`python -m bench.synth SCALE ROOT [--quick]`: write the inputs, print where (JSON)."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("scale", choices=sorted(SCALES))
    parser.add_argument("root")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    inputs = make_inputs((QUICK if args.quick else SCALES)[args.scale], Path(args.root))
    print(json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in asdict(inputs).items()}))


if __name__ == "__main__":
    main()
