"""The criteria as the 评分细则 an office attaches to its 通知: one row per scored leaf with its
first-, second- and third-level indicator, points, the rule in the words `score check` prints,
and who provides the data; then the bonus, deduction and veto rules and the notes on classes
and grades. No internal ids: everything a unit reads is a Chinese name."""

from __future__ import annotations

from dataclasses import dataclass

from scoring.scheme.describe import describe_extras, describe_scheme
from scoring.scheme.model import SOURCE_NAMES, Indicator, Scheme

LEVELS = 3  # 一级/二级/三级指标; deeper levels are joined into the third


@dataclass(frozen=True)
class SchemeRow:
    section: str  # 指标 | 加分项 | 扣分项 | 单项否决
    levels: tuple[str, ...]  # LEVELS cells: 一级/二级/三级指标, "" where the tree is shallower
    points: float | None
    rule_text: str
    source: str


SECTIONS = {"indicator": "指标", "bonus": "加分项", "penalty": "扣分项", "veto": "单项否决"}


def scheme_rows(scheme: Scheme) -> list[SchemeRow]:
    """Leaves in scheme order (an indicator above a leaf shown as "主动公开(25分)"), then the
    bonus items, deductions and vetoes."""
    texts = {(row.kind, row.id): row for row in describe_scheme(scheme)}
    rows: list[SchemeRow] = []

    def walk(ind: Indicator, above: tuple[str, ...]) -> None:
        if not ind.is_leaf:
            for child in ind.children or ():
                walk(child, (*above, f"{ind.title}({ind.points:g}分)"))
            return
        described = texts[("indicator", ind.id)]
        rows.append(SchemeRow("指标", _levels((*above, described.name)), ind.points, described.rule_text,
                              source_text(scheme, ind.metric)))

    for top in scheme.indicators:
        walk(top, ())
    for (kind, _), described in texts.items():
        if kind != "indicator":
            rows.append(SchemeRow(SECTIONS[kind], _levels((described.name,)), described.points,
                                  described.rule_text, source_text(scheme, described.metric)))
    return rows


def _levels(names: tuple[str, ...]) -> tuple[str, ...]:
    """Padded to LEVELS cells; levels deeper than that are joined into the last cell."""
    if len(names) > LEVELS:
        names = (*names[:LEVELS - 1], " / ".join(names[LEVELS - 1:]))
    return (*names, *[""] * (LEVELS - len(names)))


def source_text(scheme: Scheme, metric: str | None) -> str:
    return "、".join(SOURCE_NAMES[s] for s in scheme.metric_sources(metric))


def scheme_notes(scheme: Scheme) -> list[str]:
    """Classes, grades and tie-breaks in words, without ids."""
    return describe_extras(scheme)
