"""A latency percentile from a histogram against levels: "P95 above 2s for 10m"."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from slogen import groups, promql
from slogen.durations import parse_duration
from slogen.series import Untestable, counter, series
from slogen.spec.common import (Duration, HistogramName, LabelMatchers, LabelName, Percentile, doc, group_by_field,
                                max_groups_field)
from slogen.thresholds.kind import CompareLevel, Fixture, ThresholdBase, ThresholdKind, compare_phases, compare_rules

TRAFFIC = 1000


class LatencyThresholdSpec(ThresholdBase):
    kind: Literal["latency"] = doc("A percentile of a histogram (histogram_quantile), in seconds.")
    histogram: HistogramName = doc("Histogram base name, e.g. `http_request_duration_seconds`.")
    selector: LabelMatchers = doc('Label matchers, e.g. `{job="api"}`.', default="")
    percentile: Percentile = doc("Which percentile, e.g. 95.")
    window: Duration = doc("Window of the rates.", default="5m")
    warning: CompareLevel | None = doc("Seconds, e.g. `{above: 2, for: 10m}`.", default=None)
    group_by: list[LabelName] = group_by_field("one alert per provider, route or tenant, each with its own value")
    max_groups: int = max_groups_field()
    critical: CompareLevel | None = doc("Seconds, e.g. `{above: 5, for: 5m}`.", default=None)


def value_expr(spec: LatencyThresholdSpec) -> str:
    bucket = promql.Selector(spec.histogram + "_bucket", promql.parse_matchers(spec.selector))
    q = promql.format_number(spec.percentile / 100)
    return f"histogram_quantile({q}, sum{groups.by(['le', *spec.group_by])} (rate({bucket.render()}[{spec.window}])))"


@dataclass(frozen=True)
class Quantile:
    """A latency threshold's series, as the model holds them."""
    histogram: str      # without the _bucket suffix
    matchers: tuple[promql.Matcher, ...]
    percentile: float


def quantile(spec: LatencyThresholdSpec) -> Quantile:
    return Quantile(spec.histogram, promql.parse_matchers(spec.selector), spec.percentile)


def fixture(h: Quantile, values) -> Fixture:
    """One bucket bound per distinct value. While the value is v, every observation lands in the
    bucket (lower, upper] chosen so that interpolation gives lower + (upper - lower) * q = v."""
    labels = promql.satisfying_labels(h.matchers)
    if labels is None:
        raise Untestable("cannot build label values that satisfy `selector`; simplify its regexes")
    q = h.percentile / 100
    bounds: dict[float, float] = {}
    lower = 0.0
    for v in sorted(set(values)):
        if v <= lower:
            raise Untestable("the levels are too close together to build test histograms; "
                             "space warning and critical further apart")
        upper = float(promql.format_number(lower + (v - lower) / q))
        bounds[v] = upper
        lower = upper
    out = []
    for v, upper in bounds.items():
        incs = [TRAFFIC if bounds[x] <= upper else 0 for x in values[1:]]
        out.append(series(h.histogram + "_bucket", dict(labels, le=promql.format_number(upper)), counter(incs)))
    out.append(series(h.histogram + "_bucket", dict(labels, le="+Inf"), counter([TRAFFIC] * (len(values) - 1))))
    return Fixture(out, {})


KIND = ThresholdKind(
    name="latency", spec=LatencyThresholdSpec, default_name=None, value_expr=value_expr,
    rules=lambda s: compare_rules(s, value_expr(s), "seconds"), measure=quantile, fixture=fixture,
    phases=lambda s: compare_phases(s, int(parse_duration(s.window) // 60)), unit="seconds", topic="latency",
)
