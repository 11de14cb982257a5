"""Rule types: one module per type, registered with `@register`.

Add a rule type by adding one module here (and importing it below), or from another package
through the `scoring.rules` entry point (see docs/criteria.md, "Your own rule types").
"""

# Importing the modules registers the bundled types.
from scoring.rules import (  # noqa: E402,F401
    bands,
    boolean,
    deduct,
    deductions,
    linear,
    per_item,
    rank,
    relative,
    scheme_rule,
    score,
    step,
)
from scoring.rules.base import Outcome, Rule, RuleConfig, RuleContext, register
from scoring.rules.registry import get_rule, rule_types

__all__ = ["Outcome", "Rule", "RuleConfig", "RuleContext", "register", "get_rule", "rule_types"]
