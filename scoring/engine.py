"""The order of evaluation (docs/criteria.md), over all units at once:

derive metrics → leaves → groups (sum, clipped to the group's points) → rescale units whose class
or data leaves indicators out → + bonus (capped) → − penalties (total floored at 0) → vetoes →
grades (quota demotion) → ranks (overall and per class).

Every step that changes a unit's points leaves a Step in the log.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scoring.data.model import AgencyData
from scoring.derive import derive
from scoring.evaluate import Evaluator, Scored, Units
from scoring.periods import Period
from scoring.ranking import competition_rank, grade, sort_keys
from scoring.result import Result, Step
from scoring.rules.base import join, num, nums, unit_suffix
from scoring.scheme.model import Indicator, Scheme
from scoring.scheme.usage import metrics_used



def score(scheme: Scheme, data: AgencyData, period: str | Period | None = None) -> Result:
    """Score every unit in `data` with `scheme` for `period` (default: the data's period)."""
    period = Period.parse(period) if isinstance(period, str) else (period or data.period)
    return _Run(scheme, data, period).result()


class _Run:
    def __init__(self, scheme: Scheme, data: AgencyData, period: Period):
        self.scheme, self.data, self.period = scheme, data, period
        units = data.units
        self.units = Units(
            ids=units["unit_id"].astype(str).to_numpy(dtype=object),
            names=units["name"].astype(str).to_numpy(dtype=object),
            classes=units["class"].fillna("").astype(str).to_numpy(dtype=object),
        )
        self.steps: list[Step] = []

    def result(self) -> Result:
        s, u = self.scheme, self.units
        linked = {leaf_id: _linked_result(path, self.data, self.period) for leaf_id, path in s.linked.items()}
        metrics = derive(s, self.data, self.period, self.steps)
        ev = Evaluator(s, metrics, u, self.period, linked)

        blocks: list[Scored] = []
        groups: list[dict] = []
        for ind in s.indicators:
            pts, maxp = self._indicator(ind, ind.title, ind.id, ev, blocks)
            groups.append({"group_id": ind.id, "group_name": ind.title, "points": pts, "max_points": maxp})
        base = np.sum([g["points"] for g in groups], axis=0) if groups else np.zeros(u.n)
        max_base = np.sum([g["max_points"] for g in groups], axis=0) if groups else np.zeros(u.n)
        rescale = self._rescale(base, max_base)
        rescaled = base * rescale

        bonus_raw, bonus = np.zeros(u.n), np.zeros(u.n)
        if s.bonus:
            for item in s.bonus.items:
                block = ev.item(item, "bonus", s.bonus.cap)
                blocks.append(block)
                bonus_raw += block.points
            bonus = np.minimum(bonus_raw, s.bonus.cap)
            self._log_units("bonus", bonus_raw > bonus + 1e-9, lambda i: join("加分合计 ", nums(bonus_raw[i]), f" 分,超过上限 {num(s.bonus.cap)} 分,按 {num(s.bonus.cap)} 分计"))
        penalty = np.zeros(u.n)
        for item in s.penalties:
            block = ev.item(item, "penalty", np.inf)
            blocks.append(block)
            penalty += block.points
        before_floor = rescaled + bonus - penalty
        total = np.maximum(before_floor, 0.0)
        self._log_units("penalty", before_floor < -1e-9, lambda i: join("扣除重大扣分项后总分为 ", nums(before_floor[i]), " 分,按0分计"))

        failed = np.zeros(u.n, dtype=bool)
        veto_effect = np.full(u.n, "", dtype=object)
        reasons = np.full(u.n, "", dtype=object)
        for veto in s.vetoes:
            block, hit = ev.veto(veto)
            blocks.append(block)
            if veto.effect == "fail":
                failed |= hit
            else:
                total = np.where(hit, 0.0, total)
            veto_effect = np.where(hit & (veto_effect != "fail"), veto.effect, veto_effect)
            reasons = np.where(hit, np.where(reasons == "", veto.title, reasons + "、" + veto.title), reasons)
            self._log_units("veto", hit, lambda i, v=veto: f"触发单项否决“{v.title}”({'等次为最低等次,排在最后' if v.effect == 'fail' else '总分计0分'})")

        tiebreaks = [self._points_of(tid, blocks, groups) for tid in s.tiebreak]
        keys = sort_keys(total, failed, tiebreaks, s.precision)
        grades, demoted = grade(s, total, failed, keys, u.classes, u.names, self.steps, u.ids)
        rank = competition_rank(keys)
        class_rank = competition_rank(keys, u.classes)
        self._log_ties(keys, tiebreaks)

        class_names = {c.id: c.name for c in s.classes}
        totals = pd.DataFrame({
            "unit_id": u.ids, "name": u.names, "class": u.classes,
            "class_name": [class_names.get(c, c or "未分类") for c in u.classes],
            "base": base, "max_base": max_base, "rescale": rescale, "rescaled": rescaled,
            "bonus_raw": bonus_raw, "bonus": bonus, "penalty": penalty, "total": total,
            "vetoed": failed | (veto_effect != ""), "veto_effect": veto_effect, "veto_reasons": reasons,
            "grade": grades, "demoted": demoted, "rank": rank, "class_rank": class_rank,
        }).set_index("unit_id")
        issues = list(self.data.issues) + ev.issues
        for sub in linked.values():
            issues += [i for i in sub.issues if i not in issues]
            self.steps += [Step(st.stage, f"〔{sub.scheme.name}〕{st.message}", st.unit_id, st.item_id) for st in sub.log]
        return Result(
            scheme=s, period=self.period,
            units=pd.DataFrame({"unit_id": u.ids, "name": u.names, "class": u.classes,
                                "class_name": totals["class_name"].to_numpy()}),
            details=self._details(blocks), groups=self._groups(groups), totals=totals,
            inputs=self._inputs(), issues=tuple(issues), log=tuple(self.steps),
        )

    # ---- groups ----
    def _indicator(self, ind: Indicator, path: str, group_id: str, ev: Evaluator, blocks: list[Scored]):
        if ind.is_leaf:
            block = ev.leaf(ind, path, group_id)
            blocks.append(block)
            return block.points, block.max_points
        parts = [self._indicator(c, f"{path} / {c.title}", group_id, ev, blocks) for c in ind.children or ()]
        raw = np.sum([p for p, _ in parts], axis=0)
        maxp = np.sum([m for _, m in parts], axis=0)
        if ind.id != group_id:  # a middle group: `floor: group` deductions reach the first level
            return np.minimum(raw, maxp), maxp
        points = np.clip(raw, 0.0, maxp)
        self._log_units("group", raw < -1e-9, lambda i: join(f"“{ind.title}”扣分合计超过本项分值,按0分计(原为 ", nums(raw[i]), " 分)"), ind.id)
        self._log_units("group", raw > maxp + 1e-9, lambda i: join(f"“{ind.title}”得分超过本项分值,按 ", nums(maxp[i]), " 分计"), ind.id)
        return points, maxp

    def _rescale(self, base: np.ndarray, max_base: np.ndarray) -> np.ndarray:
        total = self.scheme.total
        partial = (max_base > 1e-9) & (max_base < total - 1e-9)
        factor = np.where(partial, total / np.where(max_base > 0, max_base, 1.0), 1.0)
        self._log_units("rescale", partial, lambda i: join(
            "适用指标满分 ", nums(max_base[i]), " 分,得 ", nums(base[i]), f" 分,按 ×{num(total)}/", nums(max_base[i]),
            " 折算为 ", nums(base[i] * factor[i]), " 分"))
        self._log_units("rescale", max_base <= 1e-9, lambda i: "没有适用的指标,基础分为0")
        return factor

    def _points_of(self, indicator_id: str, blocks: list[Scored], groups: list[dict]) -> np.ndarray:
        for g in groups:
            if g["group_id"] == indicator_id:
                return g["points"]
        for b in blocks:
            if b.kind == "indicator" and b.item_id == indicator_id:
                return b.points
        # a middle-level group: sum of its leaves
        ids = {leaf.id for ind in self.scheme.indicators for leaf in _find(ind, indicator_id)}
        return np.sum([b.points for b in blocks if b.kind == "indicator" and b.item_id in ids], axis=0)

    def _log_ties(self, keys: pd.DataFrame, tiebreaks: list[np.ndarray]) -> None:
        if not tiebreaks:
            return
        total_only = competition_rank(keys[["_failed", "_total"]])
        full = competition_rank(keys)
        separated = total_only != full
        self._log_units("rank", separated, lambda i: join(
            f"总分与其他单位相同,按 tiebreak({'、'.join(self.scheme.tiebreak)})排第 ", nums(full[i], 0), " 名"))

    def _log_units(self, stage: str, mask: np.ndarray, message, item_id: str | None = None) -> None:
        """A step for each unit in `mask`; `message(positions)` gives their texts (or one for all)."""
        at = np.flatnonzero(mask)
        if not len(at):
            return
        texts = np.broadcast_to(np.asarray(message(at), dtype=object), at.shape)
        self.steps += [Step(stage, f"{name}:{text}", str(unit_id), item_id)
                       for name, text, unit_id in zip(self.units.names[at], texts, self.units.ids[at])]

    # ---- tables ----
    def _details(self, blocks: list[Scored]) -> pd.DataFrame:
        """Unit-major rows (a unit's items together, in scheme order), built in that order."""
        n, p = self.units.n, self.scheme.precision
        if not blocks:
            return pd.DataFrame(columns=DETAIL_COLUMNS)
        k = len(blocks)

        def col(attr):  # one column per block side by side, read row by row: unit-major
            return np.stack([np.asarray(getattr(b, attr)) for b in blocks], axis=1).ravel()

        item = np.tile(np.arange(k), n)

        def rep(attr):  # the same text for every unit: a category per item, not a string per row
            return categorical(item, [getattr(b, attr) for b in blocks])

        values = col("values").astype(float)
        status = col("status")
        approx = col("approx").astype(bool)
        value_text = np.stack([self._value_text(b) for b in blocks], axis=1).ravel()
        return pd.DataFrame({
            "unit_id": categorical(np.repeat(np.arange(n), k), self.units.ids),
            "kind": rep("kind"), "item_id": rep("item_id"),
            "item_name": rep("item_name"), "path": rep("path"), "group_id": rep("group_id"),
            "metric": rep("metric"), "value": values, "value_text": value_text,
            "approx": approx, "status": status, "rule_text": rep("rule_text"),
            "points": col("points").astype(float), "max_points": col("max_points").astype(float),
            "explanation": col("explanation"),
        })

    def _value_text(self, block: Scored) -> np.ndarray:
        """"约665 条" per unit, or what a missing value means ("缺失", "不适用"…); each distinct
        (value, status, approx) is written once."""
        values = np.asarray(block.values, dtype=float)
        value_code, distinct_values = pd.factorize(values, use_na_sentinel=False)
        status_code, distinct_status = pd.factorize(np.asarray(block.status, dtype=object))
        combination = (value_code * len(distinct_status) + status_code) * 2 + np.asarray(block.approx, dtype=bool)
        codes, combinations = pd.factorize(combination)
        approx_of, rest = combinations % 2, combinations // 2
        status_of, value_of = rest % len(distinct_status), rest // len(distinct_status)
        shown = nums(np.asarray(distinct_values, dtype=float), self.scheme.precision)
        suffix = unit_suffix(block.unit)
        texts = [
            VALUE_LABELS[distinct_status[s]] if distinct_status[s] in VALUE_LABELS and np.isnan(distinct_values[v])
            else ("约" if a else "") + shown[v] + suffix
            for a, s, v in zip(approx_of.tolist(), status_of.tolist(), value_of.tolist())
        ]
        return np.array(texts, dtype=object)[codes]

    def _groups(self, groups: list[dict]) -> pd.DataFrame:
        n = self.units.n
        if not groups:
            return pd.DataFrame(columns=["unit_id", "group_id", "group_name", "raw", "points", "max_points"])
        group = np.repeat(np.arange(len(groups)), n)
        return pd.DataFrame({
            "unit_id": categorical(np.tile(np.arange(n), len(groups)), self.units.ids),
            "group_id": categorical(group, [g["group_id"] for g in groups]),
            "group_name": categorical(group, [g["group_name"] for g in groups]),
            "points": np.concatenate([g["points"] for g in groups]),
            "max_points": np.concatenate([g["max_points"] for g in groups]),
        })

    def _inputs(self) -> pd.DataFrame:
        used = metrics_used(self.scheme)
        v = self.data.values
        keys = self.data.value_keys  # each distinct text checked once
        metrics, metric_texts = keys.metric_codes, keys.metric_texts
        keep = keys.unit_texts.isin(self.units.ids)[keys.unit_codes] & metric_texts.isin(used)[metrics]
        names = np.array([self.scheme.metric_label(m)[0] if m in used else "" for m in metric_texts], dtype=object)
        if not keep.all():
            v, metrics = v[keep], metrics[keep]
        out = v.assign(metric_name=names[metrics])
        cols = ["unit_id", "metric", "metric_name", "value", "raw", "approx", "source", "row", "column", "evidence"]
        return out.reindex(columns=cols).reset_index(drop=True)


def categorical(codes: np.ndarray, texts: Sequence[str] | np.ndarray) -> pd.Categorical:
    """`texts[codes]` as a pandas Categorical: each text stored once. The detail rows repeat a
    unit's id for every item and an item's texts for every unit (a nation: 6.6 million rows)."""
    texts = pd.Index(np.asarray(texts, dtype=object).astype(str))
    if texts.is_unique:  # unit ids; item ids
        return pd.Categorical.from_codes(codes, categories=texts)
    distinct, position = np.unique(texts.to_numpy(), return_inverse=True)
    return pd.Categorical.from_codes(position[codes], categories=distinct)


VALUE_LABELS = {"not_applicable": "不适用", "missing": "缺失", "excluded": "不考核", "undefined": "无定义"}
DETAIL_COLUMNS = [
    "unit_id", "kind", "item_id", "item_name", "path", "group_id", "metric", "value", "value_text",
    "approx", "status", "rule_text", "points", "max_points", "explanation",
]


def _find(ind: Indicator, target: str) -> list[Indicator]:
    if ind.id == target:
        return ind.leaves()
    return [leaf for child in ind.children or () for leaf in _find(child, target)]


def _linked_result(path: str, data: AgencyData, period: Period) -> Result:
    from scoring.scheme.loader import load_scheme

    return score(load_scheme(path), data, period)
