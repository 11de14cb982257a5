"""A `rule:` mapping becomes a typed Rule object while the Scheme is validated.

Errors inside the mapping keep their position: `RuleSpecError.key` is the path inside the rule,
which the loader appends to the rule's own location (file, line and key path).
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationError
from pydantic_core import PydanticCustomError

from scoring.rules import get_rule, rule_types
from scoring.rules.base import Rule
from scoring.scheme.messages import describe_error, first_error


class RuleSpecError(ValueError):
    def __init__(self, message: str, key: tuple = ()):
        super().__init__(message)
        self.key = key


def parse_rule(spec: Any) -> Rule:
    """The Rule object of a mapping such as {type: bands, bands: [...]}; a Rule passes through."""
    if isinstance(spec, Rule):
        return spec
    if not isinstance(spec, dict):
        raise PydanticCustomError("dict_type", "Input should be a valid dictionary")
    kind = spec.get("type")
    if kind is None:
        raise RuleSpecError("rule 缺少 type(规则类型)。可用:" + "、".join(rule_types()))
    cls = get_rule(str(kind))
    if cls is None:
        close = difflib.get_close_matches(str(kind), rule_types(), n=1, cutoff=0.6)
        hint = f",是否想写“{close[0]}”?" if close else f"。可用:{'、'.join(rule_types())}"
        raise RuleSpecError(f"未知的规则类型“{kind}”{hint}", ("type",))
    try:
        return cls(cls.Config.model_validate(spec))
    except ValidationError as exc:
        error = first_error(exc)
        raise RuleSpecError(describe_error(error, cls.Config), tuple(error["loc"])) from None


RuleField = Annotated[Rule, BeforeValidator(parse_rule)]
