"""The criteria language as pydantic models (see docs/criteria.md). Immutable once loaded."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scoring.scheme.rulespec import RuleField
from scoring.uncertainty import Uncertainty
from scoring.vocabulary import VOCABULARY

MissingPolicy = Literal["zero", "full", "exclude", "error"]
UndefinedPolicy = Literal["full", "zero", "exclude", "missing"]
NotApplicablePolicy = Literal["exclude", "missing"]  # accept a 不适用 claim, or treat it as a blank
# Who provides a metric: the units themselves (fill-in forms), the publishing platform
# (publication records), the office (its own checks) or a third-party assessor.
Source = Literal["unit", "platform", "office", "third_party"]
SOURCE_NAMES = {"unit": "各单位报送", "platform": "政务公开平台记录", "office": "考评办公室评定",
                "third_party": "第三方评估"}
RecordMeasure = Literal[
    "count", "max_gap_days", "days_since_last", "months_with_updates", "on_time_share", "months_below",
    "months_without_updates",
]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, arbitrary_types_allowed=True)


class UnitClass(Model):
    id: str
    name: str
    exclude: tuple[str, ...] = ()
    on_exclude: Literal["rescale", "full"] = "rescale"  # full: excluded indicators count as met
    aliases: tuple[str, ...] = ()  # how the units file may write the class ("A类", "县区")


class Grade(Model):
    label: str
    min: float
    max_share: float | None = Field(default=None, gt=0, le=1)


class RecordsSpec(Model):
    measure: RecordMeasure
    where: dict[str, str | tuple[str, ...]] = {}
    threshold: float | None = Field(default=None, gt=0)  # months_below: items a month must reach

    @model_validator(mode="after")
    def _threshold_for_months_below(self) -> "RecordsSpec":
        if (self.measure == "months_below") != (self.threshold is not None):
            raise ValueError("threshold(每月至少多少条)只用于且必须用于 measure: months_below")
        return self


class MetricSpec(Model):
    id: str
    name: str | None = None
    unit: str | None = None
    description: str | None = None
    ratio: tuple[str, str] | None = None  # numerator, denominator metric ids
    expr: str | None = None
    records: RecordsSpec | None = None
    blank: Literal["zero", "missing"] = "missing"  # what an empty cell of this metric means
    uncertainty: Uncertainty | None = None  # for `score --stability` (scoring/uncertainty.py)
    source: Source | None = None  # default: platform for records metrics, else unit

    @property
    def derived(self) -> bool:
        return bool(self.ratio or self.expr or self.records)


class ClassRule(Model):
    """`by_class: {dept: {rule: …, missing: …}}`: what differs for one class (nothing else may)."""

    rule: RuleField | None = None
    missing: MissingPolicy | None = None


class Indicator(Model):
    """A group (has children) or a leaf (has metric and rule)."""

    id: str
    name: str | None = None
    points: float = Field(ge=0)
    description: str | None = None
    children: tuple["Indicator", ...] | None = None
    metric: str | None = None
    rule: RuleField | None = None  # parsed into its rule type's object when the scheme is read
    missing: MissingPolicy = "zero"
    when_undefined: UndefinedPolicy = "missing"
    not_applicable: NotApplicablePolicy = "exclude"
    by_class: dict[str, ClassRule] = {}  # class id → its own rule and/or missing policy
    grades: tuple[Grade, ...] = ()  # a group's own grades, shown beside its points

    @property
    def is_leaf(self) -> bool:
        return self.children is None

    @property
    def title(self) -> str:
        return self.name or self.id

    def leaves(self) -> list["Indicator"]:
        if self.is_leaf:
            return [self]
        return [leaf for child in self.children or () for leaf in child.leaves()]

    def for_class(self, class_id: str) -> "Indicator":
        """This leaf as units of `class_id` are scored: its `by_class` entry applied."""
        override = self.by_class.get(class_id)
        if override is None:
            return self
        return self.model_copy(update={"rule": override.rule or self.rule, "missing": override.missing or self.missing,
                                       "by_class": {}})


class Item(Model):
    """A bonus item or a penalty: a metric and a rule, outside the indicator tree."""

    id: str
    name: str | None = None
    points: float | None = Field(default=None, ge=0)  # optional cap on this item
    metric: str
    rule: RuleField
    description: str | None = None
    missing: MissingPolicy = "zero"
    when_undefined: UndefinedPolicy = "zero"

    @property
    def title(self) -> str:
        return self.name or self.id


class Bonus(Model):
    cap: float | None = Field(default=None, ge=0)  # none: the items' own points (or their rules) limit
    gate: str | None = None  # a condition over indicator points and metrics: only where it holds
    items: tuple[Item, ...] = ()


class Veto(Model):
    id: str
    name: str | None = None
    metric: str | None = None
    when: str  # "> 0" applies to the metric; a full expression may name metrics and indicator ids
    effect: Literal["fail", "zero", "cap"] = "fail"
    cap: float | None = Field(default=None, ge=0)  # with effect: cap, the highest total allowed
    scope: str | None = None  # an indicator id: only that indicator scores 0 (effect: zero)
    description: str | None = None

    @property
    def title(self) -> str:
        return self.name or self.id


class Defaults(Model):
    """`defaults:` the policies of every leaf that does not state its own."""

    missing: MissingPolicy = "zero"
    when_undefined: UndefinedPolicy = "missing"
    not_applicable: NotApplicablePolicy = "exclude"


class Scheme(Model):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    name: str
    version: str | None = None
    description: str | None = None
    office: str | None = None  # the issuing office's name, for the workbook's title and issuing line
    extends: str | None = None
    remove: tuple[str, ...] = ()
    total: float = Field(gt=0)
    precision: int = Field(default=2, ge=0, le=6)
    classes: tuple[UnitClass, ...] = ()
    grades: tuple[Grade, ...] = ()
    tiebreak: tuple[str, ...] = ()
    metrics: tuple[MetricSpec, ...] = ()
    indicators: tuple[Indicator, ...]
    bonus: Bonus | None = None
    penalties: tuple[Item, ...] = ()
    vetoes: tuple[Veto, ...] = ()
    defaults: Defaults | None = None
    # Filled by the loader, not written by users:
    source: str = ""  # path of the criteria file
    sha256: str = ""  # of the file's bytes, chained with the files it extends and links
    sources: tuple[str, ...] = ()  # this file and every file it extends
    linked: dict[str, "Scheme"] = {}  # leaf id → the scheme its rule scores the units with (loaded once)
    warnings: tuple[str, ...] = ()  # what `score check` reports without refusing the file

    @model_validator(mode="before")
    @classmethod
    def _apply_defaults(cls, data: Any) -> Any:
        """Leaves without their own `missing`/`when_undefined`/`not_applicable` take `defaults:`."""
        if not isinstance(data, dict) or not isinstance(data.get("defaults"), dict):
            return data
        given = {k: v for k, v in data["defaults"].items()  # invalid ones are reported at `defaults`
                 if k in Defaults.model_fields and v in get_args(Defaults.model_fields[k].annotation)}

        def fill(nodes: Any) -> Any:
            if not isinstance(nodes, list):
                return nodes
            out = []
            for node in nodes:
                if isinstance(node, dict) and node.get("children") is not None:
                    node = {**node, "children": fill(node["children"])}
                elif isinstance(node, dict):
                    node = {**given, **node}
                out.append(node)
            return out

        return {**data, "indicators": fill(data.get("indicators"))}

    def leaves(self) -> list[Indicator]:
        return [leaf for ind in self.indicators for leaf in ind.leaves()]

    def nodes(self) -> list[Indicator]:
        """Every indicator, groups before their children, in scheme order."""
        def walk(ind: Indicator):
            yield ind
            for child in ind.children or ():
                yield from walk(child)
        return [node for ind in self.indicators for node in walk(ind)]

    def family(self) -> list["Scheme"]:
        """This scheme and every scheme it links, recursively (loading ruled out cycles)."""
        return [self, *(member for sub in self.linked.values() for member in sub.family())]

    def metric_spec(self, metric_id: str) -> MetricSpec | None:
        return next((m for m in self.metrics if m.id == metric_id), None)

    def metric_label(self, metric: str | None) -> tuple[str, str]:
        """(Chinese name, unit) of a metric: the scheme's declaration, else the vocabulary."""
        if not metric:
            return "", ""
        spec = self.metric_spec(metric)
        term = VOCABULARY.get(metric)
        name = (spec.name if spec and spec.name else None) or (term.name if term else metric)
        unit = (spec.unit if spec and spec.unit else None) or (term.unit if term else "")
        return name, unit

    def metric_sources(self, metric: str | None) -> tuple[Source, ...]:
        """Who provides a metric; a ratio or expression: whoever provides what it is made of."""
        if not metric:
            return ()
        spec = self.metric_spec(metric)
        if spec is None or spec.source:
            return (spec.source if spec and spec.source else "unit",)
        if spec.records:
            return ("platform",)
        if spec.derived:
            from scoring.expressions import Expression

            parts = spec.ratio or tuple(sorted(Expression(spec.expr or "0").names))
            found = [s for part in parts for s in self.metric_sources(part)]
            return tuple(dict.fromkeys(found))
        return ("unit",)

    def class_by_id(self, class_id: str) -> UnitClass | None:
        return next((c for c in self.classes if c.id == class_id), None)
