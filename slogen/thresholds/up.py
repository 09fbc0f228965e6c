"""Service down: the scrape target's `up` is 0."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from slogen import promql
from slogen.durations import parse_duration
from slogen.series import Untestable, series
from slogen.spec.common import LabelMatchers, doc
from slogen.thresholds.kind import Fixture, Holds, ForLevel, LevelRule, Phase, ThresholdBase, ThresholdKind, severities


class UpSpec(ThresholdBase):
    kind: Literal["up"] = doc("Service down: Prometheus cannot scrape it.")
    selector: LabelMatchers = doc('Which targets, e.g. `{job="ggen-mcp"}`.')
    warning: ForLevel | None = doc("Optional warning after a shorter time.", default=None)
    critical: ForLevel | None = Field(default_factory=lambda: ForLevel(**{"for": "1m"}),
                                      description="Critical after `for` (default 1m).")


def _selector(spec: UpSpec) -> promql.Selector:
    return promql.Selector("up", promql.parse_matchers(spec.selector))


def _up(spec) -> str:
    return _selector(spec).render()


def rules(spec: UpSpec) -> list[LevelRule]:
    return [LevelRule(sev, f"{_up(spec)} == 0", parse_duration(lvl.for_), "target not scraped (up == 0)", Holds("==", 0))
            for sev, lvl in severities(spec)]


def phases(spec: UpSpec) -> list[Phase]:
    longest = max(parse_duration(lvl.for_) for _, lvl in severities(spec)) // 60
    return [Phase(20, 1), Phase(int(longest) + 10, 0)]


def fixture(up: promql.Selector, values) -> Fixture:
    labels = promql.satisfying_labels(up.matchers, {"instance": "slogen-test:8080"})
    if labels is None:
        raise Untestable("cannot build label values that satisfy `selector`; simplify its regexes")
    return Fixture([series(up.metric, labels, values)], labels)


KIND = ThresholdKind(
    name="up", spec=UpSpec, default_name="ServiceDown", value_expr=_up, rules=rules,
    measure=_selector, fixture=fixture, phases=phases, shows_value=False, topic="down",
)
