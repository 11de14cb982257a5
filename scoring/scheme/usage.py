"""What a scheme reads: the metrics its leaves, items and vetoes use."""

from __future__ import annotations

from scoring.expressions import Expression, condition
from scoring.scheme.model import Scheme


def metrics_used(scheme: Scheme) -> set[str]:
    """Metric ids the scheme's leaves, items and vetoes read, followed through derived metrics."""
    used = {leaf.metric for leaf in scheme.leaves() if leaf.metric}
    used |= {metric for leaf in scheme.leaves() if leaf.rule for metric, _ in leaf.rule.reads()}
    if scheme.bonus:
        used |= {i.metric for i in scheme.bonus.items}
    used |= {i.metric for i in scheme.penalties}
    for v in scheme.vetoes:
        used |= set(condition(v.when, v.metric).names)
    if scheme.bonus and scheme.bonus.gate:
        used |= Expression(scheme.bonus.gate).names
    used -= {node.id for node in scheme.nodes()} - {m.id for m in scheme.metrics}  # indicator points, not data
    changed = True
    while changed:  # follow derived metrics down to what the data provides
        changed = False
        for m in scheme.metrics:
            if m.id in used:
                deps = set(m.ratio or ()) | (Expression(m.expr).names if m.expr else set())
                if not deps <= used:
                    used |= deps
                    changed = True
    return used
