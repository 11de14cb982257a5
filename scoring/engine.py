"""The order of evaluation (docs/criteria.md) as a chain of named steps, over all units at once:

linked schemes → derive metrics → leaves → adjust (复核调整 of leaf points) → groups (sum, clipped
to the group's points) → rescale units whose class or data leaves indicators out → + bonus
(capped) → − penalties (total floored at 0) → vetoes → round (every number of points, once, half
up to the scheme's precision) → grades (quota demotion) → ranks (overall and per class) → tables.

Each step is a function from the run's fixed inputs (`Run`) and the state so far (`State`) to the
next state; steps that change units' points add structured entries to the state's log.
`STEPS` is the order; `score(..., timer=...)` lets a caller (the benchmark) time each step.

`Shared` holds what the periods of one run derive alike (`score(..., shared=...)`), made once.

`score(..., explain=False)` runs the same steps for a summary: the same points, totals, vetoes,
grades and ranks, without what only an explanation needs (explanation texts and their causes,
the data issues those name, per-unit log entries, the detail, group and input tables). Outputs
read only a comparison period's totals, so that is how a run scores it (`Result.summary`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import cache, partial
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

from scoring import collector
from scoring.data.model import AgencyData
from scoring.data.records import PreparedRecords
from scoring.derive import Metrics, derive
from scoring.evaluate import STATUSES, VETOED, Evaluator, Scored, Units
from scoring.expressions import Expression
from scoring.issues import DataIssue
from scoring.periods import Period
from scoring.ranking import Ordered, grade, sort_keys
from scoring.result import Result, Step
from scoring.rounding import half_up
from scoring.rules.base import coded, filled, join, num, nums, pick
from scoring.scheme.model import Indicator, Scheme
from scoring.steplog import unit_steps
from scoring.tables import categorical, details_table, groups_table, inputs_table

if TYPE_CHECKING:
    from scoring.appeals import Adjustment

Timer = Callable[[str], AbstractContextManager]


def score(scheme: Scheme, data: AgencyData, period: str | Period | None = None, *, timer: Timer | None = None,
          overrides: Mapping[tuple[str, str], "Adjustment"] | None = None, explain: bool = True,
          shared: "Shared | None" = None) -> Result:
    """Score every unit in `data` with `scheme` for `period` (default: the data's period).
    `timer(step_name)`, if given, is entered around each step. `overrides`: (unit_id, leaf id) →
    an approved change of that leaf's points (复核调整, scoring/appeals.py), the `adjust` step.
    `explain=False`: a summary Result, totals only (see the module docstring). `shared`: what the
    other periods of the run derived that this one can use too."""
    period = Period.parse(period) if isinstance(period, str) else (period or data.period)
    run = Run.of(scheme, data, period, overrides, explain, shared or Shared())
    state = State()
    with collector.paused():
        for step in STEPS:
            with timer(step.name) if timer else nullcontext():
                state = step.apply(run, state)
    assert state.result is not None
    return state.result


class Shared:
    """What the periods of one run (and the schemes it links) derive alike, made once: the
    publication records as arrays over the units (a year of records feeds a quarter and the
    quarter it is compared with)."""

    def __init__(self) -> None:
        self._prepared: list[tuple[pd.DataFrame, pd.Index, PreparedRecords]] = []

    def prepared(self, records: pd.DataFrame, unit_ids: pd.Index) -> PreparedRecords:
        for seen, units, prepared in self._prepared:
            if seen is records and units.equals(unit_ids):
                return prepared
        prepared = PreparedRecords.build(records, unit_ids)
        self._prepared.append((records, unit_ids, prepared))
        return prepared


@dataclass(frozen=True)
class Run:
    """What every step reads and none changes."""

    scheme: Scheme
    data: AgencyData
    period: Period
    units: Units
    overrides: Mapping[tuple[str, str], "Adjustment"] = field(default_factory=lambda: MappingProxyType({}))
    explain: bool = True  # False: a summary run (totals only)
    shared: Shared = field(default_factory=Shared)

    @classmethod
    def of(cls, scheme: Scheme, data: AgencyData, period: Period,
           overrides: Mapping[tuple[str, str], "Adjustment"] | None = None, explain: bool = True,
           shared: Shared | None = None) -> "Run":
        u = data.units
        units = Units(
            ids=u["unit_id"].astype(str).to_numpy(dtype=object),
            names=u["name"].astype(str).to_numpy(dtype=object),
            classes=coded(u["class"].fillna("").astype(str).to_numpy(dtype=object)),
        )
        return cls(scheme, data, period, units, MappingProxyType(dict(overrides or {})), explain, shared or Shared())

    def steps(self, stage: str, mask: np.ndarray, template: str, **kw) -> tuple[Step, ...]:
        """Per-unit log entries; none in a summary run."""
        if not self.explain:
            return ()
        return unit_steps(stage, mask, self.units.ids, self.units.names, template, **kw)


class GroupPoints(NamedTuple):
    id: str
    name: str
    points: np.ndarray
    max_points: np.ndarray


@dataclass(frozen=True)
class State:
    """What the steps have worked out so far; each step returns a new one (`advance`)."""

    linked: Mapping[str, Result] = field(default_factory=dict)  # leaf id → result of its linked scheme
    metrics: Metrics | None = None
    blocks: tuple[Scored, ...] = ()  # scored leaves, bonus items, penalties, vetoes in scheme order
    points: Mapping[str, np.ndarray] = field(default_factory=dict)  # indicator id → points after its own clipping
    groups: tuple[GroupPoints, ...] = ()  # first-level indicators
    scoped: Mapping[str, np.ndarray] = field(default_factory=dict)  # scoped veto id → units it hit
    base: np.ndarray | None = None
    max_base: np.ndarray | None = None
    rescale: np.ndarray | None = None
    rescaled: np.ndarray | None = None
    bonus_raw: np.ndarray | None = None
    bonus: np.ndarray | None = None
    penalty: np.ndarray | None = None
    total: np.ndarray | None = None
    failed: np.ndarray | None = None
    veto_effect: np.ndarray | None = None
    veto_reasons: np.ndarray | None = None
    grades: np.ndarray | None = None
    demoted: np.ndarray | None = None
    ordered: Ordered | None = None  # units sorted once by their rank keys, for grades and ranks
    rank: np.ndarray | None = None
    class_rank: np.ndarray | None = None
    issues: tuple[DataIssue, ...] = ()
    log: tuple[Step, ...] = ()
    result: Result | None = None

    def advance(self, log: tuple[Step, ...] = (), issues: tuple[DataIssue, ...] = (), **changes) -> "State":
        return dataclasses.replace(self, log=self.log + tuple(log), issues=self.issues + tuple(issues), **changes)


class EngineStep(NamedTuple):
    name: str
    apply: Callable[[Run, State], State]


# ---- the steps, in order ----

def score_linked(run: Run, state: State) -> State:
    """Score the units with every scheme a leaf links to (each loaded once with the scheme)."""
    linked = {leaf_id: score(sub, run.data, run.period, explain=run.explain, shared=run.shared)
              for leaf_id, sub in run.scheme.linked.items()}
    return state.advance(linked=MappingProxyType(linked))


def derive_metrics(run: Run, state: State) -> State:
    metrics, log = derive(run.scheme, run.data, run.period, run.shared.prepared)
    return state.advance(log, metrics=metrics)


def score_leaves(run: Run, state: State) -> State:
    ev = _evaluator(run, state)
    blocks = []

    def walk(ind: Indicator, path: str, group_id: str) -> None:
        if ind.is_leaf:
            blocks.append(ev.leaf(ind, path, group_id))
            if ind.id in state.linked and run.explain:  # the linked scheme's own items, under the leaf
                blocks.extend(_linked_blocks(state.linked[ind.id], ind.id, path, group_id, run.units.n))
        for child in ind.children or ():
            walk(child, f"{path} / {child.title}", group_id)

    for ind in run.scheme.indicators:
        walk(ind, ind.title, ind.id)
    return state.advance(issues=tuple(ev.issues), blocks=tuple(blocks))


def adjust_leaves(run: Run, state: State) -> State:
    """Approved changes of leaf points (复核调整), before the groups sum them: the new points
    (within the leaf's points for the unit) and the trail in the explanation and the log."""
    if not run.overrides:
        return state
    index = {unit_id: i for i, unit_id in enumerate(run.units.ids)}
    blocks, log = [], []
    for block in state.blocks:
        changes = [(index[u], a) for (u, item), a in run.overrides.items() if item == block.item_id and u in index]
        if block.kind != "indicator" or not changes:
            blocks.append(block)
            continue
        points, explanation = block.points.copy(), block.explanation.astype(object).copy()
        for i, a in changes:
            before = float(points[i])
            points[i] = min(a.new, float(block.max_points[i]))
            if not run.explain:
                continue
            trail = a.trail(num(before, run.scheme.precision))
            explanation[i] = f"{explanation[i]}〔{trail}〕"
            log.append(Step("adjust", f"{a.unit_name}:“{block.item_name}”{trail}", a.unit_id, block.item_id,
                            before, float(points[i]), (("reason", a.reason), ("approved_by", a.approved_by),
                                                       ("date", a.date), ("file", a.file), ("row", a.row))))
        blocks.append(dataclasses.replace(block, points=points, explanation=explanation))
    return state.advance(tuple(log), blocks=tuple(blocks))


def sum_groups(run: Run, state: State) -> State:
    """Groups sum their children; a first-level group is clipped to [0, its points], a middle
    group from above, and from below only when a child deducts with `floor: parent` (so
    `floor: group` deductions reach the first level). Scoped vetoes (`scope:`) then zero their
    indicator, before anything reads its points (rescale, bonus gate, tie-breaks)."""
    points, groups, log = _sum_tree(run, state, {})
    ev = _evaluator(run, state)
    scoped = {v.id: ev.veto(v, points)[1] for v in run.scheme.vetoes if v.scope}
    blocks = state.blocks
    if any(hit.any() for hit in scoped.values()):
        zeroed: dict[str, np.ndarray] = {}
        for veto in (v for v in run.scheme.vetoes if v.scope):
            zeroed[veto.scope] = zeroed.get(veto.scope, np.zeros(run.units.n, dtype=bool)) | scoped[veto.id]
        blocks = _veto_leaves(run, blocks, zeroed, points)
        for veto in (v for v in run.scheme.vetoes if v.scope):
            node = ev.nodes[veto.scope]
            log += run.steps("veto", scoped[veto.id], "触发单项否决“{veto}”,“{scope}”计0分(原为 {before} 分)",
                             item_id=veto.id, before=points[veto.scope], after=0.0, veto=veto.title, scope=node.title)
        points, groups, more = _sum_tree(run, state.advance(blocks=blocks), zeroed)
        log += more
    n = run.units.n
    base = np.sum([g.points for g in groups], axis=0) if groups else np.zeros(n)
    max_base = np.sum([g.max_points for g in groups], axis=0) if groups else np.zeros(n)
    return state.advance(tuple(log), blocks=blocks, points=MappingProxyType(points), groups=tuple(groups),
                         base=base, max_base=max_base, scoped=MappingProxyType(scoped))


def _sum_tree(run: Run, state: State, zeroed: Mapping[str, np.ndarray]):
    """Points of every indicator, the first-level groups and their log (`zeroed`: indicator id
    → units whose points a scoped veto sets to 0)."""
    leaf_points = {b.item_id: (b.points, b.max_points) for b in state.blocks if b.kind == "indicator"}
    points: dict[str, np.ndarray] = {}
    log: list[Step] = []

    def walk(ind: Indicator, top: bool) -> tuple[np.ndarray, np.ndarray]:
        if ind.is_leaf:
            pts, maxp = leaf_points[ind.id]
        else:
            parts = [walk(child, False) for child in ind.children or ()]
            raw = np.sum([p for p, _ in parts], axis=0)
            maxp = np.sum([m for _, m in parts], axis=0)
            floored = top or any(c.is_leaf and c.rule.floor == "parent" for c in ind.children or ())
            pts = np.clip(raw, 0.0, maxp) if floored else np.minimum(raw, maxp)
            if floored:
                log.extend(run.steps("group", raw < -1e-9, "“{group}”扣分合计超过本项分值,按0分计(原为 {before} 分)",
                                     item_id=ind.id, before=raw, after=pts, group=ind.title))
            if top:
                log.extend(run.steps("group", raw > maxp + 1e-9, "“{group}”得分超过本项分值,按 {after} 分计",
                                     item_id=ind.id, before=raw, after=pts, group=ind.title))
        if ind.id in zeroed:
            pts = np.where(zeroed[ind.id], 0.0, pts)
        points[ind.id] = pts
        return pts, maxp

    groups = []
    for ind in run.scheme.indicators:
        pts, maxp = walk(ind, True)
        groups.append(GroupPoints(ind.id, ind.title, pts, maxp))
    return points, groups, tuple(log)


def _veto_leaves(run: Run, blocks: tuple[Scored, ...], zeroed: Mapping[str, np.ndarray], points) -> tuple[Scored, ...]:
    """Leaves under a vetoed indicator show 0 and why, for the units it hit."""
    nodes = {node.id: node for node in run.scheme.nodes()}
    hit_of_leaf: dict[str, np.ndarray] = {}
    for scope, hit in zeroed.items():
        for leaf in nodes[scope].leaves():
            hit_of_leaf[leaf.id] = hit_of_leaf.get(leaf.id, np.zeros(run.units.n, dtype=bool)) | hit
    titles = {v.scope: v.title for v in run.scheme.vetoes if v.scope}
    out = []
    for b in blocks:
        hit = hit_of_leaf.get(b.item_id) if b.kind == "indicator" else None
        if hit is None or not hit.any():
            out.append(b)
            continue
        scope = next(s for s in zeroed if b.item_id in {leaf.id for leaf in nodes[s].leaves()} and zeroed[s].any())
        why = _explained(run, hit, partial(join, b.explanation, f";单项否决“{titles[scope]}” → 否决,计0分"), b.explanation)
        out.append(dataclasses.replace(b, points=np.where(hit, 0.0, b.points), explanation=why,
                                       status=np.where(hit, VETOED, b.status).astype(np.int8)))
    return tuple(out)


def rescale(run: Run, state: State) -> State:
    """Units with indicators left out (class or data) are scaled up to the scheme's total."""
    total, base, max_base = run.scheme.total, state.base, state.max_base
    partial = (max_base > 1e-9) & (max_base < total - 1e-9)
    factor = np.where(partial, total / np.where(max_base > 0, max_base, 1.0), 1.0)
    rescaled = base * factor
    log = run.steps("rescale", partial, "适用指标满分 {max_base} 分,得 {before} 分,按 ×{total}/{max_base} 折算为 {after} 分",
                    before=base, after=rescaled, max_base=max_base, total=float(total))
    log += run.steps("rescale", max_base <= 1e-9, "没有适用的指标,基础分为0", before=base, after=rescaled)
    return state.advance(log, rescale=factor, rescaled=rescaled)


def add_bonus(run: Run, state: State) -> State:
    """Bonus items, only where `bonus.gate` holds (indicator points as shown, after scoped
    vetoes), their sum capped at `bonus.cap` if given."""
    n, bonus = run.units.n, run.scheme.bonus
    raw = np.zeros(n)
    if not bonus:
        return state.advance(bonus_raw=raw, bonus=raw)
    ev = _evaluator(run, state)
    blocks = tuple(ev.item(item, "bonus", bonus.cap) for item in bonus.items)
    log: tuple[Step, ...] = ()
    if bonus.gate:
        gate = Expression(bonus.gate)
        env = ev.env(gate, state.points)
        closed = np.nan_to_num(gate.evaluate(env, n, run.period)) == 0
        said = cache(lambda: join(ev.shown(env), f",不满足加分条件“{ev.readable(gate.text)}” → 不加分"))  # once, if asked
        earned = np.sum([b.points for b in blocks], axis=0) if blocks else raw
        blocks = tuple(dataclasses.replace(b, points=np.where(closed, 0.0, b.points),
                                           explanation=_explained(run, closed, said, b.explanation)) for b in blocks)
        log = run.steps("bonus", closed & (earned > 0), "不满足加分条件“{gate}”,加分 {before} 分不计",
                        before=earned, after=0.0, gate=ev.readable(gate.text))
    for block in blocks:
        raw = raw + block.points
    capped = raw if bonus.cap is None else np.minimum(raw, bonus.cap)
    log += run.steps("bonus", raw > capped + 1e-9, "加分合计 {before} 分,超过上限 {cap} 分,按 {cap} 分计",
                     before=raw, after=capped, cap=float(bonus.cap or 0))
    return state.advance(log, ev.issues, blocks=state.blocks + blocks, bonus_raw=raw, bonus=capped)


def take_penalties(run: Run, state: State) -> State:
    ev = _evaluator(run, state)
    blocks = tuple(ev.item(item, "penalty", np.inf) for item in run.scheme.penalties)
    penalty = np.sum([b.points for b in blocks], axis=0) if blocks else np.zeros(run.units.n)
    before_floor = state.rescaled + state.bonus - penalty
    total = np.maximum(before_floor, 0.0)
    log = run.steps("penalty", before_floor < -1e-9, "扣除重大扣分项后总分为 {before} 分,按0分计",
                    before=before_floor, after=total)
    return state.advance(log, ev.issues, blocks=state.blocks + blocks, penalty=penalty, total=total)


def apply_vetoes(run: Run, state: State) -> State:
    """`fail`: lowest grade, ranked last; `zero`: total 0; `cap`: total at most `cap`, ranked by
    it. Scoped vetoes acted at the groups step; here they add their block and reason."""
    n = run.units.n
    ev = _evaluator(run, state)
    total = state.total
    failed = np.zeros(n, dtype=bool)
    strength = np.zeros(n, dtype=np.int8)  # the strongest effect names the unit's: a position in EFFECTS
    reasons = filled(n, "")
    blocks, log = [], []
    for veto in run.scheme.vetoes:
        block, hit = ev.veto(veto, state.points, state.scoped.get(veto.id))
        blocks.append(block)
        reasons = _listed(reasons, hit, veto.title)
        if veto.scope:
            continue
        before = total
        if veto.effect == "fail":
            failed |= hit
        elif veto.effect == "cap":
            total = np.where(hit, np.minimum(total, veto.cap), total)
        else:
            total = np.where(hit, 0.0, total)
        strength = np.where(hit & (strength < EFFECTS.index(veto.effect)), EFFECTS.index(veto.effect), strength)
        what = {"fail": "等次为最低等次,排在最后", "zero": "总分计0分"}.get(veto.effect, f"总分最高计 {num(veto.cap or 0)} 分")
        log.extend(run.steps("veto", hit, "触发单项否决“{veto}”({what})", item_id=veto.id,
                             before=before, after=total, veto=veto.title, effect=veto.effect, what=what))
    return state.advance(tuple(log), blocks=state.blocks + tuple(blocks), total=total,
                         failed=failed, veto_effect=pick(EFFECTS, strength), veto_reasons=reasons)


EFFECTS = ("", "cap", "zero", "fail")  # a veto's effects, weakest first


def _listed(names: np.ndarray, hit: np.ndarray, name: str) -> np.ndarray:
    """`name` added to the hit units' lists ("A、B"; "" is an empty list), as a new array; the
    others' entries untouched (a vectorised `+` would make 100,000 new strings per name)."""
    out = names.copy()
    at = np.flatnonzero(hit)
    out[at] = [f"{listed}、{name}" if listed else name for listed in names[at].tolist()]
    return out


def round_points(run: Run, state: State) -> State:
    """Every number of points rounded once, half up, to the scheme's precision: grades, ranks,
    tie-breaks and every output read these. Sums were taken before, from unrounded points."""
    p = run.scheme.precision
    done: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # id → (array, rounded)

    def r(values: np.ndarray) -> np.ndarray:
        # a leaf's points are also its indicator's (state.points): rounded once; an array of one
        # number (most leaves' max_points) by rounding that number
        seen = done.get(id(values))
        if seen is not None and seen[0] is values:
            return seen[1]
        flat = np.asarray(values, dtype=float)
        same = flat.size > 1 and bool((flat == flat.flat[0]).all())
        rounded = np.full(flat.shape, half_up(flat.flat[:1], p)[0]) if same else half_up(flat, p)
        done[id(values)] = (values, rounded)
        return rounded

    return state.advance(
        blocks=tuple(dataclasses.replace(b, points=r(b.points), max_points=r(b.max_points)) for b in state.blocks),
        points=MappingProxyType({k: r(v) for k, v in state.points.items()}),
        groups=tuple(g._replace(points=r(g.points), max_points=r(g.max_points)) for g in state.groups),
        base=r(state.base), max_base=r(state.max_base), rescaled=r(state.rescaled), bonus_raw=r(state.bonus_raw),
        bonus=r(state.bonus), penalty=r(state.penalty), total=r(state.total),
    )


def assign_grades(run: Run, state: State) -> State:
    u = run.units
    tiebreaks = [state.points[tid] for tid in run.scheme.tiebreak]
    ordered = Ordered(sort_keys(state.total, state.failed, tiebreaks))
    grades, demoted, log = grade(run.scheme, state.total, state.failed, ordered, u.classes, u.names, u.ids)
    return state.advance(log, grades=grades, demoted=demoted, ordered=ordered)


def assign_ranks(run: Run, state: State) -> State:
    assert state.ordered is not None
    rank = state.ordered.ranks()
    log: tuple[Step, ...] = ()
    if run.scheme.tiebreak:
        full = rank
        separated = state.ordered.ranks(leading=2) != full  # by the first two keys, failed and total
        log = run.steps("rank", separated, "总分与其他单位相同,按 tiebreak({order})排第 {after} 名",
                        after=full, digits=0, order="、".join(run.scheme.tiebreak))
    return state.advance(log, rank=rank, class_rank=state.ordered.ranks(run.units.classes))


def build_tables(run: Run, state: State) -> State:
    s, u = run.scheme, run.units
    class_names = {c.id: c.name for c in s.classes}
    codes, distinct = pd.factorize(u.classes)
    class_name = pick([class_names.get(c, c or "未分类") for c in distinct], codes)
    units = pd.DataFrame({"unit_id": u.ids, "name": u.names, "class": u.classes, "class_name": class_name})
    totals = pd.DataFrame({
        "unit_id": u.ids, "name": u.names, "class": u.classes, "class_name": class_name,
        "base": state.base, "max_base": state.max_base, "rescale": state.rescale,
        "rescale_text": np.where(state.rescale != 1.0, join(f"{num(s.total, 6)}/", nums(state.max_base, 6)), ""),
        "rescaled": state.rescaled,
        "bonus_raw": state.bonus_raw, "bonus": state.bonus, "penalty": state.penalty, "total": state.total,
        "vetoed": state.failed | (state.veto_effect != ""), "veto_effect": state.veto_effect,
        "veto_reasons": state.veto_reasons, "grade": state.grades, "demoted": state.demoted,
        "rank": state.rank, "class_rank": state.class_rank,
    }).set_index("unit_id")
    if not run.explain:
        return state.advance(result=Result.summary_of(s, run.period, units, totals, _derived(run, state.metrics),
                                                      state.linked))
    issues, log = list(run.data.issues) + list(state.issues), list(state.log)
    for sub in state.linked.values():
        issues += [i for i in sub.issues if i not in issues]
        log += [st._replace(message=f"〔{sub.scheme.name}〕{st.message}") for st in sub.log]
    result = Result(
        scheme=s, period=run.period, units=units,
        details=details_table(state.blocks, u, s.precision), totals=totals,
        groups=groups_table(state.groups, u, _group_marks(run, state)),
        inputs=inputs_table(s, run.data, u), issues=tuple(issues), log=tuple(log),
        metrics=_derived(run, state.metrics), linked=state.linked,
    )
    return state.advance(result=result)


STEPS: tuple[EngineStep, ...] = (
    EngineStep("linked", score_linked),
    EngineStep("derive", derive_metrics),
    EngineStep("leaves", score_leaves),
    EngineStep("adjust", adjust_leaves),
    EngineStep("groups", sum_groups),
    EngineStep("rescale", rescale),
    EngineStep("bonus", add_bonus),
    EngineStep("penalties", take_penalties),
    EngineStep("vetoes", apply_vetoes),
    EngineStep("round", round_points),
    EngineStep("grades", assign_grades),
    EngineStep("ranks", assign_ranks),
    EngineStep("tables", build_tables),
)


# ---- shared by the steps ----

def _evaluator(run: Run, state: State) -> Evaluator:
    assert state.metrics is not None
    return Evaluator(run.scheme, state.metrics, run.units, run.period, state.linked, run.explain)


def _explained(run: Run, hit: np.ndarray, text: Callable[[], np.ndarray], explanation: np.ndarray) -> np.ndarray:
    """`explanation` with `text()` for the units `hit`; in a summary run unchanged, no text made."""
    if not run.explain:
        return explanation
    return np.where(hit, text(), explanation).astype(object)


def _linked_blocks(sub: Result, leaf_id: str, path: str, group_id: str, n: int) -> list[Scored]:
    """A linked scheme's detail rows as blocks under its leaf: paths prefixed with the leaf's,
    ids with the leaf's id; kind "linked" (they do not add to the outer scheme's points)."""
    d = sub.details
    if not n or d.empty:
        return []
    k = len(d) // n  # unit-major: the same units in the same order, k items each

    def column(name: str, j: int) -> np.ndarray:
        return d[name].to_numpy(dtype=object)[j::k]

    status = pd.Index(STATUSES).get_indexer(d["status"].to_numpy(dtype=object)).astype(np.int8)

    blocks = []
    for j in range(k):
        first = d.iloc[j]
        blocks.append(Scored(
            "linked", f"{leaf_id}/{first['item_id']}", str(first["item_name"]), f"{path} / {first['path']}", group_id,
            str(first["metric"]), d["value"].to_numpy(dtype=float)[j::k], d["approx"].to_numpy(dtype=bool)[j::k],
            status[j::k], str(first["rule_text"]), d["points"].to_numpy(dtype=float)[j::k],
            d["max_points"].to_numpy(dtype=float)[j::k], column("explanation", j),
        ))
    return blocks


def _group_marks(run: Run, state: State) -> tuple[np.ndarray, np.ndarray]:
    """Per first-level group × unit (group-major): its own grade and the scoped veto that hit it."""
    n = run.units.n
    grades, vetoes = [], []
    for ind, g in zip(run.scheme.indicators, state.groups):
        label = filled(n, "")
        for grade_ in reversed(ind.grades):  # the first match from the top wins
            label[g.points >= grade_.min - 1e-9] = grade_.label
        veto = filled(n, "")
        for v in run.scheme.vetoes:
            if v.scope == ind.id:
                veto = _listed(veto, state.scoped[v.id], v.title)
        grades.append(label)
        vetoes.append(veto)
    return (np.concatenate(grades) if grades else np.array([], dtype=object),
            np.concatenate(vetoes) if vetoes else np.array([], dtype=object))


def _derived(run: Run, metrics: Metrics | None) -> pd.DataFrame:
    """Values of the scheme's derived metrics (ratio, expr, records) per unit."""
    ids = [m.id for m in run.scheme.metrics if m.derived and metrics is not None and m.id in metrics.values]
    frame = pd.DataFrame({m: metrics.values[m] for m in ids} if ids else {}, index=pd.Index(run.units.ids, name="unit_id"))
    return frame


__all__ = ["STEPS", "EngineStep", "Run", "Shared", "State", "categorical", "score"]
