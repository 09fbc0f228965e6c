"""A ratio of two counters against levels, in percent: error rate > 5%, cache hit ratio < 60%.

Give `bad` (the value is the bad share) or `good` (the good share), like the SLI fields."""
from __future__ import annotations

from typing import Literal

from slogen.durations import parse_duration
from slogen.sli import events
from slogen.spec.common import Duration, LabelName, doc, group_by_field, max_groups_field
from slogen.thresholds.kind import CompareLevel, Fixture, ThresholdBase, ThresholdKind, compare_phases, compare_rules

TRAFFIC = 1000  # events per step in generated tests


class RatioThresholdSpec(ThresholdBase, events.EventsFields):
    kind: Literal["ratio"] = doc("Share of bad (or good) events over a short window, in percent.")
    window: Duration = doc("Window of the rates.", default="5m")
    warning: CompareLevel | None = doc("e.g. `{above: 5, for: 5m}` with `bad`, `{below: 80}` with `good`.",
                                       default=None)
    group_by: list[LabelName] = group_by_field("one alert per provider, route or tenant, each with its own value")
    max_groups: int = max_groups_field()
    critical: CompareLevel | None = doc("e.g. `{above: 10, for: 5m}`.", default=None)


def value_expr(spec: RatioThresholdSpec) -> str:
    measured = events.normalise(spec)
    bad, total = events.queries(measured, spec.window, tuple(spec.group_by))
    return f"100 * {bad} / {total}" if measured.bad else f"100 * (1 - {bad} / {total})"


def fixture(measured: events.Events, values) -> Fixture:
    bad = [TRAFFIC * (v if measured.bad else (100 - v)) / 100 for v in values[1:]]
    return Fixture(events.fixture(measured, [TRAFFIC] * len(bad), bad), {})


def _settle(spec) -> int:
    return int(parse_duration(spec.window) // 60)


KIND = ThresholdKind(
    name="ratio", spec=RatioThresholdSpec, default_name=None, value_expr=value_expr,
    rules=lambda s: compare_rules(s, value_expr(s), "percent"), measure=events.normalise, fixture=fixture,
    phases=lambda s: compare_phases(s, _settle(s)), unit="percent", topic="ratio",
)
