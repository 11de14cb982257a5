"""Chinese wording for validation errors raised by pydantic, with nearest-key suggestions."""

from __future__ import annotations

import difflib
import re
import typing
from typing import Any

from pydantic import BaseModel, ValidationError


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found.extend(_models_in(arg))
    return found


def model_at(model: type[BaseModel], path: tuple) -> type[BaseModel] | None:
    """The model class that validates the mapping at `path` (ints skip list positions, and the
    key of a mapping of models, such as a class id under `by_class`, is skipped too)."""
    current: type[BaseModel] | None = model
    keyed = False  # the next part is a key of a dict field, not a field name
    for part in path:
        if current is None:
            return None
        if isinstance(part, int) or keyed:
            keyed = False
            continue
        field = current.model_fields.get(part) or next(
            (f for f in current.model_fields.values() if f.alias == part), None
        )
        if field is None:
            return None
        keyed = _is_dict(field.annotation)
        models = _models_in(field.annotation)
        current = models[0] if models else None
    return current


def _is_dict(annotation: Any) -> bool:
    return typing.get_origin(annotation) is dict or any(_is_dict(a) for a in typing.get_args(annotation)
                                                          if typing.get_origin(a) is dict)


def allowed_keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def suggest(word: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.5)
    return f",是否想写“{close[0]}”?" if close else f"。可用的键:{'、'.join(candidates)}"


def first_error(exc: ValidationError) -> dict:
    """The error to show: a misspelt key first, since it also causes a 'missing' error."""
    errors = exc.errors()
    return next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])


def describe_error(error: dict, root: type[BaseModel]) -> str:
    """One pydantic error as a Chinese sentence."""
    kind = error["type"]
    loc = tuple(error["loc"])
    given = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        parent = model_at(root, loc[:-1])
        keys = allowed_keys(parent) if parent else []
        keys = [k for k in keys if k not in ("source", "sha256", "sources", "linked")]
        if given is None and "input" in error and loc[-1] not in keys:  # `{name: 发布,规范}`: YAML split the name
            return (f"未知的键“{loc[-1]}”(没有值)。多半是 {{…}} 里的名称含英文逗号“,”,把名称截成了两段;"
                    "请改用中文逗号“,”,或给名称加引号")
        return f"未知的键“{loc[-1]}”" + suggest(str(loc[-1]), keys)
    if kind == "missing":
        return f"缺少必填的键“{loc[-1]}”"
    if kind == "finite_number":
        return f"应为有限数字,实际写的是“{given}”"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        return f"应为数字,实际写的是“{given}”"
    if kind in ("string_type",):
        return f"应为文字,实际写的是“{given}”"
    if kind in ("bool_parsing", "bool_type"):
        return f"应为 true 或 false,实际写的是“{given}”"
    if kind in ("tuple_type", "list_type"):
        return f"应为列表(- 项目 或 [a, b]),实际写的是“{given}”"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"应为“键: 值”形式的映射,实际写的是“{given}”"
    if kind == "literal_error":  # pydantic lists them as "'zero', 'full' or 'error'": say it in Chinese
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"取值“{given}”无效,应为以下之一:{'、'.join(allowed)}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤", "less_than": "<"}[kind]
        limit = next(iter(ctx.values()), "")
        return f"应 {sign} {limit},实际为 {given}"
    if kind == "string_pattern_mismatch":
        return f"“{given}”格式不对:只能用字母、数字、-、_、.,且以字母或数字开头"
    if kind in ("too_short",):
        return "至少需要一项"
    if kind in ("too_long",):
        return "项目太多"
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", ""))).removeprefix("Value error, ")
    if kind in ("tuple_type",) or kind.startswith("too_"):
        return error.get("msg", kind)
    return f"值“{given}”无效({error.get('msg', kind)})"


