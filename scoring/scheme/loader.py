"""Load a criteria file: read YAML with lines, resolve `extends`, validate, build the Scheme.

Every problem raises CriteriaError naming the file, the line and the key path, in Chinese.
"""

from __future__ import annotations

import difflib
import hashlib
import math
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scoring.errors import CriteriaError
from scoring.expressions import PERIOD_NAMES, Expression, condition
from scoring.rules.base import Rule
from scoring.scheme.extends import resolve
from scoring.scheme.messages import describe_error, first_error
from scoring.scheme.model import Indicator, Item, Scheme
from scoring.scheme.rulespec import RuleSpecError
from scoring.scheme.yamlsrc import locate, strip
from scoring.vocabulary import VOCABULARY

_EPS = 1e-6
INTERNAL_KEYS = {"source", "sha256", "sources", "linked", "warnings"}



def load_scheme(path: str | Path, _stack: tuple[Path, ...] = ()) -> Scheme:
    """Load and validate a criteria file. Raises CriteriaError with file, line and key path."""
    path = Path(path)
    if not path.exists():
        raise CriteriaError(f"找不到准则文件“{path}”")
    if path.is_dir():
        raise CriteriaError(f"“{path}”是文件夹,请指定一个 .yaml 准则文件")
    raw, files, digest = resolve(path)
    for key in INTERNAL_KEYS & raw.keys():  # filled by the loader, never by the file
        raise CriteriaError(f"未知的键“{key}”(该项由程序自动填写)", locate(raw, (key,)))
    _check_shape(raw)
    try:
        scheme = Scheme.model_validate(strip(raw))
    except ValidationError as exc:
        error = first_error(exc)
        loc = tuple(error["loc"])
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, RuleSpecError):  # inside a `rule:` mapping: point at its own key
            loc += cause.key
        raise CriteriaError(describe_error(error, Scheme), locate(raw, loc)) from None
    scheme = scheme.model_copy(update={"source": str(path), "sources": tuple(str(f) for f in files)})
    validator = _Validator(scheme, raw, path, _stack)
    validator.run()
    for linked in validator.linked.values():  # a linked file's bytes change the result too
        digest = hashlib.sha256((digest + linked.sha256).encode()).hexdigest()
    return scheme.model_copy(update={"linked": validator.linked, "sha256": digest, "warnings": tuple(validator.warnings)})


def _check_shape(raw: dict) -> None:
    """Catch a leaf/group mix-up early, where pydantic's message would be vague."""
    def walk(nodes: Any, path: tuple) -> None:
        if not isinstance(nodes, list):
            return
        for i, node in enumerate(nodes):
            if not isinstance(node, dict):
                continue
            here = (*path, i)
            children = node.get("children")
            if children is not None and ("rule" in node or "metric" in node):
                raise CriteriaError("分组指标(有 children)不能同时有 metric 或 rule", locate(raw, (*here, "children")))
            if isinstance(children, list) and not children:
                raise CriteriaError("children 不能为空", locate(raw, (*here, "children")))
            walk(children, (*here, "children"))

    walk(raw.get("indicators"), ("indicators",))


class _Validator:
    def __init__(self, scheme: Scheme, raw: dict, path: Path, stack: tuple[Path, ...]):
        self.scheme, self.raw, self.path, self.stack = scheme, raw, path, stack
        self.metric_ids = {m.id for m in scheme.metrics} | set(VOCABULARY)
        self.linked: dict[str, Scheme] = {}  # leaf id → the scheme its rule scores the units with
        self.warnings: list[str] = []

    def fail(self, message: str, loc: tuple) -> None:
        raise CriteriaError(message, locate(self.raw, loc))

    def run(self) -> None:
        s = self.scheme
        self._unique_ids()
        top = sum(i.points for i in s.indicators)
        if not math.isclose(top, s.total, abs_tol=_EPS):
            self.fail(f"一级指标分值合计 {top:g} 分,与总分 total {s.total:g} 分不符", ("total",))
        for i, ind in enumerate(s.indicators):
            self._indicator(ind, ("indicators", i))
        self._metrics()
        if s.bonus:
            for i, item in enumerate(s.bonus.items):
                self._item(item, ("bonus", "items", i), penalty=False)
            if s.bonus.gate is not None:
                gate = Expression(s.bonus.gate, locate(self.raw, ("bonus", "gate")))
                self._condition_names(gate.names, ("bonus", "gate"))
        for i, item in enumerate(s.penalties):
            self._item(item, ("penalties", i), penalty=True)
        for i, veto in enumerate(s.vetoes):
            self._veto(veto, ("vetoes", i))
        self._classes()
        self._grades(s.grades, ("grades",))
        indicator_ids = {ind.id for top_ind in s.indicators for ind in _walk(top_ind)}
        for i, tid in enumerate(s.tiebreak):
            if tid not in indicator_ids:
                self.fail(f"tiebreak 中的“{tid}”不是指标编号" + _near(tid, indicator_ids), ("tiebreak", i))

    def _veto(self, veto, loc: tuple) -> None:
        if veto.metric is not None:
            self._metric_known(veto.metric, (*loc, "metric"))
        expr = condition(veto.when, veto.metric, locate(self.raw, (*loc, "when")))
        self._condition_names(expr.names, (*loc, "when"))
        if veto.effect == "cap" and veto.cap is None:
            self.fail("effect: cap 需要写 cap(总分最高计多少分,如 cap: 59)", (*loc, "effect"))
        if veto.cap is not None and veto.effect != "cap":
            self.fail("cap 只能与 effect: cap 一起使用", (*loc, "cap"))
        if veto.scope is not None:
            ids = {node.id for node in self.scheme.nodes()}
            if veto.scope not in ids:
                self.fail(f"scope 中的“{veto.scope}”不是指标编号" + _near(veto.scope, ids), (*loc, "scope"))
            if veto.effect != "zero":
                self.fail("scope(只否决某一项指标)须与 effect: zero 一起使用", (*loc, "effect"))

    def _condition_names(self, names, loc: tuple) -> None:
        """Names in `gate` and `when`: indicator ids (their points) or metric ids, never both."""
        indicator_ids = {node.id for node in self.scheme.nodes()}
        for name in sorted(names):
            if name in indicator_ids and name in self.metric_ids:  # declared or in the vocabulary
                self.fail(f"“{name}”既是指标编号又是指标数据编号,条件中无法分辨,请改用不同的编号", loc)
            if name not in indicator_ids:
                self._metric_known(name, loc)

    def _unique_ids(self) -> None:
        seen: dict[str, tuple] = {}

        def see(node_id: str, loc: tuple) -> None:
            if node_id in seen:
                first = locate(self.raw, seen[node_id])
                self.fail(f"编号“{node_id}”重复(第一次出现在第{first.line}行 {first.key})", (*loc, "id"))
            seen[node_id] = (*loc, "id")

        def walk(ind: Indicator, loc: tuple) -> None:
            see(ind.id, loc)
            for j, child in enumerate(ind.children or ()):
                walk(child, (*loc, "children", j))

        for i, ind in enumerate(self.scheme.indicators):
            walk(ind, ("indicators", i))
        for i, item in enumerate(self.scheme.bonus.items if self.scheme.bonus else ()):
            see(item.id, ("bonus", "items", i))
        for i, item in enumerate(self.scheme.penalties):
            see(item.id, ("penalties", i))
        for i, veto in enumerate(self.scheme.vetoes):
            see(veto.id, ("vetoes", i))

    def _indicator(self, ind: Indicator, loc: tuple) -> None:
        if ind.children is not None and ind.by_class:
            self.fail(f"“{ind.title}”是分组指标,by_class 只能写在末级指标上", (*loc, "by_class"))
        if ind.grades:
            self._grades(ind.grades, (*loc, "grades"))
        if ind.children is not None:
            total = sum(c.points for c in ind.children)
            if not math.isclose(total, ind.points, abs_tol=_EPS):
                self.fail(
                    f"“{ind.title}”的下级指标分值合计 {total:g} 分,与其分值 {ind.points:g} 分不符", (*loc, "points")
                )
            for j, child in enumerate(ind.children):
                self._indicator(child, (*loc, "children", j))
            return
        if ind.rule is None:
            self.fail(f"末级指标“{ind.title}”缺少 rule(评分规则)", loc)
        rule = ind.rule
        self._problems(rule, ind.points, "leaf", (*loc, "rule"), ind.title)
        if rule.floor != "leaf" and len(loc) == 2:  # a first-level leaf has no group above
            self.fail(f"“{ind.title}”本身就是一级指标,没有可扣至的上级分组;请删去 floor: {rule.floor}", (*loc, "rule", "floor"))
        if rule.takes_metric:
            if ind.metric is None:
                self.fail(f"末级指标“{ind.title}”缺少 metric(取哪个数据)", loc)
            self._metric_known(ind.metric, (*loc, "metric"))
        elif ind.metric is not None:
            reads = "各扣分项已写明各自的 metric" if rule.reads() else "其得分来自所引用的准则文件"
            self.fail(f"“{ind.title}”的规则类型“{rule.type}”不读取 metric({reads}),请删去该指标的 metric",
                      (*loc, "metric"))
        for metric, key in rule.reads():
            self._metric_known(metric, (*loc, "rule", *key))
        if rule.linked_criteria is not None:
            self._linked_scheme(ind, rule, loc)
        self._by_class(ind, loc)

    def _by_class(self, ind: Indicator, loc: tuple) -> None:
        """Each entry names a class and a rule reading what the leaf's own rule reads."""
        classes = {c.id for c in self.scheme.classes}
        base = ind.rule
        for class_id, override in ind.by_class.items():
            here = (*loc, "by_class", class_id)
            if class_id not in classes:
                known = "、".join(sorted(classes)) or "(本准则没有定义 classes)"
                self.fail(f"by_class 中的“{class_id}”不是类别编号" + (_near(class_id, classes) or f"。可用:{known}"), here)
            rule = override.rule
            if rule is None:
                continue
            same_input = rule.takes_metric == base.takes_metric and bool(rule.reads()) == bool(base.reads()) \
                and rule.linked_criteria is None and base.linked_criteria is None
            if not same_input:
                self.fail(f"by_class 中的规则类型“{rule.type}”与原规则“{base.type}”取数方式不同"
                          "(须同样读取该指标的 metric,或同样逐项列出 items)", (*here, "rule", "type"))
            self._problems(rule, ind.points, "leaf", (*here, "rule"), ind.title)
            for metric, key in rule.reads():
                self._metric_known(metric, (*here, "rule", *key))

    def _problems(self, rule: Rule, points: float | None, role, loc: tuple, title: str) -> None:
        """The rule's own checks: errors stop loading, warnings go to `score check`."""
        for problem in rule.problems(points, role):
            if problem.severity == "error":
                self.fail(problem.message, (*loc, *problem.key))
            where = locate(self.raw, (*loc, *problem.key))
            self.warnings.append(f"“{title}”:{problem.message}(第{where.line}行 {where.key})" if where.line
                                 else f"“{title}”:{problem.message}")

    def _linked_scheme(self, ind: Indicator, rule: Rule, loc: tuple) -> None:
        criteria = rule.linked_criteria
        origin = locate(self.raw, (*loc, "rule", "criteria")).file or str(self.path)
        target = (Path(origin).parent / criteria).resolve()
        if target == self.path.resolve() or target in self.stack:
            self.fail(f"scheme 规则引用形成循环:{criteria}", (*loc, "rule", "criteria"))
        if not target.exists():
            self.fail(f"scheme 规则引用的准则文件“{criteria}”不存在", (*loc, "rule", "criteria"))
        try:
            self.linked[ind.id] = load_scheme(target, (*self.stack, self.path.resolve()))
        except CriteriaError as exc:
            raise CriteriaError(
                f"scheme 规则引用的准则文件有误:{exc}", locate(self.raw, (*loc, "rule", "criteria"))
            ) from None

    def _item(self, item: Item, loc: tuple, penalty: bool) -> None:
        self._problems(item.rule, item.points, "penalty" if penalty else "bonus", (*loc, "rule"), item.title)
        self._metric_known(item.metric, (*loc, "metric"))

    def _metric_known(self, metric: str, loc: tuple) -> None:
        if metric not in self.metric_ids:
            self.fail(
                f"指标数据“{metric}”既未在 metrics 中声明,也不在标准指标词汇表中" + _near(metric, self.metric_ids), loc
            )

    def _metrics(self) -> None:
        graph: dict[str, set[str]] = {}
        seen: set[str] = set()
        for i, m in enumerate(self.scheme.metrics):
            loc = ("metrics", i)
            if m.id in seen:
                self.fail(f"指标数据编号“{m.id}”重复", (*loc, "id"))
            if m.id in PERIOD_NAMES:
                self.fail(f"“{m.id}”是保留名称(本次考评期间的月数),请换一个指标数据编号", (*loc, "id"))
            seen.add(m.id)
            ways = sum(x is not None for x in (m.ratio, m.expr, m.records))
            if ways > 1:
                self.fail("ratio、expr、records 只能写一个", loc)
            deps: set[str] = set()
            if m.ratio:
                deps = set(m.ratio)
                for j, name in enumerate(m.ratio):
                    self._metric_known(name, (*loc, "ratio", j))
            if m.expr is not None:  # an empty expr is a syntax error, not a plain data metric
                expr = Expression(m.expr, locate(self.raw, (*loc, "expr")))
                deps = set(expr.names)
                indicator_ids = {node.id for node in self.scheme.nodes()}
                for name in sorted(deps & indicator_ids - self.metric_ids):
                    self.fail(f"“{name}”是指标编号:指标得分只能用在 bonus.gate 和单项否决的 when 中,不能用在 expr 里", (*loc, "expr"))
                for name in deps:
                    self._metric_known(name, (*loc, "expr"))
            graph[m.id] = deps
        for start in graph:  # derived metrics must not depend on themselves
            stack, visited = [start], set()
            while stack:
                for dep in graph.get(stack.pop(), ()):
                    if dep == start:
                        i = next(i for i, m in enumerate(self.scheme.metrics) if m.id == start)
                        self.fail(f"指标数据“{start}”的计算依赖自身(循环引用)", ("metrics", i))
                    if dep not in visited:
                        visited.add(dep)
                        stack.append(dep)

    def _classes(self) -> None:
        ids = {ind.id for top in self.scheme.indicators for ind in _walk(top)}
        seen: set[str] = set()
        for i, c in enumerate(self.scheme.classes):
            if c.id in seen:
                self.fail(f"类别编号“{c.id}”重复", ("classes", i, "id"))
            seen.add(c.id)
            for j, ex in enumerate(c.exclude):
                if ex not in ids:
                    self.fail(f"exclude 中的“{ex}”不是指标编号" + _near(ex, ids), ("classes", i, "exclude", j))
            if c.exclude and _points_left(self.scheme.indicators, set(c.exclude)) <= _EPS:
                self.fail(f"类别“{c.name}”排除了全部指标(各级 exclude 合起来没有留下任何末级指标),"
                          "该类单位将无分可得", ("classes", i, "exclude"))

    def _grades(self, grades, loc: tuple) -> None:
        for i in range(1, len(grades)):
            if not grades[i].min < grades[i - 1].min:
                self.fail(f"等次“{grades[i].label}”的 min 应低于上一等次“{grades[i - 1].label}”(从高到低排列)", (*loc, i, "min"))
        labels = [g.label for g in grades]
        if len(set(labels)) != len(labels):
            self.fail("等次名称重复", loc)


def _walk(ind: Indicator):
    yield ind
    for child in ind.children or ():
        yield from _walk(child)


def _points_left(indicators, excluded: set[str]) -> float:
    """Points of the leaves a class still scores: neither they nor a group above is excluded."""
    return sum(0.0 if ind.id in excluded else ind.points if ind.is_leaf else _points_left(ind.children, excluded)
               for ind in indicators)


def _near(word: str, candidates) -> str:
    close = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    return f",是否想写“{close[0]}”?" if close else ""


__all__ = ["load_scheme"]
