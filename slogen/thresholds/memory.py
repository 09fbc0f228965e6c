"""Memory: host memory used in percent (node_exporter), or a process's resident bytes."""
from __future__ import annotations

from typing import Literal

from slogen import promql
from slogen.series import Untestable, series
from slogen.spec.common import LabelMatchers, doc
from slogen.thresholds.kind import (CompareLevel, Fixture, Measured, ThresholdBase, ThresholdKind, compare_phases,
                                    compare_rules, measured)

TOTAL = 16 * 2**30


class MemorySpec(ThresholdBase):
    kind: Literal["memory"] = doc("Memory use of a host or a process.")
    selector: LabelMatchers = doc('Which host or process, e.g. `{job="mcp-hub"}`.', default="")
    measure: Literal["used_percent", "used_bytes"] = doc(
        """`used_percent`: host memory from node_exporter (`node_memory_MemAvailable_bytes` over
        `node_memory_MemTotal_bytes`); `used_bytes`: the process's `process_resident_memory_bytes`
        (levels may be written `6GB`, `512MiB`).""", default="used_percent")
    warning: CompareLevel | None = doc("e.g. `{above: 80, for: 15m}` or `{above: 6GB}`.", default=None)
    critical: CompareLevel | None = doc("e.g. `{above: 90, for: 5m}`.", default=None)


def _sel(spec, metric):
    return promql.Selector(metric, promql.parse_matchers(spec.selector)).render()


def value_expr(spec: MemorySpec) -> str:
    if spec.measure == "used_bytes":
        return _sel(spec, "process_resident_memory_bytes")
    return (f"100 * (1 - {_sel(spec, 'node_memory_MemAvailable_bytes')} / "
            f"{_sel(spec, 'node_memory_MemTotal_bytes')})")


def fixture(m: Measured, values) -> Fixture:
    labels = promql.satisfying_labels(m.matchers)
    if labels is None:
        raise Untestable("cannot build label values that satisfy `selector`; simplify its regexes")
    if m.measure == "used_bytes":
        return Fixture([series("process_resident_memory_bytes", labels, values)], labels)
    return Fixture([series("node_memory_MemAvailable_bytes", labels, [(1 - v / 100) * TOTAL for v in values]),
                    series("node_memory_MemTotal_bytes", labels, [TOTAL] * len(values))], labels)


def _unit(spec) -> str:
    return "bytes" if spec.measure == "used_bytes" else "percent"


KIND = ThresholdKind(
    name="memory", spec=MemorySpec, default_name="MemoryUsageHigh", value_expr=value_expr,
    rules=lambda s: compare_rules(s, value_expr(s), _unit(s)), measure=measured, fixture=fixture,
    phases=compare_phases, unit="percent", topic="memory",
)
