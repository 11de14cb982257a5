"""A small whitelisted expression language for `expr:` metrics and veto conditions.

Expressions are parsed with `ast` (parsing never runs code) and every node is checked against a
whitelist before anything is evaluated. Evaluation is vectorised over numpy arrays, one value
per unit. Allowed: numbers, metric names, + - * / // % **, unary -, comparisons, and/or/not,
if-else, and the functions min, max, abs, round, clip. Powers need a literal exponent of at
most 10 in size, so nothing can blow up; division by zero gives NaN (undefined). `period_months`
is the run's length in calendar months ("每月2条" over any period: `items >= 2 * period_months`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from scoring.errors import CriteriaError, Location

if TYPE_CHECKING:
    from scoring.periods import Period

MAX_LENGTH = 500
MAX_NODES = 200
MAX_EXPONENT = 10
PERIOD_NAMES = {"period_months": lambda period: float(period.months)}  # names a run's period gives

_BINARY: dict[type, Callable] = {
    ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide,
    ast.FloorDiv: np.floor_divide, ast.Mod: np.mod, ast.Pow: np.power,
}
_COMPARE: dict[type, Callable] = {
    ast.Gt: np.greater, ast.GtE: np.greater_equal, ast.Lt: np.less, ast.LtE: np.less_equal,
    ast.Eq: np.equal, ast.NotEq: np.not_equal,
}
_FUNCTIONS: dict[str, tuple[Callable, int, int]] = {  # name → (function, min args, max args)
    "min": (lambda *a: _reduce(np.fmin, a), 2, 8),
    "max": (lambda *a: _reduce(np.fmax, a), 2, 8),
    "abs": (np.abs, 1, 1),
    "round": (lambda x, d=0: np.round(x, int(np.asarray(d).flat[0])), 1, 2),
    "clip": (np.clip, 3, 3),
}
_ALLOWED = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.Name, ast.Load,
    ast.Constant, ast.Call, ast.IfExp, ast.USub, ast.UAdd, ast.Not, ast.And, ast.Or,
    *_BINARY, *_COMPARE,
)
_NODE_NAMES = {
    ast.Attribute: "属性访问(.)", ast.Subscript: "下标([])", ast.Lambda: "lambda",
    ast.ListComp: "推导式", ast.GeneratorExp: "推导式", ast.Starred: "星号展开",
    ast.List: "列表", ast.Dict: "字典", ast.Tuple: "元组", ast.NamedExpr: "赋值(:=)",
}


def _reduce(fn: Callable, args: tuple) -> np.ndarray:
    out = args[0]
    for a in args[1:]:
        out = fn(out, a)
    return out


class Expression:
    """A checked expression. `names` are the metric ids it reads (not `period_months`)."""

    def __init__(self, text: str, location: Location | None = None):
        self.text = str(text)
        self.location = location or Location()
        self._tree = self._parse()
        self.names: frozenset[str] = frozenset(
            n.id for n in ast.walk(self._tree)
            if isinstance(n, ast.Name) and n.id not in _FUNCTIONS and n.id not in PERIOD_NAMES
        )

    def _error(self, why: str) -> CriteriaError:
        return CriteriaError(f"表达式“{self.text}”不被允许:{why}", self.location)

    def _parse(self) -> ast.Expression:
        if len(self.text) > MAX_LENGTH:
            raise self._error(f"长度超过 {MAX_LENGTH} 个字符")
        try:
            tree = ast.parse(self.text.strip(), mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            raise self._error("语法错误;可用:数字、指标编号、+ - * / ** 、比较、and/or/not、min/max/abs/round/clip") from None
        nodes = list(ast.walk(tree))
        if len(nodes) > MAX_NODES:
            raise self._error(f"过于复杂(超过 {MAX_NODES} 个元素)")
        for node in nodes:
            self._check(node)
        return tree

    def _check(self, node: ast.AST) -> None:
        if not isinstance(node, _ALLOWED):
            what = _NODE_NAMES.get(type(node), type(node).__name__)
            raise self._error(f"不支持{what}")
        if isinstance(node, ast.Name) and (node.id.startswith("_") or not node.id.isidentifier()):
            raise self._error(f"名称“{node.id}”无效")
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, (int, float))
        ):
            raise self._error(f"只允许数字常量,不允许“{node.value!r}”")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
                raise self._error("只能调用 min、max、abs、round、clip")
            _, lo, hi = _FUNCTIONS[node.func.id]
            if node.keywords or not lo <= len(node.args) <= hi:
                raise self._error(f"函数 {node.func.id} 的参数个数不对")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            exp = node.right
            if isinstance(exp, ast.UnaryOp) and isinstance(exp.op, (ast.USub, ast.UAdd)):
                exp = exp.operand
            if not (isinstance(exp, ast.Constant) and isinstance(exp.value, (int, float))
                    and abs(exp.value) <= MAX_EXPONENT):
                raise self._error(f"乘方的指数必须是不超过 {MAX_EXPONENT} 的数字常量")

    def evaluate(self, env: Mapping[str, np.ndarray], size: int, period: Period | None = None) -> np.ndarray:
        """Evaluate over arrays of length `size`; NaN where undefined (e.g. division by zero).
        `period` gives `period_months`; without it the name has no value (NaN)."""
        env = {**env, **{name: np.float64(get(period)) if period else np.float64(np.nan)
                         for name, get in PERIOD_NAMES.items()}}
        with np.errstate(all="ignore"):
            out = np.asarray(self._eval(self._tree.body, env), dtype=float)
        out = np.broadcast_to(out, (size,)).astype(float, copy=True)
        out[~np.isfinite(out)] = np.nan
        return out

    def _eval(self, node: ast.AST, env: Mapping[str, np.ndarray]):
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return np.asarray(env[node.id], dtype=float)
        if isinstance(node, ast.BinOp):
            return _BINARY[type(node.op)](self._eval(node.left, env), self._eval(node.right, env))
        if isinstance(node, ast.UnaryOp):
            value = self._eval(node.operand, env)
            if isinstance(node.op, ast.Not):
                return _truth(np.asarray(value) == 0, value)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BoolOp):
            values = [self._eval(v, env) for v in node.values]
            known = np.logical_and.reduce([~np.isnan(np.asarray(v, dtype=float)) for v in values])
            truth = [np.asarray(v) != 0 for v in values]
            combined = np.logical_and.reduce(truth) if isinstance(node.op, ast.And) else np.logical_or.reduce(truth)
            return np.where(known, combined.astype(float), np.nan)
        if isinstance(node, ast.Compare):
            left = self._eval(node.left, env)
            result, known = True, ~np.isnan(np.asarray(left, dtype=float))
            for op, comparator in zip(node.ops, node.comparators):
                right = self._eval(comparator, env)
                known = known & ~np.isnan(np.asarray(right, dtype=float))
                result = result & _COMPARE[type(op)](left, right)
                left = right
            return np.where(known, np.asarray(result, dtype=float), np.nan)
        if isinstance(node, ast.IfExp):
            test = self._eval(node.test, env)
            return np.where(np.asarray(test) != 0, self._eval(node.body, env), self._eval(node.orelse, env))
        if isinstance(node, ast.Call):
            fn = _FUNCTIONS[node.func.id][0]
            return fn(*[self._eval(a, env) for a in node.args])
        raise self._error(type(node).__name__)  # unreachable: _check rejected it


def _truth(mask: np.ndarray, like) -> np.ndarray:
    return np.where(np.isnan(np.asarray(like, dtype=float)), np.nan, mask.astype(float))


def condition(text: str, subject: str | None, location: Location | None = None) -> Expression:
    """A veto `when`: "> 0" applies to the subject metric; otherwise a full expression."""
    stripped = str(text).strip()
    if subject and stripped[:1] in "<>=!":
        return Expression(f"{subject} {stripped}", location)
    return Expression(stripped, location)
