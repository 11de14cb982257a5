"""Evaluate leaves, bonus items, penalties and vetoes for all units: points plus explanations.

Each scored item becomes a `Scored` block (arrays over units). Units whose value is missing,
not applicable, undefined or whose class excludes the item get the policy the criteria set,
and the explanation says which. An evaluator made with `explain=False` (a comparison period's
totals) gives the same points and leaves out the explanations and the issues they name.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from scoring import gaps
from scoring.derive import Metrics
from scoring.expressions import Expression, condition
from scoring.issues import DataIssue
from scoring.periods import Period
from scoring.rounding import half_up
from scoring.rules.base import Rewritten, RuleContext, filled, join, num, nums
from scoring.scheme.describe import label_of, readable, veto_effect
from scoring.scheme.model import Indicator, Item, Scheme, Veto

# a detail row's status; blocks hold its position here (an int8 per unit, not a string)
STATUSES = np.array(["ok", "missing", "undefined", "not_applicable", "excluded", "vetoed"], dtype=object)
OK, MISSING, UNDEFINED, NOT_APPLICABLE, EXCLUDED, VETOED = range(len(STATUSES))


@dataclass
class Scored:
    kind: str  # indicator | bonus | penalty | veto
    item_id: str
    item_name: str
    path: str
    group_id: str
    metric: str
    values: np.ndarray
    approx: np.ndarray
    status: np.ndarray  # int8 per unit: a position in STATUSES
    rule_text: str
    points: np.ndarray
    max_points: np.ndarray
    explanation: np.ndarray
    unit: str = ""


@dataclass(frozen=True)
class Units:
    ids: np.ndarray
    names: np.ndarray
    classes: np.ndarray

    @property
    def n(self) -> int:
        return len(self.ids)


class Evaluator:
    def __init__(self, scheme: Scheme, metrics: Metrics, units: Units, period: Period, linked: dict,
                 explain: bool = True):
        self.scheme, self.metrics, self.units, self.period = scheme, metrics, units, period
        self.linked = linked  # leaf id → Result of the scheme the leaf links to (Scheme.linked)
        self.explain = explain  # False: points only; explanations stay empty and no issue is raised
        self.issues: list[DataIssue] = []
        self.excluded, self.excluded_full = self._class_exclusions()
        self.nodes = {node.id: node for node in scheme.nodes()}

    def _class_exclusions(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """indicator id → bool per unit: the unit's class excludes it (or an ancestor); and
        whether that class scores excluded indicators as met (`on_exclude: full`)."""
        out: dict[str, np.ndarray] = {}
        full: dict[str, np.ndarray] = {}

        def walk(ind: Indicator, inherited: np.ndarray, inherited_full: np.ndarray) -> None:
            mine, mine_full = inherited.copy(), inherited_full.copy()
            for c in self.scheme.classes:
                if ind.id in c.exclude:
                    members = self.units.classes == c.id
                    mine |= members
                    if c.on_exclude == "full":
                        mine_full |= members
            out[ind.id], full[ind.id] = mine, mine_full
            for child in ind.children or ():
                walk(child, mine, mine_full)

        for ind in self.scheme.indicators:
            walk(ind, np.zeros(self.units.n, dtype=bool), np.zeros(self.units.n, dtype=bool))
        return out, full

    # ---- leaves ----
    def leaf(self, leaf: Indicator, path: str, group_id: str) -> Scored:
        """A leaf for every unit; with `by_class`, each class scored by its own variant."""
        if not leaf.by_class:
            return self._leaf(leaf, path, group_id, np.zeros(self.units.n, dtype=bool))
        own = np.isin(self.units.classes, list(leaf.by_class))
        block = self._leaf(leaf, path, group_id, own)
        texts = [block.rule_text]
        for class_id in leaf.by_class:
            mine = self.units.classes == class_id
            variant = self._leaf(leaf.for_class(class_id), path, group_id, ~mine)
            for attr in ("values", "approx", "status", "points", "max_points", "explanation"):
                setattr(block, attr, np.where(mine, getattr(variant, attr), getattr(block, attr)))
            klass = self.scheme.class_by_id(class_id)
            texts.append(f"{klass.name if klass else class_id}:{variant.rule_text}")
        block.rule_text = ";".join(texts[:1]) + ("(" + ";".join(texts[1:]) + ")" if len(texts) > 1 else "")
        return block

    def _leaf(self, leaf: Indicator, path: str, group_id: str, outside: np.ndarray) -> Scored:
        """The leaf under its own rule; units `outside` are left to another variant (by_class)."""
        n = self.units.n
        rule = leaf.rule
        excluded = self.excluded[leaf.id] | outside
        full = float(leaf.points)
        sources: tuple[str, ...] = ()  # metrics whose cells explain a unit without a value
        if leaf.id in self.linked:  # points from another scheme's totals
            sub = self.linked[leaf.id]
            linked = sub.totals.reindex(self.units.ids)
            totals = linked["total"].to_numpy(dtype=float)
            name, unit, metric = sub.scheme.name, "分", ""
            ctx = self._ctx(totals, full, np.isfinite(totals), name, unit, scale=sub.scheme.total)
            ctx = dataclasses.replace(ctx, linked=linked)
            status = np.where(excluded, EXCLUDED, np.where(np.isfinite(totals), OK, MISSING)).astype(np.int8)
            approx = np.zeros(n, dtype=bool)
        elif rule.reads():
            metric, name, unit = "", leaf.title, ""
            sources = tuple(m for m, _ in rule.reads())
            ctx, status, approx = self._items_ctx(leaf, sources, full, excluded)
        else:
            metric = leaf.metric or ""
            sources = (metric,)
            name, unit = self.scheme.metric_label(metric)
            values = self.metrics.get(metric, n)
            status = self._status(metric, values, excluded, leaf.not_applicable == "exclude")
            approx = self.metrics.flag("approx", metric, n)
            ctx = self._ctx(values, full, status == OK, name, unit, rule.threshold_scale(self.period))
        if self.explain:
            outcome = rule.score(ctx)
            earned, why = outcome.points, outcome.explanation
        else:
            earned, why = rule.points(ctx), filled(n, "")
        points, max_points, why = self._apply_policies(leaf, ctx, earned, why, status, name, sources)
        return Scored(
            "indicator", leaf.id, leaf.title, path, group_id, metric, ctx.values, approx, status,
            rule.describe(full, name, unit), points, max_points, why, unit,
        )

    def _items_ctx(self, leaf: Indicator, metrics: tuple[str, ...], full: float, excluded: np.ndarray):
        """A leaf whose rule reads several metrics (`deductions`): a 不适用 item counts nothing and
        is listed; every item 不适用 → the leaf is; any item missing → the leaf is missing."""
        n = self.units.n
        accept = leaf.not_applicable == "exclude"
        inputs, labels, claims = {}, {}, {}
        missing, every_claim = np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
        approx = np.zeros(n, dtype=bool)
        for m in metrics:
            values = self.metrics.get(m, n)
            claims[m] = self.metrics.flag("not_applicable", m, n) & accept
            missing |= np.isnan(values) & ~claims[m]
            every_claim &= claims[m]
            approx |= self.metrics.flag("approx", m, n)
            inputs[m], labels[m] = np.where(claims[m], np.nan, values), self.scheme.metric_label(m)
        status = np.where(excluded, EXCLUDED, np.where(every_claim, NOT_APPLICABLE, np.where(missing, MISSING, OK)))
        for m in metrics if self.explain else ():  # claims of units otherwise scored: that item takes nothing off
            scored = claims[m] & ((status == OK) | (status == MISSING))
            if scored.any():
                cause = gaps.causes(self.metrics, self._label, m, labels[m][0], scored, not_applicable=True)
                self.issues += gaps.issues(self.metrics, m, labels[m][0], scored, cause, self.units.names, "info",
                                           f"指标“{leaf.title}”中该项不扣分")
        ctx = RuleContext(
            values=np.full(n, np.nan), points=full, classes=self.units.classes, peers=status == OK,
            scale=leaf.rule.threshold_scale(self.period), metric_name=leaf.title, precision=self.scheme.precision,
            inputs=inputs, labels=labels,
        )
        return ctx, status.astype(np.int8), approx

    def _ctx(self, values, full, peers, name, unit, scale=1.0) -> RuleContext:
        return RuleContext(
            values=values, points=full, classes=self.units.classes, peers=peers, scale=scale,
            metric_name=name, unit=unit, precision=self.scheme.precision,
        )

    def _status(self, metric: str, values: np.ndarray, excluded: np.ndarray, accept_na: bool) -> np.ndarray:
        """Status code per unit (a position in STATUSES); a 不适用 mark the leaf refuses
        (`not_applicable: missing`) is missing."""
        n = self.units.n
        code = np.zeros(n, dtype=np.int8)  # later assignments win
        code[np.isnan(values)] = MISSING
        code[self.metrics.flag("undefined", metric, n)] = UNDEFINED
        if accept_na:
            code[self.metrics.flag("not_applicable", metric, n)] = NOT_APPLICABLE
        code[excluded] = EXCLUDED
        return code

    def _apply_policies(self, leaf, ctx, points, why, status, name, sources):
        full = ctx.points
        p = self.scheme.precision
        # `status`: codes (compared as integers, not as texts), the leaf's own, changed in
        # place below (undefined → missing)
        points = np.where(status == OK, points, 0.0)
        max_points = np.full(self.units.n, full)
        rewritten = Rewritten(why) if self.explain else None  # codes kept in step with the texts

        def set_(mask, pts, maxp, text: str | Callable[[], np.ndarray]):
            """`text`: one for all units of `mask`, or a function making one each (an array over
            those units only: explanations are joined for the few units a policy concerns, not
            for all), called only when explaining."""
            nonlocal points, max_points
            if not mask.any():  # most policies concern none of a leaf's units
                return
            points = np.where(mask, pts, points)
            max_points = np.where(mask, maxp, max_points)
            if rewritten is not None:
                rewritten.set(mask, text() if callable(text) else text)

        excluded_full = self.excluded_full[leaf.id]
        set_((status == EXCLUDED) & ~excluded_full, 0.0, 0.0, "本类别不考核此项 → 不计分,按适用指标折算")
        set_((status == EXCLUDED) & excluded_full, full, full, f"本类别不检查此项 → 按满分计 {num(full, p)}/{num(full, p)}")
        claimed = status == NOT_APPLICABLE
        if claimed.any():
            set_(claimed, 0.0, 0.0, lambda: join(self._claims(leaf, sources, claimed, name)[claimed],
                                                 " → 不计分,按适用指标折算"))
        undefined = status == UNDEFINED
        policy = leaf.when_undefined
        reason = f"{name}无定义(分母为0,如无申请)"
        if policy == "full":
            set_(undefined, full, full, f"{reason} → 按规定满分 {num(full, p)}/{num(full, p)}")
        elif policy == "zero":
            set_(undefined, 0.0, full, f"{reason} → 按规定0分 0/{num(full, p)}")
        elif policy == "exclude":
            set_(undefined, 0.0, 0.0, f"{reason} → 不计分,按适用指标折算")
        else:
            status[undefined] = MISSING
        missing = status == MISSING
        if not missing.any():
            return points, max_points, rewritten.result() if rewritten is not None else why
        pts, maxp, tail = {
            "full": (full, full, f" → 按规定满分 {num(full, p)}/{num(full, p)}"),
            "exclude": (0.0, 0.0, " → 不计分,按适用指标折算"),
        }.get(leaf.missing, (0.0, full, f" → 按0分计 0/{num(full, p)}"))
        set_(missing, pts, maxp, lambda: join(self._missing(leaf, sources, missing, undefined, reason, name)[missing], tail))
        return points, max_points, rewritten.result() if rewritten is not None else why

    def _claims(self, leaf: Indicator, sources: tuple[str, ...], claimed: np.ndarray, name: str) -> np.ndarray:
        """Why each unit of `claimed` (marked 不适用, accepted) is not scored; an issue per cell."""
        parts = self._first_gaps(sources, claimed, name, not_applicable=True, every=True)
        cause = self._causes(parts, claimed, not_applicable=True)
        for metric, label, mask in parts:
            self.issues += gaps.issues(self.metrics, metric, label, mask, cause, self.units.names, "info",
                                       f"指标“{leaf.title}”不计分,按适用指标折算")
        return cause

    def _missing(self, leaf: Indicator, sources: tuple[str, ...], missing: np.ndarray, undefined: np.ndarray,
                 reason: str, name: str) -> np.ndarray:
        """Why each unit of `missing` has no value (a blank cell, a 不适用 the leaf refuses, an
        undefined ratio); an issue per cell, as severe as the leaf's `missing` policy."""
        refused = self._first_gaps(sources, missing, name, not_applicable=True)  # 不适用 the leaf does not accept
        refused_any = np.logical_or.reduce([mask for _, _, mask in refused] + [np.zeros(self.units.n, dtype=bool)])
        blanks = self._first_gaps(sources, missing & ~refused_any, name)
        cause = self._causes(blanks, missing & ~refused_any)
        cause[refused_any] = self._causes(refused, refused_any, not_applicable=True)[refused_any]
        cause[undefined] = reason
        severity = {"error": "error", "zero": "warning"}.get(leaf.missing, "info")
        what = {"zero": "按0分计", "full": "按满分计", "exclude": "不计分并按适用指标折算", "error": "按0分计(准则要求必须有此数据)"}[leaf.missing]
        for parts, tail, level in ((blanks, f"指标“{leaf.title}”{what}", severity),
                                   (refused, f"但指标“{leaf.title}”不接受不适用,按缺失处理:{what}",
                                    "warning" if severity == "info" else severity)):
            for metric, label, mask in parts:
                self.issues += gaps.issues(self.metrics, metric, label, mask, cause, self.units.names, level, tail)
        return cause

    def _first_gaps(self, sources, mask, name, not_applicable=False, every=False) -> list[tuple[str, str, np.ndarray]]:
        """(metric, its name, units) for the units of `mask`: each unit under the first source
        metric without a value (or marked 不适用), so one cell explains it; with `every`, under
        each source so marked (a leaf all of whose items are 不适用 lists every claim)."""
        n = self.units.n
        label = (lambda m: name) if len(sources) <= 1 else self._label
        left, out = mask.copy(), []
        for metric in sources:
            flagged = self.metrics.flag("not_applicable", metric, n) if not_applicable \
                else np.isnan(self.metrics.get(metric, n))
            hit = (mask if every else left) & flagged
            if hit.any():
                out.append((metric, label(metric), hit))
                left &= ~hit
        if left.any() and not not_applicable:  # no source to name (a linked scheme's total)
            out.append((sources[0] if sources else "", name, left))
        return out

    def _causes(self, parts, mask, not_applicable=False) -> np.ndarray:
        """Per unit of `mask`, why it has no value, from the first part naming it."""
        cause = filled(self.units.n, "")
        for metric, label, hit in reversed(parts):  # the first part wins: assigned last
            text = gaps.causes(self.metrics, self._label, metric, label, hit & mask, not_applicable=not_applicable)
            cause[hit & mask] = text[hit & mask]  # the few units concerned, not an np.where over all
        return cause

    def _label(self, metric: str) -> str:
        return self.scheme.metric_label(metric)[0]

    # ---- bonus items and penalties ----
    def item(self, item: Item, kind: str, cap: float | None) -> Scored:
        n = self.units.n
        rule = item.rule
        name, unit = self.scheme.metric_label(item.metric)
        values = self.metrics.get(item.metric, n)
        usable = np.isfinite(values) & ~self.metrics.flag("not_applicable", item.metric, n)
        self._broken_cells(item.metric, item.title)
        limit = float(item.points) if item.points is not None else (np.inf if cap is None else cap)
        ctx = self._ctx(np.where(usable, values, 0.0), limit, usable, name, unit)
        outcome = rule.score(ctx) if kind == "bonus" else rule.deduction(ctx)
        points = np.where(usable, outcome.points, 0.0)
        why = Rewritten(outcome.explanation)
        why.set(~usable, f"无{name}数据 → 0")
        status = np.where(usable, OK, MISSING).astype(np.int8)
        max_points = np.full(n, limit if np.isfinite(limit) else np.nan)
        return Scored(
            kind, item.id, item.title, item.title, "", item.metric, values,
            self.metrics.flag("approx", item.metric, n), status,
            rule.describe(limit if np.isfinite(limit) else None, name, unit), points, max_points, why.result(), unit,
        )

    def _broken_cells(self, metric: str, title: str) -> None:
        """A warning for each spreadsheet error or unsaved formula an item or veto reads (read as
        no value); an empty cell there simply means nothing to add, deduct or veto."""
        broken = self.metrics.gap(metric, self.units.n) >= 2
        if self.explain and broken.any():
            name = self._label(metric)
            cause = gaps.causes(self.metrics, self._label, metric, name, broken)
            self.issues += gaps.issues(self.metrics, metric, name, broken, cause, self.units.names, "warning",
                                       f"“{title}”按无此数据处理")

    # ---- conditions: vetoes and the bonus gate ----
    def env(self, expr: Expression, points: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Values of the names a condition reads, in the order it names them: indicator points
        (after their own clipping, rounded as shown) or metric values."""
        n = self.units.n
        names = sorted(expr.names, key=lambda m: re.search(rf"\b{re.escape(m)}\b", expr.text).start())
        return {m: half_up(points[m], self.scheme.precision) if m in points else self.metrics.get(m, n) for m in names}

    def label(self, name: str) -> str:
        return label_of(self.scheme, name)

    def readable(self, text: str) -> str:
        return readable(self.scheme, text)

    def shown(self, env: Mapping[str, np.ndarray]) -> np.ndarray:
        """"网站 40、新媒体 3" per unit."""
        parts: list = []
        for i, (name, values) in enumerate(env.items()):
            parts += (["、"] if i else []) + [f"{self.label(name)} ", nums(values, self.scheme.precision)]
        return join(*parts) if parts else filled(self.units.n, "")

    def veto(self, veto: Veto, points: Mapping[str, np.ndarray], hit: np.ndarray | None = None) -> tuple[Scored, np.ndarray]:
        """The veto's block and where it hits (`hit` given: already decided, for scoped vetoes)."""
        n = self.units.n
        expr = condition(veto.when, veto.metric)
        env = self.env(expr, points)
        if hit is None:
            hit = np.nan_to_num(expr.evaluate(env, n, self.period)) != 0
            for metric in sorted(set(expr.names) - set(points)):
                self._broken_cells(metric, veto.title)
        values = self.metrics.get(veto.metric, n) if veto.metric else np.full(n, np.nan)
        unit = self.scheme.metric_label(veto.metric)[1] if veto.metric else ""
        effect = self.veto_effect(veto)
        cond = self.readable(expr.text)
        why = self._veto_why(env, veto.title, hit, f",满足“{cond}” → {effect}") if self.explain else filled(n, "")
        status = np.where(np.isnan(values) & bool(veto.metric), MISSING, OK).astype(np.int8)
        zeros = np.zeros(n)
        rule_text = f"{veto.title}:{cond} 时{effect}"
        scored = Scored(
            "veto", veto.id, veto.title, veto.title, "", veto.metric or "", values,
            np.zeros(n, dtype=bool), status, rule_text, zeros, zeros, why, unit,
        )
        return scored, hit

    def _veto_why(self, env: Mapping[str, np.ndarray], title: str, hit: np.ndarray, effect: str) -> np.ndarray:
        shown = self.shown(env) if env else filled(self.units.n, title)
        return np.where(hit, join(shown, effect), join(shown, " → 未触发")).astype(object)

    def veto_effect(self, veto: Veto) -> str:
        return "单项否决," + veto_effect(self.scheme, veto)
