"""Disk space, from node_exporter's filesystem metrics, as free or used percent."""
from __future__ import annotations

from typing import Literal

from slogen import promql
from slogen.series import Untestable, series
from slogen.spec.common import LabelMatchers, doc
from slogen.thresholds.kind import (CompareLevel, Fixture, Measured, ThresholdBase, ThresholdKind, compare_phases,
                                    compare_rules, measured)

SIZE = 100 * 2**30  # bytes; a power of two keeps the generated test arithmetic exact


class DiskSpec(ThresholdBase):
    kind: Literal["disk"] = doc("Disk space of a filesystem (node_exporter `node_filesystem_*`).")
    selector: LabelMatchers = doc('Which filesystems, e.g. `{job="node",mountpoint="/data"}`.',
                                  default='{mountpoint="/"}')
    measure: Literal["free_percent", "used_percent"] = doc("Compare free or used space, in percent.",
                                                           default="free_percent")
    warning: CompareLevel | None = doc("Warning level, e.g. `{below: 15, for: 30m}`.", default=None)
    critical: CompareLevel | None = doc("Critical level, e.g. `{below: 10, for: 5m}`.", default=None)


def _sel(spec, metric):
    return promql.Selector(metric, promql.parse_matchers(spec.selector)).render()


def value_expr(spec: DiskSpec) -> str:
    free = f"{_sel(spec, 'node_filesystem_avail_bytes')} / {_sel(spec, 'node_filesystem_size_bytes')}"
    return f"100 * {free}" if spec.measure == "free_percent" else f"100 * (1 - {free})"


def fixture(m: Measured, values) -> Fixture:
    labels = promql.satisfying_labels(m.matchers)
    if labels is None:
        raise Untestable("cannot build label values that satisfy `selector`; simplify its regexes")
    free = [v if m.measure == "free_percent" else 100 - v for v in values]
    return Fixture([series("node_filesystem_avail_bytes", labels, [f / 100 * SIZE for f in free]),
                    series("node_filesystem_size_bytes", labels, [SIZE] * len(values))], labels)


KIND = ThresholdKind(
    name="disk", spec=DiskSpec, default_name="DiskSpaceLow", value_expr=value_expr,
    rules=lambda s: compare_rules(s, value_expr(s), "percent"), measure=measured, fixture=fixture,
    phases=compare_phases, unit="percent", topic="disk",
)
