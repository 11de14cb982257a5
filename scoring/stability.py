"""How sure is the ranking: a Monte Carlo over the run's own uncertainties (`score --stability`).

Each draw gives every uncertain input a value from what it stands for (see scoring/uncertainty.py:
"600余" is somewhere in [600, 700), a third-party score has its declared `sd`), optionally
perturbs the first-level weights (`weights=0.1`: each weight × U(0.9, 1.1), renormalised to the
scheme's total), scores the leaves those inputs feed, and ranks the units again. All draws of a
chunk are numpy arrays of draws × units; no Python loop per draw or per unit.

What a draw recomputes, and what it holds fixed:
- leaves whose value is uncertain are scored again by their own rule, or their class's `by_class`
  variant (peer rules such as `rank` and `relative` see the whole class of the same draw); other
  leaves keep their points;
- groups are summed and clipped again, the class rescale is recomputed for the drawn weights;
- bonus, penalties and vetoes keep the points and effects of the run itself (a unit an
  `effect: cap` veto hit stays under its cap in every draw), and every unit keeps
  whatever the engine added beyond this recomputation (so a draw without uncertainty reproduces
  the run's totals exactly);
- totals are rounded as the run rounds them; ranks are within each class (ties share a rank,
  vetoed units last); grades follow the thresholds and quotas of the scheme.

For each unit: median rank, the 5–95% rank interval, and the probability of keeping its grade; for
each pair of neighbours in the ranking, the share of draws in which the upper one stays ahead:
settled when it is at least 95%.

Example::

    from scoring.stability import stability
    st = stability(result, draws=1000, seed=1, weights=0.1)
    st.units[["name", "rank", "rank_low", "rank_high", "grade_probability"]]
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.result import Result
from scoring.rounding import half_up
from scoring.rules.base import Rule, RuleContext
from scoring.scheme.model import Indicator, Scheme
from scoring.uncertainty import DEFAULT, Uncertainty, draw, interval

SETTLED = 0.95  # an order that holds in at least this share of draws is settled
LOW, HIGH = 5, 95  # percentiles of the rank interval
CHUNK_CELLS = 1_000_000  # draws × units per chunk: bounds memory at province scale
THREADS = 2
PEER_RULES = ("rank", "relative")
COUNT_UNITS = {"条", "件", "篇", "期", "次", "人次", "人", "个", "份", "项", "家", "场", "天", "月"}


@dataclass(frozen=True)
class Stability:
    """What the analysis found. `units` in ranking order; `pairs` one row per neighbouring pair."""

    draws: int
    seed: int
    weights: float
    uncertain_values: int  # unit × metric values that vary between draws
    units: pd.DataFrame  # unit_id, name, class, class_name, rank, median_rank, rank_low, rank_high,
    #                      grade, grade_probability, next_unit, ahead_share, settled
    pairs: pd.DataFrame  # class, upper_id, upper, lower_id, lower, upper_rank, lower_rank, ahead_share, settled, tied

    @property
    def unsettled(self) -> int:
        """Neighbouring pairs whose order does not hold in 95% of draws (ties not counted)."""
        return int((~self.pairs["settled"] & ~self.pairs["tied"]).sum())


def stability(
    result: Result, draws: int = 1000, seed: int = 0, weights: float = 0.0,
    progress: Callable | None = None,
) -> Stability:
    """Rank stability of `result` under its uncertain inputs (and optionally its weights)."""
    if draws < 1:
        raise ValueError("draws must be positive")
    model = _Model(result, weights)
    n = model.n
    ranks = np.empty((draws, n), dtype=np.int32)
    levels = np.empty((draws, n), dtype=np.int16)
    per_chunk = max(1, min(draws, CHUNK_CELLS // max(n, 1)))
    starts = list(range(0, draws, per_chunk))
    # each chunk draws from its own stream of the seed, so the answer does not depend on which
    # thread ran which chunk; numpy releases the GIL in the heavy calls, so two threads use both cores
    streams = np.random.SeedSequence(seed).spawn(len(starts))

    def run(i: int) -> int:
        start = starts[i]
        stop = min(draws, start + per_chunk)
        totals = model.totals(np.random.default_rng(streams[i]), stop - start)
        ranks[start:stop], levels[start:stop] = model.rank_and_grade(totals)
        return i

    with ThreadPoolExecutor(max_workers=min(THREADS, len(starts))) as pool:
        done = pool.map(run, range(len(starts)))
        for _ in (progress(done, "排名稳定性分析", len(starts)) if progress else done):
            pass
    return model.summarise(ranks, levels, draws, seed, weights)


def _veto_caps(result: Result, ids: np.ndarray) -> np.ndarray:
    """Per unit, the lowest `cap` of the unscoped `effect: cap` vetoes that hit it in the run
    (their log entries name unit and veto); +inf where none did."""
    caps = {v.id: float(v.cap) for v in result.scheme.vetoes if v.effect == "cap" and not v.scope and v.cap is not None}
    out = np.full(len(ids), np.inf)
    position = {unit_id: i for i, unit_id in enumerate(ids)}
    for step in result.log:
        if step.stage == "veto" and step.item_id in caps and step.unit_id in position:
            i = position[step.unit_id]
            out[i] = min(out[i], caps[step.item_id])
    return out


class _Model:
    """The parts of a run a draw recomputes, as arrays over units."""

    def __init__(self, result: Result, weights: float):
        self.result, self.scheme, self.weight_spread = result, result.scheme, weights
        s = self.scheme
        t = result.totals
        self.ids = t.index.to_numpy(dtype=object).astype(str)
        self.n = len(self.ids)
        self.class_code, _ = pd.factorize(t["class"].astype(str).to_numpy())
        self.failed = (t["veto_effect"].to_numpy(dtype=object) == "fail")
        self.zeroed = (t["veto_effect"].to_numpy(dtype=object) == "zero")
        self.cap = _veto_caps(result, self.ids)  # `effect: cap` vetoes that hit: each draw stays under them
        self.extra = (t["bonus"].to_numpy(dtype=float) - t["penalty"].to_numpy(dtype=float))
        self.engine_total = t["total"].to_numpy(dtype=float)
        # equal drawn totals keep the run's order: its tie-breaks (or its shared rank)
        self.tiebreak = t["class_rank"].to_numpy(dtype=np.int64)
        position = pd.Index(self.ids)
        leaves = result.details[result.details["kind"].astype(str) == "indicator"]
        self.leaf_points: dict[str, np.ndarray] = {}
        self.leaf_max: dict[str, np.ndarray] = {}
        self.uncertain: dict[str, list[_Uncertain]] = {}  # a leaf with `by_class`: one per variant
        classes = t["class"].fillna("").astype(str).to_numpy(dtype=object)
        inputs = _input_texts(result, position)
        for item_id, rows in leaves.groupby(leaves["item_id"].astype(str), sort=False, observed=True):
            at = position.get_indexer(rows["unit_id"].astype(str))
            points, maxp = np.zeros(self.n), np.zeros(self.n)
            points[at] = rows["points"].to_numpy(dtype=float)
            maxp[at] = rows["max_points"].to_numpy(dtype=float)
            self.leaf_points[item_id], self.leaf_max[item_id] = points, maxp
            leaf = _leaf(s, item_id)
            if leaf is None or leaf.metric is None:
                continue
            spec = _spec(s, leaf.metric)
            values = np.full(self.n, np.nan)
            values[at] = rows["value"].to_numpy(dtype=float)
            ok = np.zeros(self.n, dtype=bool)
            ok[at] = rows["status"].astype(str).to_numpy() == "ok"
            approx = np.zeros(self.n, dtype=bool)
            approx[at] = rows["approx"].to_numpy(dtype=bool)
            unit = s.metric_label(leaf.metric)[1]
            # each class with its own variant is scored (and, for peer rules, ranked) by it
            variants = [(leaf, ~np.isin(classes, list(leaf.by_class)))]
            variants += [(leaf.for_class(c), classes == c) for c in leaf.by_class]
            parts = [_Uncertain.build(variant, values, ok & np.isfinite(values) & mine, approx, spec,
                                      inputs.get(leaf.metric, {}), self.ids, unit, s.precision)
                     for variant, mine in variants]
            if any(u is not None for u in parts):
                self.uncertain[item_id] = [u for u in parts if u is not None]
        self.base_totals = self._totals_from(self.leaf_points, np.ones((1, len(s.indicators))))[0]

    # ---- one chunk of draws ----
    def totals(self, rng: np.random.Generator, draws: int) -> np.ndarray:  # thread-safe: reads only
        """draws × units totals, rounded as the run rounds them."""
        points: dict[str, np.ndarray] = dict(self.leaf_points)
        for item_id, parts in self.uncertain.items():
            for u in parts:  # by_class variants: each replaces the points of its own units
                points[item_id] = u.points(rng, draws, points[item_id], self.class_code, self.result)
        k = len(self.scheme.indicators)
        factors = np.ones((draws, k))
        if self.weight_spread > 0 and k:
            factors = 1 + self.weight_spread * (2 * rng.random((draws, k)) - 1)
        totals = self._totals_from(points, factors)
        return half_up(np.minimum(totals + (self.engine_total - self.base_totals), self.cap), self.scheme.precision)

    def _totals_from(self, points: dict[str, np.ndarray], factors: np.ndarray) -> np.ndarray:
        s = self.scheme
        maxima = np.array([float(ind.points) for ind in s.indicators])
        weight = factors * (s.total / np.maximum((factors * maxima).sum(axis=1, keepdims=True), 1e-12)) if len(maxima) else factors
        base = np.zeros((factors.shape[0], self.n))
        max_base = np.zeros((factors.shape[0], self.n))
        for g, ind in enumerate(s.indicators):
            pts, maxp = self._indicator(ind, ind.id, points)
            base = base + np.atleast_2d(pts) * weight[:, g : g + 1]
            max_base = max_base + np.atleast_2d(maxp) * weight[:, g : g + 1]
        partial = (max_base > 1e-9) & (max_base < s.total - 1e-9)
        rescale = np.where(partial, s.total / np.where(max_base > 0, max_base, 1.0), 1.0)
        total = np.minimum(np.maximum(base * rescale + self.extra, 0.0), self.cap)
        return np.where(self.zeroed, 0.0, total)

    def _indicator(self, ind: Indicator, group_id: str, points: dict[str, np.ndarray]):
        if ind.is_leaf:
            return points[ind.id], self.leaf_max[ind.id]
        parts = [self._indicator(c, group_id, points) for c in ind.children or ()]
        raw = sum(p for p, _ in parts)
        maxp = sum(m for _, m in parts)
        if ind.id != group_id:
            return np.minimum(raw, maxp), maxp
        return np.clip(raw, 0.0, maxp), maxp

    def rank_and_grade(self, totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Class ranks and grade levels per draw (draws × units)."""
        draws = totals.shape[0]
        n_classes = int(self.class_code.max()) + 1 if self.n else 1
        group = (np.arange(draws)[:, None] * n_classes + self.class_code[None, :]).ravel()
        failed = np.broadcast_to(self.failed, totals.shape).ravel()
        tiebreak = np.broadcast_to(self.tiebreak, totals.shape).ravel()
        flat = totals.ravel()
        # one int64 key per row (group, vetoed, higher total, run's order) sorts like a lexsort
        # of four keys at a fraction of its cost; totals are whole numbers of 10^-precision
        steps = np.round(flat * 10.0**self.scheme.precision).astype(np.int64)
        span = int(steps.max() - steps.min()) + 1 if len(steps) else 1
        width = int(self.tiebreak.max()) + 1 if self.n else 1
        key = (((group * 2 + failed) * span + (steps.max() - steps)) * width + tiebreak) if len(steps) else group
        if float(group.max() + 1) * 2 * span * width >= 2**62:  # too wide for one key: sort by parts
            order = np.lexsort((tiebreak, -flat, failed, group))
        else:
            order = np.argsort(key, kind="stable")
        ranks = _competition(group[order], failed[order], steps[order], tiebreak[order])
        rank = np.empty(len(flat), dtype=np.int32)
        rank[order] = ranks
        level = self._grades(flat, failed, group, rank).reshape(totals.shape)
        return rank.reshape(totals.shape), level

    def _grades(self, total, failed, group, rank) -> np.ndarray:
        grades = self.scheme.grades
        if not grades:
            return np.zeros(len(total), dtype=np.int16)
        level = np.full(len(total), len(grades) - 1, dtype=np.int16)
        for i in range(len(grades) - 1, -1, -1):
            level[total >= grades[i].min - 1e-9] = i
        level[failed] = len(grades) - 1
        size = np.bincount(group)
        for i, g in enumerate(grades[:-1]):
            if g.max_share is None:
                continue
            allowed = np.floor(g.max_share * size + 1e-9).astype(np.int64)
            inside = np.flatnonzero(level == i)
            order = inside[np.argsort(group[inside].astype(np.int64) * (len(total) + 1) + rank[inside], kind="stable")]
            grp = group[order]
            first = np.r_[0, np.flatnonzero(grp[1:] != grp[:-1]) + 1]
            position = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
            over = position >= allowed[grp]
            # a tie straddling the cut is demoted whole: the cut is the rank at position `allowed`
            cut = np.full(len(size), np.iinfo(np.int32).max, dtype=np.int64)
            np.minimum.at(cut, grp[over], rank[order][over])
            demote = rank[order] >= cut[grp]
            level[order[demote]] = i + 1
        return level

    # ---- summary ----
    def summarise(self, ranks: np.ndarray, levels: np.ndarray, draws: int, seed: int, weights: float) -> Stability:
        r = self.result
        t = r.totals
        labels = [g.label for g in self.scheme.grades]
        base_level = pd.Series(t["grade"].astype(str).to_numpy()).map({lab: i for i, lab in enumerate(labels)})
        keep = (levels == base_level.fillna(-1).to_numpy()[None, :]).mean(axis=0) if labels else np.ones(self.n)
        units = pd.DataFrame({
            "unit_id": self.ids, "name": t["name"].to_numpy(), "class": t["class"].to_numpy(),
            "class_name": t["class_name"].to_numpy(), "rank": t["class_rank"].to_numpy(),
            "median_rank": np.median(ranks, axis=0),
            "rank_low": np.percentile(ranks, LOW, axis=0, method="lower").astype(int),
            "rank_high": np.percentile(ranks, HIGH, axis=0, method="higher").astype(int),
            "grade": t["grade"].to_numpy(), "grade_probability": keep,
        })
        order = r.ranking().index.astype(str)
        units = units.set_index("unit_id").loc[order].reset_index()
        position = pd.Index(self.ids)
        at = position.get_indexer(units["unit_id"])
        same_class = units["class"].to_numpy()[1:] == units["class"].to_numpy()[:-1]
        upper, lower = at[:-1][same_class], at[1:][same_class]
        ahead = (ranks[:, upper] < ranks[:, lower]).mean(axis=0)
        tied = t["class_rank"].to_numpy()[upper] == t["class_rank"].to_numpy()[lower]
        pairs = pd.DataFrame({
            "class": units["class"].to_numpy()[:-1][same_class],
            "upper_id": self.ids[upper], "upper": t["name"].to_numpy()[upper],
            "lower_id": self.ids[lower], "lower": t["name"].to_numpy()[lower],
            "upper_rank": t["class_rank"].to_numpy()[upper], "lower_rank": t["class_rank"].to_numpy()[lower],
            "ahead_share": ahead, "settled": ahead >= SETTLED - 1e-12, "tied": tied,
        })
        nxt = pairs.set_index("upper_id")
        units["next_unit"] = units["unit_id"].map(nxt["lower"]).fillna("")
        units["next_rank"] = units["unit_id"].map(nxt["lower_rank"])
        units["ahead_share"] = units["unit_id"].map(nxt["ahead_share"])
        units["settled"] = units["unit_id"].map(nxt["settled"] | nxt["tied"]).fillna(True).astype(bool)
        uncertain = sum(int(u.cells.sum()) for parts in self.uncertain.values() for u in parts)
        return Stability(draws, seed, weights, uncertain, units, pairs)


@dataclass(frozen=True)
class _Uncertain:
    """One leaf's uncertain values: which units, over what interval, with what noise."""

    rule: Rule
    ctx: RuleContext
    cells: np.ndarray  # bool per unit: this unit's value varies
    values: np.ndarray
    low: np.ndarray
    high: np.ndarray
    sd: np.ndarray
    relative: np.ndarray
    ok: np.ndarray  # the unit's value was scored by the rule (others keep their policy points)
    peer_rule: bool
    grain: float  # drawn values lie on this grid: whole numbers for counts

    @staticmethod
    def build(leaf: Indicator, values, ok, approx, spec: Uncertainty, raw: dict, ids, unit: str, precision: int) -> "_Uncertain | None":
        cells = ok & (approx | (spec.sd > 0) | (spec.relative > 0))
        if not cells.any():
            return None
        low, high = values.copy(), values.copy()
        for i in np.flatnonzero(ok & approx):
            span = interval(values[i], raw.get(ids[i], ""), spec)
            low[i], high[i] = span.low, span.high
        rule = _rule_of(leaf)
        return _Uncertain(
            rule, _context(leaf, rule), cells, values, low, high,
            np.where(cells, spec.sd, 0.0), np.where(cells, spec.relative, 0.0), ok,
            rule.type in PEER_RULES, 1.0 if unit in COUNT_UNITS else 10.0 ** -(precision + 2),
        )

    def points(self, rng, draws: int, base: np.ndarray, class_code: np.ndarray, result: Result) -> np.ndarray:
        """draws × units points: `base` (units, or draws × units) with this leaf's units drawn."""
        at = np.flatnonzero(self.cells)
        drawn = draw(rng, self.values[at], self.low[at], self.high[at], self.sd[at], self.relative[at], draws, self.grain)
        period_scale = _scale(self.rule, result)
        if self.peer_rule:  # the whole class of each draw is the peer group
            return _peer_points(self, drawn, at, base, class_code)
        # a value-only rule: scored once per distinct drawn value (a grid of few thousand values)
        distinct, where = _distinct(drawn.ravel(), self.grain)
        ctx = _with(self.ctx, distinct, np.zeros(len(distinct), dtype=np.int64), np.ones(len(distinct), dtype=bool), period_scale)
        out = np.broadcast_to(base, (draws, base.shape[-1])).copy()
        out[:, at] = self.rule.points(ctx)[where].reshape(draws, len(at))
        return out


def _peer_points(self, drawn: np.ndarray, at: np.ndarray, base: np.ndarray, class_code: np.ndarray) -> np.ndarray:
    """Points of a rule that compares peers (rank, relative), for every draw.

    Only a few values of a class vary; the rest are fixed. A unit's rank in a draw is 1 + the
    fixed peers above it + the drawn peers above it: the fixed ones are counted in one sorted
    array per class, the drawn ones in one sorted array per class and draw (all draws in one
    flat array, each draw's values lifted by its own offset), so nothing is sorted per draw."""
    draws, n = drawn.shape[0], base.shape[-1]
    ascending = getattr(self.rule.config, "order", "desc") == "asc"
    key = np.where(self.ok, -self.values if ascending else self.values, np.nan)
    drawn_key = -drawn if ascending else drawn
    fixed = self.ok & ~self.cells
    column = np.full(n, -1)
    column[at] = np.arange(len(at))
    result = np.broadcast_to(base, (draws, n)).copy()
    is_rank = hasattr(self.rule, "points_for") and self.rule.type == "rank"
    counts = pd.Series(self.ok).groupby(class_code).transform("sum").to_numpy(dtype=float)
    for c in np.unique(class_code[at]):
        in_class = class_code == c
        f_units = np.flatnonzero(fixed & in_class)
        u_units = np.flatnonzero(self.cells & in_class)
        w = drawn_key[:, column[u_units]]  # draws × m
        if is_rank:
            f_units = f_units[np.argsort(key[f_units], kind="stable")]
            f_sorted = key[f_units]
            f = len(f_units)
            above_fixed = lambda x, f=f, f_sorted=f_sorted: f - np.searchsorted(f_sorted, x, side="right")  # noqa: E731
            ranks = np.empty((draws, f + len(u_units)))
            # drawn values above the k-th fixed value: those whose place among the fixed ones is
            # past k; one histogram of places per draw, summed from the top
            places = np.searchsorted(f_sorted, w, side="left") + (f + 1) * np.arange(draws)[:, None]
            histogram = np.bincount(places.ravel(), minlength=draws * (f + 1)).reshape(draws, f + 1)
            drawn_above = w.shape[1] - np.cumsum(histogram, axis=1)[:, :f]
            ranks[:, :f] = 1 + above_fixed(f_sorted)[None, :] + drawn_above
            ranks[:, f:] = 1 + above_fixed(w) + _counter_above(w)(w)
            members = np.r_[f_units, u_units]
            result[:, members] = self.rule.points_for(ranks, counts[members][None, :], self.ctx.points)
        else:
            fixed_best = np.max(key[f_units]) if len(f_units) else -np.inf
            best_key = np.maximum(fixed_best, w.max(axis=1))  # per draw
            best = -best_key if ascending else best_key
            members = np.flatnonzero(self.ok & in_class)
            values = np.broadcast_to(self.values[members], (draws, len(members))).copy()
            is_drawn = column[members] >= 0
            values[:, is_drawn] = drawn[:, column[members[is_drawn]]]
            result[:, members] = self.rule.points_for(values, best[:, None], self.ctx.points)
    return result


def _counter_above(w: np.ndarray):
    """For a draws × m array: a function giving, for draws × q values x, how many of the same
    draw's m values are above each x."""
    draws, m = w.shape
    low = float(np.min(w)) if w.size else 0.0
    span = float(np.max(w)) - low if w.size else 0.0
    offset = (span + 1.0) * np.arange(draws)[:, None]  # each draw's values in a range of its own
    flat = (np.sort(w, axis=1) - low + offset).ravel()
    start = m * np.arange(draws)[:, None]

    def above(x: np.ndarray) -> np.ndarray:
        lifted = np.clip(x - low, -0.5, span + 0.5) + offset  # stays inside its draw's range
        at_most = np.searchsorted(flat, lifted.ravel(), side="right").reshape(lifted.shape) - start
        return m - at_most

    return above


def _distinct(values: np.ndarray, grain: float) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values and each value's position among them; values lie on a grid of `grain`,
    so a count table over the grid replaces a sort when the grid is small."""
    steps = np.round(values / grain).astype(np.int64)
    low = int(steps.min()) if steps.size else 0
    span = int(steps.max()) - low + 1 if steps.size else 0
    if span > 4 * len(values) + 1_000_000:
        distinct, where = np.unique(values, return_inverse=True)
        return distinct, where
    present = np.zeros(span, dtype=bool)
    present[steps - low] = True
    grid = np.flatnonzero(present)
    position = np.cumsum(present) - 1
    return (grid + low) * grain, position[steps - low]


def _with(ctx: RuleContext, values, classes, peers, scale) -> RuleContext:
    return RuleContext(values=values, points=ctx.points, classes=classes, peers=peers, scale=scale,
                       metric_name=ctx.metric_name, unit=ctx.unit, precision=ctx.precision)


def _context(leaf: Indicator, rule: Rule) -> RuleContext:
    return RuleContext(values=np.zeros(0), points=float(leaf.points), classes=np.zeros(0), peers=np.zeros(0, dtype=bool))


def _scale(rule: Rule, result: Result) -> float:
    return rule.threshold_scale(result.period)


def _rule_of(leaf: Indicator) -> Rule:
    assert leaf.rule is not None  # a leaf with a metric has a rule (checked when the scheme loads)
    return leaf.rule


def _leaf(scheme: Scheme, item_id: str) -> Indicator | None:
    for top in scheme.indicators:
        for leaf in top.leaves():
            if leaf.id == item_id:
                return leaf
    return None


def _spec(scheme: Scheme, metric: str) -> Uncertainty:
    spec = scheme.metric_spec(metric)
    return getattr(spec, "uncertainty", None) or DEFAULT


def _input_texts(result: Result, position: pd.Index) -> dict[str, dict[str, str]]:
    """metric → unit id → the cell as written, for approximate inputs."""
    inputs = result.inputs
    if inputs.empty:
        return {}
    approx = inputs[inputs["approx"].astype(bool)]
    out: dict[str, dict[str, str]] = {}
    for metric, rows in approx.groupby(approx["metric"].astype(str), observed=True):
        out[metric] = dict(zip(rows["unit_id"].astype(str), rows["raw"].astype(str)))
    return out


def _competition(group: np.ndarray, failed: np.ndarray, total: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """Competition ranks (1, 2, 2, 4) of rows sorted by group, then best first."""
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=np.int32)
    new_group = np.r_[True, group[1:] != group[:-1]]
    new_key = new_group | np.r_[True, (failed[1:] != failed[:-1]) | (total[1:] != total[:-1]) | (tiebreak[1:] != tiebreak[:-1])]
    index = np.arange(n)
    start = np.maximum.accumulate(np.where(new_group, index, 0))
    key_start = np.maximum.accumulate(np.where(new_key, index, 0))
    return (key_start - start + 1).astype(np.int32)
