"""CPU use in percent: of a host (node_exporter idle time) or of a process."""
from __future__ import annotations

from typing import Literal

from slogen import promql
from slogen.series import Untestable, counter, series
from slogen.spec.common import LabelMatchers, doc
from slogen.thresholds.kind import (CompareLevel, Fixture, Measured, ThresholdBase, ThresholdKind, compare_phases,
                                    compare_rules, measured)

SETTLE = 5  # minutes: the rate window


class CpuSpec(ThresholdBase):
    kind: Literal["cpu"] = doc("CPU use in percent.")
    selector: LabelMatchers = doc('Which host or process, e.g. `{job="node"}`.', default="")
    measure: Literal["host_percent", "process_percent"] = doc(
        """`host_percent`: busy share of all CPUs per instance (`node_cpu_seconds_total`, mode idle);
        `process_percent`: the process's `process_cpu_seconds_total` (100 = one full core).""",
        default="host_percent")
    warning: CompareLevel | None = doc("e.g. `{above: 80, for: 15m}`.", default=None)
    critical: CompareLevel | None = doc("e.g. `{above: 90, for: 5m}`.", default=None)


def value_expr(spec: CpuSpec) -> str:
    matchers = promql.parse_matchers(spec.selector)
    if spec.measure == "process_percent":
        return f"100 * rate({promql.Selector('process_cpu_seconds_total', matchers).render()}[5m])"
    idle = promql.Selector("node_cpu_seconds_total", matchers + (promql.Matcher("mode", "=", "idle"),))
    return f"100 * (1 - avg by (instance) (rate({idle.render()}[5m])))"


def fixture(m: Measured, values) -> Fixture:
    matchers = m.matchers
    if m.measure == "process_percent":
        labels = promql.satisfying_labels(matchers)
        if labels is None:
            raise Untestable("cannot build label values that satisfy `selector`; simplify its regexes")
        return Fixture([series("process_cpu_seconds_total", labels, counter([60 * v / 100 for v in values[1:]]))],
                       labels)
    base = {"instance": "slogen-test:9100"}
    labels = promql.satisfying_labels(matchers + (promql.Matcher("mode", "=", "idle"),), base)
    if labels is None:
        raise Untestable("cannot build label values that satisfy `selector`; simplify its regexes")
    idle = counter([60 * (1 - v / 100) for v in values[1:]])
    return Fixture([series("node_cpu_seconds_total", labels, idle)], {"instance": labels["instance"]})


KIND = ThresholdKind(
    name="cpu", spec=CpuSpec, default_name="CpuUsageHigh", value_expr=value_expr,
    rules=lambda s: compare_rules(s, value_expr(s), "percent"), measure=measured, fixture=fixture,
    phases=lambda s: compare_phases(s, SETTLE), unit="percent", topic="cpu",
)
