"""Any gauge against levels: queue depth, connections, temperature."""
from __future__ import annotations

from typing import Literal

from slogen import promql
from slogen.series import Untestable, series
from slogen.spec.common import MetricSelector, doc
from slogen.thresholds.kind import CompareLevel, Fixture, ThresholdBase, ThresholdKind, compare_phases, compare_rules


class GaugeSpec(ThresholdBase):
    kind: Literal["gauge"] = doc("A gauge metric compared with levels, e.g. queue depth.")
    metric: MetricSelector = doc('The gauge, e.g. `mcp_hub_queue_depth{job="mcp-hub"}`.')
    unit: Literal["", "percent", "bytes", "seconds"] = doc("Unit of the gauge, for messages.", default="")
    warning: CompareLevel | None = doc("e.g. `{above: 10, for: 5m}`.", default=None)
    critical: CompareLevel | None = doc("e.g. `{above: 50, for: 5m}`.", default=None)


def gauge_fixture(sel: promql.Selector, values) -> Fixture:
    labels = promql.satisfying_labels(sel.matchers)
    if labels is None:
        raise Untestable("cannot build label values that satisfy `metric`; simplify its regexes")
    return Fixture([series(sel.metric, labels, values)], labels)


KIND = ThresholdKind(
    name="gauge", spec=GaugeSpec, default_name=None, value_expr=lambda s: s.metric,
    rules=lambda s: compare_rules(s, s.metric, s.unit),
    measure=lambda s: promql.parse_selector(s.metric), fixture=gauge_fixture,
    phases=compare_phases, topic="queue",
)
