"""A state gauge: e.g. a circuit breaker exported as 0 closed, 1 half-open, 2 open."""
from __future__ import annotations

from typing import Literal

from slogen import promql
from slogen.spec.common import MetricSelector, doc
from slogen.thresholds.gauge import gauge_fixture
from slogen.thresholds.kind import CompareLevel, ThresholdBase, ThresholdKind, compare_phases, compare_rules


class StateSpec(ThresholdBase):
    kind: Literal["state"] = doc("A state gauge whose values mean states.")
    metric: MetricSelector = doc('The state gauge, e.g. `mcp_hub_circuit_breaker_state{job="mcp-hub"}`.')
    states: dict[int, str] = doc("Names of the states, for messages, e.g. `{0: closed, 1: half-open, 2: open}`.",
                                 default_factory=dict)
    warning: CompareLevel | None = doc("e.g. `{equals: 1, for: 1m}` (half-open).", default=None)
    critical: CompareLevel | None = doc("e.g. `{equals: 2, for: 1m}` (open).", default=None)


KIND = ThresholdKind(
    name="state", spec=StateSpec, default_name=None, value_expr=lambda s: s.metric,
    rules=lambda s: compare_rules(s, s.metric),
    measure=lambda s: promql.parse_selector(s.metric), fixture=gauge_fixture,
    phases=compare_phases, topic="circuit_breaker",
)
