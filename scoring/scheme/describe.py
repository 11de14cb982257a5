"""The criteria in words: the indicator tree with points and rules, for `score check` and the
workbook's 评分标准 sheet."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.expressions import condition
from scoring.scheme.model import Indicator, Scheme, Veto
from scoring.vocabulary import VOCABULARY


@dataclass(frozen=True)
class TreeRow:
    level: int  # 1 for first-level indicators, bonus, penalties and vetoes
    kind: str  # indicator | bonus | penalty | veto
    id: str
    name: str
    points: float | None
    metric: str | None
    rule_text: str


def _label(scheme: Scheme, metric: str | None) -> tuple[str, str]:
    name, unit = scheme.metric_label(metric)
    return name, "" if unit == "0–1" else unit


def label_of(scheme: Scheme, name: str) -> str:
    """What an office calls a name in a condition: the indicator's name or the metric's."""
    node = next((n for n in scheme.nodes() if n.id == name), None)
    return node.title if node is not None else scheme.metric_label(name)[0]


def readable(scheme: Scheme, text: str) -> str:
    """A condition with its ids replaced by names: "网站 + 新媒体 >= 44"."""
    known = {n.id for n in scheme.nodes()} | {m.id for m in scheme.metrics} | set(VOCABULARY)
    return re.sub(r"[A-Za-z_][A-Za-z0-9_]*", lambda m: label_of(scheme, m[0]) if m[0] in known else m[0], text)


def veto_effect(scheme: Scheme, veto: Veto) -> str:
    """What a veto does, in words."""
    if veto.scope:
        return f"“{label_of(scheme, veto.scope)}”计0分"
    if veto.effect == "cap":
        return f"总分最高计 {veto.cap or 0:g} 分"
    return "等次为最低等次并排在最后" if veto.effect == "fail" else "总分计0分"


def _excluded_by(scheme: Scheme, ind: Indicator) -> str:
    names = [c.name for c in scheme.classes if ind.id in c.exclude and c.on_exclude == "rescale"]
    full = [c.name for c in scheme.classes if ind.id in c.exclude and c.on_exclude == "full"]
    return (f"(不适用于:{'、'.join(names)})" if names else "") + (f"(不检查、按满分计:{'、'.join(full)})" if full else "")


def describe_scheme(scheme: Scheme) -> list[TreeRow]:
    rows: list[TreeRow] = []

    def walk(ind: Indicator, level: int) -> None:
        if ind.is_leaf:
            rule = ind.rule
            name, unit = _label(scheme, ind.metric)
            if ind.id in scheme.linked:
                name = scheme.linked[ind.id].name
            text = rule.describe(ind.points, name, unit)
            if ind.when_undefined != "missing":
                text += {"full": ";无定义(如无申请)时满分", "zero": ";无定义时0分", "exclude": ";无定义时不计分并折算"}[ind.when_undefined]
            if ind.missing != "zero":
                text += {"full": ";缺数据时满分", "exclude": ";缺数据时不计分并折算", "error": ";必须有数据"}[ind.missing]
            if ind.not_applicable == "missing":
                text += ";不接受“不适用”(按空白处理)"
            for class_id, override in ind.by_class.items():
                klass = scheme.class_by_id(class_id)
                variant = ind.for_class(class_id)
                own = variant.rule.describe(ind.points, name, unit) if override.rule else "规则同上"
                missing = {"zero": "缺数据时按0分", "full": "缺数据时满分", "exclude": "缺数据时不计分并折算",
                           "error": "必须有数据"}[variant.missing] if override.missing else ""
                text += f";{klass.name if klass else class_id}:" + ",".join(t for t in (own, missing) if t)
        else:
            text = f"下设 {len(ind.children or ())} 项,合计不超过 {ind.points:g} 分,不低于0分"
            if ind.grades:
                text += ";等次:" + "、".join(f"{g.label} ≥{g.min:g}" for g in ind.grades)
        rows.append(TreeRow(level, "indicator", ind.id, ind.title + _excluded_by(scheme, ind), ind.points, ind.metric, text))
        for child in ind.children or ():
            walk(child, level + 1)

    for ind in scheme.indicators:
        walk(ind, 1)
    if scheme.bonus:
        for item in scheme.bonus.items:
            name, unit = _label(scheme, item.metric)
            cap = item.points if item.points is not None else scheme.bonus.cap
            total_cap = f"加分合计上限 {scheme.bonus.cap:g} 分" if scheme.bonus.cap is not None else "加分合计不设上限"
            gate = f";仅当 {readable(scheme, scheme.bonus.gate)} 时加分" if scheme.bonus.gate else ""
            rows.append(TreeRow(1, "bonus", item.id, item.title, cap, item.metric,
                                item.rule.describe(cap, name, unit) + f"({total_cap}{gate})"))
    for item in scheme.penalties:
        name, unit = _label(scheme, item.metric)
        rows.append(TreeRow(1, "penalty", item.id, item.title, item.points, item.metric,
                            item.rule.describe(item.points, name, unit) + "(从总分中扣除,不设上限)"))
    for veto in scheme.vetoes:
        cond = readable(scheme, condition(veto.when, veto.metric).text)
        rows.append(TreeRow(1, "veto", veto.id, veto.title, None, veto.metric, f"当 {cond} 时单项否决:{veto_effect(scheme, veto)}"))
    return rows


def describe_extras(scheme: Scheme) -> list[str]:
    """Classes, grades and tie-breaks in words."""
    lines = []
    titles = {ind.id: ind.title for top in scheme.indicators for ind in _walk(top)}
    for c in scheme.classes:
        ex = (f",不考核 {'、'.join(titles.get(i, i) for i in c.exclude)} 并按适用指标折算为 {scheme.total:g} 分" if c.exclude else "")
        if c.exclude and c.on_exclude == "full":
            ex = f",不检查 {'、'.join(titles.get(i, i) for i in c.exclude)},按满分计"
        lines.append(f"类别 {c.name}:单独排名{ex}")
    for g in scheme.grades:
        share = f",不超过本类单位的 {g.max_share:.0%}" if g.max_share else ""
        lines.append(f"等次 {g.label}:总分 ≥ {g.min:g}{share}")
    if scheme.tiebreak:
        lines.append(f"同分时依次比较:{'、'.join(titles.get(i, i) for i in scheme.tiebreak)}")
    return lines


def _walk(ind: Indicator):
    yield ind
    for child in ind.children or ():
        yield from _walk(child)
