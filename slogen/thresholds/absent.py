"""A metric that should always exist has disappeared (exporter broken, renamed, not scraped)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from slogen import promql
from slogen.durations import parse_duration
from slogen.series import Untestable, series
from slogen.spec.common import MetricSelector, doc
from slogen.thresholds.kind import Fixture, Holds, ForLevel, LevelRule, Phase, ThresholdBase, ThresholdKind, severities

STALE = 5  # minutes until Prometheus considers a series gone


class AbsentSpec(ThresholdBase):
    kind: Literal["absent"] = doc("Fire when no series matches the selector.")
    metric: MetricSelector = doc('The metric that must exist, e.g. `mcp_requests_total{job="ggen-mcp"}`.')
    warning: ForLevel | None = doc("Warning after `for`.", default=None)
    critical: ForLevel | None = Field(default_factory=lambda: ForLevel(**{"for": "10m"}),
                                      description="Critical after `for` (default 10m).")


def rules(spec: AbsentSpec) -> list[LevelRule]:
    return [LevelRule(sev, f"absent({spec.metric})", parse_duration(lvl.for_), f"no series matches {spec.metric}", Holds("absent"))
            for sev, lvl in severities(spec)]


def phases(spec: AbsentSpec) -> list[Phase]:
    longest = max(parse_duration(lvl.for_) for _, lvl in severities(spec)) // 60
    return [Phase(20, 1), Phase(STALE + int(longest) + 10, None, STALE)]


def fixture(sel: promql.Selector, values) -> Fixture:
    labels = promql.satisfying_labels(sel.matchers)
    if labels is None:
        raise Untestable("cannot build label values that satisfy `metric`; simplify its regexes")
    eq = {m.name: m.value for m in sel.matchers if m.op == "="}
    return Fixture([series(sel.metric, labels, values)], eq)


KIND = ThresholdKind(
    name="absent", spec=AbsentSpec, default_name="MetricAbsent", value_expr=lambda s: None, rules=rules,
    measure=lambda s: promql.parse_selector(s.metric), fixture=fixture, phases=phases, shows_value=False, topic="absent",
)
