"""Disk predicted to fill: `predict_linear` over the last 6h says free space reaches zero within N."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from slogen import promql
from slogen.durations import format_duration, parse_duration
from slogen.series import Untestable, series
from slogen.spec.common import Duration, LabelMatchers, Strict, doc
from slogen.thresholds.kind import Fixture, Holds, LevelRule, Phase, ThresholdBase, ThresholdKind, severities

SIZE = 100 * 2**30
TREND = "6h"  # how much history the linear prediction uses


class FillLevel(Strict):
    within: Duration = doc("Fire when the disk is predicted to be full within this time, e.g. `24h`.")
    for_: Duration = Field("1h", alias="for", description="How long the prediction must hold.")


class DiskFillSpec(ThresholdBase):
    kind: Literal["disk_fill"] = doc("Disk predicted to fill, from the trend of free space.")
    selector: LabelMatchers = doc("Which filesystems (node_exporter labels).", default='{mountpoint="/"}')
    warning: FillLevel | None = doc("e.g. `{within: 24h}`.", default=None)
    critical: FillLevel | None = doc("e.g. `{within: 4h}`.", default=None)


def _selector(spec: DiskFillSpec) -> promql.Selector:
    return promql.Selector("node_filesystem_avail_bytes", promql.parse_matchers(spec.selector))


def _avail(spec) -> str:
    return _selector(spec).render()


def rules(spec: DiskFillSpec) -> list[LevelRule]:
    out = []
    for sev, lvl in severities(spec):
        within = parse_duration(lvl.within)
        out.append(LevelRule(sev, f"predict_linear({_avail(spec)}[{TREND}], {promql.format_number(within)}) < 0",
                             parse_duration(lvl.for_), f"full within {format_duration(within)}",
                             Holds("<", within, scale=3600)))
    return out


def phases(spec: DiskFillSpec) -> list[Phase]:
    """The measured value here is 'hours until full'. Each phase is tested in its own group
    (a falling line from t=0 keeps the regression exact), see fixture()."""
    levels = dict(severities(spec))
    longest = max(parse_duration(lvl.within) for lvl in levels.values()) / 3600
    out = [Phase(30, longest * 4)]
    for sev in ("warning", "critical"):
        if sev in levels:
            lvl = levels[sev]
            limit = parse_duration(lvl.within) / 3600
            lower = parse_duration(levels["critical"].within) / 3600 if sev == "warning" and "critical" in levels else 0
            out.append(Phase(int(parse_duration(lvl.for_) // 60) + 10, (limit + lower) / 2))
    return out


def fixture(avail: promql.Selector, values) -> Fixture:
    """`values` must be constant: hours until full at the end of the series."""
    labels = promql.satisfying_labels(avail.matchers)
    if labels is None:
        raise Untestable("cannot build label values that satisfy `selector`; simplify its regexes")
    hours = values[-1]
    n = len(values)
    per_min = SIZE / 2 / (hours * 60 + n)   # starts half full, reaches 0 `hours` after the last step
    bytes_left = [SIZE / 2 - per_min * i for i in range(n)]
    return Fixture([series(avail.metric, labels, bytes_left)], labels)


KIND = ThresholdKind(
    name="disk_fill", spec=DiskFillSpec, default_name="DiskWillFillSoon",
    value_expr=lambda s: f"{_avail(s)}", rules=rules, measure=_selector, fixture=fixture, phases=phases,
    unit="bytes", shows_value=False, topic="disk",
)
