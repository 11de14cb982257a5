"""The registry of rule types, bundled and from `scoring.rules` entry points."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scoring.rules.base import Rule

_RULES: dict[str, type["Rule"]] = {}
_plugins_loaded = False


def add(cls: type["Rule"]) -> None:
    if cls.type in _RULES and _RULES[cls.type] is not cls:
        raise ValueError(f"rule type {cls.type!r} registered twice")
    _RULES[cls.type] = cls


def _load_plugins() -> None:
    """Import rule modules offices publish under the `scoring.rules` entry point group."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for ep in entry_points(group="scoring.rules"):
        loaded = ep.load()  # a module (registering on import) or a Rule class
        if isinstance(loaded, type) and hasattr(loaded, "type"):
            add(loaded)


def get_rule(type_name: str) -> type["Rule"] | None:
    if type_name not in _RULES:
        _load_plugins()
    return _RULES.get(type_name)


def get(type_name: str) -> type["Rule"]:
    """A registered type (KeyError if unknown): for names taken from the registry itself."""
    return _RULES[type_name]


def rule_types() -> list[str]:
    _load_plugins()
    return sorted(_RULES)
