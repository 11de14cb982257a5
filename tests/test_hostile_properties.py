"""Generated criteria, data and garbage (hypothesis): no crash, and the engine keeps its invariants.

Whatever the loader accepts, scoring must keep: leaf points within [0, max] (a `deduct` leaf with
`floor: group` may go below 0), group points within [0, group max], totals finite and ≥ 0, ranks
1..n that follow the rounded totals, a grade for every unit when grades exist.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scoring.data.issuelog import ROW_ISSUE_LIMIT
from scoring.data.load import load_data
from scoring.data.values import parse_value
from scoring.engine import score
from scoring.errors import CriteriaError, InputError
from scoring.scheme.loader import load_scheme
from tests.helpers import NA, assert_same_totals, make_data

pytestmark = pytest.mark.hostile

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PLAIN = ["m0", "m1", "m2", "m3"]  # read from the data
DERIVED = {"r0": {"ratio": ["m0", "m1"]}, "e0": {"expr": "m2 - 2 * m3 / m1"}}
METRICS = PLAIN + list(DERIVED)
EPS = 1e-6

amount = st.floats(-50, 500, allow_nan=False).map(lambda x: round(x, 2))


def share_of(points: float):
    """Points a rule may give, deliberately sometimes above the leaf's points: the loader decides."""
    return st.floats(0, points * 1.5).map(lambda x: round(x, 2))


@st.composite
def rule_specs(draw, points: float, nested: bool = True) -> dict:
    kind = draw(st.sampled_from(["bands_min", "bands_max", "linear", "deduct", "per_item", "boolean", "score",
                                 "rank_table", "rank_shares", "relative"]))
    per = draw(st.sampled_from([None, "month", "quarter", "half", "year"]))
    with_per = {"per": per} if per else {}
    if kind in ("bands_min", "bands_max"):
        bounds = sorted(draw(st.lists(amount, min_size=1, max_size=4, unique=True)), reverse=kind == "bands_min")
        key = "min" if kind == "bands_min" else "max"
        bands = [{key: b, "points": draw(share_of(points))} for b in bounds]
        return {"type": "bands", "bands": bands, "else": draw(share_of(points)), **with_per}
    if kind == "linear":
        zero_at, full_at = draw(st.lists(amount, min_size=2, max_size=2, unique=True))
        return {"type": "linear", "zero_at": zero_at, "full_at": full_at, **with_per}
    if kind == "deduct":
        spec = {"type": "deduct", "each": draw(st.floats(0.1, 20).map(lambda x: round(x, 2)))}
        if draw(st.booleans()):
            spec["max_deduction"] = draw(st.floats(0.5, 30).map(lambda x: round(x, 2)))
        spec["floor"] = draw(st.sampled_from(["leaf", "group"] if nested else ["leaf"]))
        return spec
    if kind == "per_item":
        return {"type": "per_item", "each": draw(st.floats(0.1, 20).map(lambda x: round(x, 2)))}
    if kind == "boolean":
        return {"type": "boolean", "invert": draw(st.booleans())}
    if kind == "score":
        return {"type": "score", "scale": draw(st.sampled_from([1, 10, 100]))}
    if kind == "rank_table":
        return {"type": "rank", "table": draw(st.lists(share_of(points), min_size=1, max_size=5)),
                "else": draw(share_of(points)), "order": draw(st.sampled_from(["asc", "desc"]))}
    if kind == "rank_shares":
        tops = sorted(draw(st.lists(st.sampled_from([0.1, 0.2, 0.3, 0.5, 1.0]), min_size=1, max_size=3, unique=True)))
        return {"type": "rank", "shares": [{"top": t, "points": draw(share_of(points))} for t in tops],
                "else": draw(share_of(points))}
    return {"type": "relative", "order": draw(st.sampled_from(["asc", "desc"]))}


def split(draw, points: int, parts: int) -> list[int]:
    cuts = sorted(draw(st.lists(st.integers(1, points - 1), min_size=parts - 1, max_size=parts - 1, unique=True)))
    edges = [0, *cuts, points]
    return [b - a for a, b in zip(edges, edges[1:])]


@st.composite
def indicators(draw, points: int, depth: int, ids: list[str]) -> dict:
    node_id = f"i{len(ids)}"
    ids.append(node_id)
    if depth < 2 and points >= 2 and draw(st.booleans()):
        parts = split(draw, points, draw(st.integers(1, min(3, points))))
        return {"id": node_id, "points": points, "children": [draw(indicators(p, depth + 1, ids)) for p in parts]}
    leaf = {"id": node_id, "points": points, "metric": draw(st.sampled_from(METRICS)),
            "rule": draw(rule_specs(float(points), nested=depth > 0))}
    leaf["missing"] = draw(st.sampled_from(["zero", "full", "exclude", "error"]))
    leaf["when_undefined"] = draw(st.sampled_from(["full", "zero", "exclude", "missing"]))
    return leaf


@st.composite
def schemes(draw) -> dict:
    ids: list[str] = []
    total = draw(st.integers(2, 100))
    tops = [draw(indicators(p, 0, ids)) for p in split(draw, total, draw(st.integers(1, min(4, total))))]
    scheme: dict = {
        "id": "fuzz", "name": "生成的准则", "total": total, "precision": draw(st.integers(0, 3)),
        "metrics": [{"id": m, "name": f"指标{m}"} for m in PLAIN] + [{"id": k, **copy.deepcopy(v)} for k, v in DERIVED.items()],
        "indicators": tops,
    }
    if draw(st.booleans()):
        scheme["classes"] = [{"id": "c0", "name": "甲类"}, {"id": "c1", "name": "乙类"}]
        if len(tops) > 1 and draw(st.booleans()):
            scheme["classes"][1]["exclude"] = [tops[0]["id"]]
    if draw(st.booleans()):
        share = draw(st.sampled_from([None, 0.2, 0.5, 1.0]))
        scheme["grades"] = [{"label": "优秀", "min": round(total * 0.9, 2), **({"max_share": share} if share else {})},
                            {"label": "合格", "min": round(total * 0.6, 2)}, {"label": "不合格", "min": 0}]
    if draw(st.booleans()):
        scheme["tiebreak"] = [tops[-1]["id"]]
    if draw(st.booleans()):
        scheme["bonus"] = {"cap": draw(st.integers(0, 5)), "items": [
            {"id": "b0", "metric": draw(st.sampled_from(METRICS)), "rule": {"type": "per_item", "each": 1}}]}
    if draw(st.booleans()):
        penalty = draw(st.sampled_from([{"type": "deduct", "each": 3},
                                        {"type": "bands", "bands": [{"min": 10, "points": -5}], "else": 0}]))
        scheme["penalties"] = [{"id": "p0", "metric": draw(st.sampled_from(METRICS)), "rule": penalty}]
    if draw(st.booleans()):
        scheme["vetoes"] = [{"id": "v0", "metric": "m3", "when": "> 400", "effect": draw(st.sampled_from(["fail", "zero"]))}]
    return scheme


hostile_number = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False), st.integers(-100, 1000),
    st.sampled_from([0.0, -0.0, 1e300, -1e300, 1e-300, math.inf, -math.inf, math.nan, 5e11]),
)
cell = st.one_of(hostile_number, st.just(NA), st.none())


@st.composite
def unit_data(draw, with_classes: bool):
    n = draw(st.integers(1, 10))
    classes = ["", "c0", "c1"] if with_classes else [""]
    units = [(f"U{i}", f"单位{i}", draw(st.sampled_from(classes))) for i in range(n)]
    values = {}
    for unit_id, _, _ in units:
        row = {m: draw(cell) for m in PLAIN}
        values[unit_id] = {m: v for m, v in row.items() if v is not None}  # None: the value is simply absent
    return units, values


def load_generated(tmp: Path, scheme: dict):
    path = tmp / "fuzz.yaml"
    path.write_text(yaml.safe_dump(scheme, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        return load_scheme(path)
    except CriteriaError:
        return None  # rejected with a message: that is allowed; only acceptance commits the engine


def floor_group_leaves(scheme: dict) -> set[str]:
    found: set[str] = set()

    def walk(node: dict) -> None:
        if "children" in node:
            for child in node["children"]:
                walk(child)
        elif node["rule"].get("floor") == "group":
            found.add(node["id"])

    for top in scheme["indicators"]:
        walk(top)
    return found


def check_invariants(result, raw: dict) -> None:
    d = result.details
    leaves = d[d["kind"] == "indicator"]
    pts, top = leaves["points"].to_numpy(float), leaves["max_points"].to_numpy(float)
    assert np.isfinite(pts).all() and (pts <= top + EPS).all(), leaves[["item_id", "points", "max_points", "explanation"]]
    below = pts < -EPS
    assert set(leaves["item_id"][below]) <= floor_group_leaves(raw), leaves[below][["item_id", "points", "explanation"]]
    assert d["explanation"].astype(object).map(lambda s: isinstance(s, str) and s != "").all()

    g = result.groups
    gp, gm = g["points"].to_numpy(float), g["max_points"].to_numpy(float)
    assert np.isfinite(gp).all() and (gp >= -EPS).all() and (gp <= gm + EPS).all(), g

    t = result.totals
    cap = raw.get("bonus", {}).get("cap", 0)
    total = t["total"].to_numpy(float)
    assert np.isfinite(total).all() and (total >= -EPS).all() and (total <= raw["total"] + cap + EPS).all(), t
    assert (t["bonus"] <= cap + EPS).all()

    n = len(t)
    ranks = t["rank"].to_numpy()
    assert ranks.min() == 1 and ranks.max() <= n and (ranks >= 1).all()
    failed = (t["veto_effect"] == "fail").to_numpy()
    rounded = t["total"].round(result.scheme.precision).to_numpy()
    for a in range(n):  # a better rank never has a lower rounded total, vetoed-fail units come last
        for b in range(n):
            if ranks[a] < ranks[b] and not failed[a] and not failed[b]:
                assert rounded[a] >= rounded[b] - EPS, t
            if failed[a] and not failed[b]:
                assert ranks[a] > ranks[b], t
    for _, group in t.groupby("class"):
        assert group["class_rank"].min() == 1 and group["class_rank"].max() <= len(group)
    if raw.get("grades"):
        labels = {g["label"] for g in raw["grades"]}
        assert t["grade"].isin(labels).all(), t["grade"]


@pytest.mark.slow
@settings(SETTINGS, max_examples=50)
@given(st.data())
def test_generated_criteria_and_data_keep_the_invariants(tmp_path_factory, data):
    raw = data.draw(schemes())
    scheme = load_generated(tmp_path_factory.mktemp("s"), raw)
    assume(scheme is not None)  # hypothesis fails the test (filter_too_much) if the loader rejected most
    units, values = data.draw(unit_data("classes" in raw))
    period = data.draw(st.sampled_from(["2021", "2021Q4", "2021M02", "2021H1"]))
    agency = make_data(units, values, period=period)
    result = score(scheme, agency)
    check_invariants(result, raw)
    assert_same_totals(result, score(scheme, agency, explain=False))  # what a comparison period is scored by


TEXT_CELLS = st.one_of(
    st.sampled_from(["abc", "NaN", "inf", "-inf", "-5", "1e308", "600余", "约300", "1.2万", "百分之百", "95%", "不适用",
                     "—", "", "是", "否", "=1+1", "@SUM(A1)", "１２", "1,234", "0x10", "1e5", "三期", "\"", "N/A"]),
    st.text(max_size=12),
    hostile_number.map(repr),
)

PIPELINE_SCHEME = """\
id: fuzz
name: 生成数据
total: 20
metrics:
  - {id: m0, name: 甲指标}
  - {id: r0, name: 比率, ratio: [m0, proactive_items]}
indicators:
  - {id: a, points: 10, metric: m0, rule: {type: linear, zero_at: 0, full_at: 100}}
  - id: g
    points: 10
    children:
      - {id: b, points: 5, metric: proactive_items, rule: {type: deduct, each: 1, floor: group}}
      - {id: c, points: 5, metric: r0, when_undefined: full, rule: {type: rank, table: [5, 3], else: 1}}
grades: [{label: 优秀, min: 18, max_share: 0.5}, {label: 合格, min: 0}]
"""


@settings(SETTINGS, max_examples=25)
@given(st.lists(st.tuples(st.sampled_from(["甲局", "乙局", "丙局", "丁局", "=甲局", " 甲局 "]), TEXT_CELLS, TEXT_CELLS),
                min_size=1, max_size=15))
@pytest.mark.slow
def test_any_cell_text_is_read_or_reported_never_a_crash(tmp_path_factory, rows):
    """Text cells of every kind go through the real reader: each is a value, not applicable, or an issue."""
    folder = tmp_path_factory.mktemp("d")
    (folder / "2021Q4").mkdir()
    (folder / "units.csv").write_text("unit_id,name\nU1,甲局\nU2,乙局\nU3,丙局\n", encoding="utf-8")
    lines = ["单位,m0,proactive_items"] + [",".join(_csv_quote(c) for c in row) for row in rows]
    (folder / "2021Q4" / "metrics.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "c.yaml").write_text(PIPELINE_SCHEME, encoding="utf-8")
    scheme = load_scheme(folder / "c.yaml")
    try:
        data = load_data(folder, "2021Q4", scheme, progress=False)
    except InputError as exc:  # nothing usable for the period, or cells full of control characters
        assert "没有找到期间" in str(exc) or "不是文本格式的 CSV 文件" in str(exc), repr(exc)
        return
    assert np.isfinite(data.values["value"].dropna()).all()
    assert (data.values["value"].dropna().abs() <= 1e12).all()
    result = score(scheme, data)
    raw = yaml.safe_load(PIPELINE_SCHEME)
    check_invariants(result, raw)
    for issue in data.issues:
        assert issue.message and issue.severity in ("error", "warning", "info")
    unusable = _unusable_cells(rows)
    if len(unusable) <= ROW_ISSUE_LIMIT:  # beyond it, the rest are summed up in one issue
        reported = {(i.row, i.column) for i in data.issues if i.severity == "error"}
        assert unusable <= reported, (unusable - reported, data.issues)


def _unusable_cells(rows: list[tuple[str, object, object]]) -> set[tuple[int, str]]:
    """(row, column) of cells of known units that cannot be used: each must be an error issue."""
    found = set()
    for row, (unit, m0, items) in enumerate(rows, start=2):
        if unit.strip() not in ("甲局", "乙局", "丙局"):
            continue
        for column, text in (("m0", m0), ("proactive_items", items)):
            parsed = parse_value(str(text).strip())
            negative_count = column == "proactive_items" and parsed.applicable and parsed.value < 0
            if parsed.problem or negative_count:
                found.add((row, column))
    return found


def _csv_quote(text: str) -> str:
    return '"' + str(text).replace('"', '""') + '"'


YAML_TOKENS = st.sampled_from([
    "id: t\n", "name: x\n", "total: 10\n", "indicators:\n", "  - ", "{", "}", "[", "]", ", ", ": ", "- ", "? ",
    "&a ", "*a", "!!python/object:os.system ", "!!set ", "!foo ", "<<: ", "\t", "\x00", "%YAML 1.1\n", "---\n",
    "...\n", "'", '"', "\\", "#", "\n", "    ", "1e999", ".inf", ".nan", "~", "null", "yes", "0x1F", "2021-13-45",
    "rule: {type: linear}", "children: []", "points: -1", "metric: proactive_items", "é", "测试", "\ufeff", "|\n", ">\n",
])


@pytest.mark.slow
@settings(SETTINGS, max_examples=300)
@given(st.one_of(st.lists(YAML_TOKENS, max_size=40).map("".join), st.text(max_size=300)))
def test_garbage_yaml_is_loaded_or_refused_with_a_criteria_error(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("y") / "garbage.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_scheme(path)
    except CriteriaError as exc:
        assert exc.message and "Traceback" not in str(exc)


junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=True), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)


def _paths(node, here=()):
    yield here
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*here, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*here, i))


@pytest.mark.slow
@settings(SETTINGS, max_examples=60)
@given(st.data())
def test_valid_criteria_with_one_part_replaced_by_junk(tmp_path_factory, data):
    """Every key of a valid file, replaced by a value of the wrong shape: loaded or a CriteriaError."""
    raw = data.draw(schemes())
    paths = [p for p in _paths(raw) if p]
    target = data.draw(st.sampled_from(paths))
    node = raw
    for part in target[:-1]:
        node = node[part]
    node[target[-1]] = data.draw(junk)
    path = tmp_path_factory.mktemp("j") / "junk.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    try:
        scheme = load_scheme(path)
    except CriteriaError as exc:
        assert exc.message
        return
    result = score(scheme, make_data([("U1", "甲", ""), ("U2", "乙", "")], {"U1": {"m0": 1.0}, "U2": {"m1": 2.0}}))
    assert np.isfinite(result.totals["total"]).all()
