"""Latency from a Prometheus histogram: "p95 < 1s" means 95% of requests take at most 1s.

Good events are the `_bucket` at the threshold, all events the `_count`. Client libraries spell
the bound differently (Go writes `le="1"`, Python `le="1.0"`), so for whole-second thresholds
slogen matches both spellings: `le=~"1|1.0"`. The threshold must be one of the histogram's
bucket bounds."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from slogen import groups, promql
from slogen.numbers import format_seconds
from slogen.series import Series, Untestable, counter, series
from slogen.sli.kind import SLIKind
from slogen.spec.common import HistogramName, LabelMatchers, Percentile, Seconds, Strict, doc


class LatencySLI(Strict):
    kind: Literal["latency"] = doc("Requests served within a latency threshold, from a histogram.")
    histogram: HistogramName = doc("""Histogram metric name without suffix, e.g. `http_request_duration_seconds`
        (slogen reads its `_bucket` and `_count` series).""")
    selector: LabelMatchers = doc('Label matchers for the histogram series, e.g. `{job="api"}`.', default="")
    threshold: Seconds = doc("""Latency bound: `1s`, `250ms` or a number of seconds. Must be a bucket
        bound (`le`) of the histogram.""")
    percentile: Percentile = doc("""Share of requests that must be within the threshold, in percent: 95 for
        "p95 < 1s". It is the SLO's objective; leave `objective` out or give the same number.""")



@dataclass(frozen=True)
class Histogram:
    """A latency SLI as the model holds it."""
    name: str           # without suffix: slogen reads name_bucket and name_count
    matchers: tuple[promql.Matcher, ...]
    threshold: float    # seconds, a bucket bound
    percentile: float

    @property
    def words(self) -> tuple[str, ...]:
        """The histogram and its matchers as text (a runbook's checklist is guessed from them)."""
        return self.name, *(m.render() for m in self.matchers)


def normalise(spec: LatencySLI) -> Histogram:
    return Histogram(spec.histogram, promql.parse_matchers(spec.selector), spec.threshold, spec.percentile)


def le_matcher(threshold: float) -> promql.Matcher:
    if float(threshold).is_integer():
        n = int(threshold)
        return promql.Matcher("le", "=~", f"{n}|{n}.0")
    return promql.Matcher("le", "=", promql.format_number(threshold))


def queries(h: Histogram, window: str, by: tuple[str, ...] = ()) -> tuple[str, str]:
    bucket = promql.Selector(h.name + "_bucket", h.matchers + (le_matcher(h.threshold),))
    count = promql.Selector(h.name + "_count", h.matchers)
    total = groups.sum_by(by, f"rate({count.render()}[{window}])")
    good = groups.sum_by(by, f"rate({bucket.render()}[{window}])")
    return f"clamp_min({total} - ({good} or {groups.zero(by, total)}), 0)", total


def fixture(h: Histogram, total: list[float], bad: list[float]) -> list[Series]:
    labels = promql.satisfying_labels(h.matchers)
    if labels is None:
        raise Untestable("cannot build label values that satisfy `selector`; simplify its regexes")
    le = promql.format_number(h.threshold)
    good = [t - b for t, b in zip(total, bad)]
    return [series(h.name + "_bucket", dict(labels, le=le), counter(good)),
            series(h.name + "_count", labels, counter(total))]


def describe(spec: LatencySLI) -> str:
    return f"the share of requests served within {format_seconds(spec.threshold)}"


KIND = SLIKind(
    name="latency", spec=LatencySLI, normalise=normalise, queries=queries, fixture=fixture, describe=describe,
    bad_noun="slow requests", good_noun="fast requests",
)
