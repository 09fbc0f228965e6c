"""Shared by the event-ratio SLI kinds (availability, ratio): bad-or-good events over total events,
given as counter selectors (slogen applies rate()) or as queries with a {{window}} placeholder."""
from __future__ import annotations

from dataclasses import dataclass

from pydantic import model_validator
from pydantic_core import PydanticCustomError

from slogen import groups, promql
from slogen.series import Series, Untestable, counter, series
from slogen.spec.common import MetricSelector, Strict, WindowQuery, doc


class EventsFields(Strict):
    total: MetricSelector | None = doc(
        """Counter of all events, e.g. `http_requests_total{job="api"}`. slogen sums
        `rate()` of it over each window.""", default=None)
    bad: MetricSelector | None = doc(
        """Counter of bad events (errors, misses), e.g. `http_requests_total{job="api",code=~"5.."}`.
        Give `bad` or `good`, not both.""", default=None)
    good: MetricSelector | None = doc(
        "Counter of good events (successes, hits). Bad events are then `total - good`.", default=None)
    total_query: WindowQuery | None = doc(
        """Instead of `total`: a full query for the rate of all events, with `{{window}}` where the
        range goes, e.g. `sum(rate(http_requests_total{job="api"}[{{window}}]))`.""", default=None)
    bad_query: WindowQuery | None = doc("Instead of `bad`: a query for the rate of bad events, with `{{window}}`.",
                                        default=None)
    good_query: WindowQuery | None = doc("Instead of `good`: a query for the rate of good events, with `{{window}}`.",
                                         default=None)

    @model_validator(mode="after")
    def _one_form(self):
        selectors = [self.total, self.bad, self.good]
        queries = [self.total_query, self.bad_query, self.good_query]
        if any(selectors) and any(queries):
            raise PydanticCustomError("sli-form", "mix of selector fields (total/bad/good) and query fields "
                                      "(total_query/bad_query/good_query); use one form")
        total, bad, good = (selectors if any(selectors) else queries)
        form = "" if any(selectors) else "_query"
        if not total:
            raise PydanticCustomError("missing", "missing `total{f}`: the events the ratio is taken over", {"f": form})
        if bool(bad) == bool(good):
            raise PydanticCustomError("sli-form", "give exactly one of `bad{f}` and `good{f}`", {"f": form})
        return self


@dataclass(frozen=True)
class Events:
    """An event ratio as the model holds it: all events and either the bad or the good ones, both
    counter selectors (slogen applies rate()) or both queries with {{window}}, as written."""
    total: str
    part: str           # the bad events (`bad`), else the good ones
    bad: bool
    query_form: bool

    @property
    def part_field(self) -> str:
        """The spec field `part` was written in, for messages."""
        return ("bad" if self.bad else "good") + ("_query" if self.query_form else "")

    @property
    def matchers(self) -> tuple[promql.Matcher, ...]:
        """Every label matcher of the series read, total first (what test groups must satisfy)."""
        return tuple(m for text in (self.total, self.part)
                     for sel in promql.vector_selectors(promql.fill_window(text, "5m")) for m in sel.matchers)

    @property
    def words(self) -> tuple[str, ...]:
        """The selectors or queries as written (a runbook's checklist is guessed from them)."""
        return self.total, self.part


def normalise(spec: EventsFields) -> Events:
    if spec.total:
        return Events(spec.total, spec.bad or spec.good, bool(spec.bad), query_form=False)
    return Events(spec.total_query, spec.bad_query or spec.good_query, bool(spec.bad_query), query_form=True)


def _sum_rate(selector: str, window: str, by: tuple[str, ...]) -> str:
    return groups.sum_by(by, f"rate({selector}[{window}])")


def queries(events: Events, window: str, by: tuple[str, ...] = ()) -> tuple[str, str]:
    """(bad events per second, all events per second) over `window`, one series per group of `by`."""
    if not events.query_form:
        total, part = (_sum_rate(s, window, by) for s in (events.total, events.part))
    elif by:  # the queries keep the grouping labels (checked in the model), slogen sums per group
        total, part = (groups.sum_by(by, promql.fill_window(q, window)) for q in (events.total, events.part))
    else:
        total, part = (f"({promql.fill_window(q, window)})" for q in (events.total, events.part))
    if events.bad:
        return f"({part} or {groups.zero(by, total)})", total
    return f"clamp_min({total} - ({part} or {groups.zero(by, total)}), 0)", total


def _only_selector(query: str, field: str) -> promql.Selector:
    found = promql.vector_selectors(promql.fill_window(query, "5m"))
    if len(found) != 1:
        raise Untestable(f"`{field}` reads {len(found)} series selectors; slogen can only generate test inputs "
                         "for a query over one counter. Use the selector form (total/bad/good) instead")
    return found[0]


def fixture(events: Events, total: list[float], bad: list[float]) -> list[Series]:
    """Counter series whose rates give exactly `total` and `bad` events per step."""
    part_field = events.part_field
    if events.query_form:
        total_sel = _only_selector(events.total, "total_query")
        part_sel = _only_selector(events.part, part_field)
    else:
        total_sel, part_sel = promql.parse_selector(events.total), promql.parse_selector(events.part)
    part = bad if events.bad else [t - b for t, b in zip(total, bad)]
    rest = [t - p for t, p in zip(total, part)]

    if part_sel.metric != total_sel.metric:
        part_labels = promql.satisfying_labels(part_sel.matchers)
        total_labels = promql.satisfying_labels(total_sel.matchers)
        if part_labels is None or total_labels is None:
            raise Untestable("cannot build label values that satisfy these matchers; simplify the regexes")
        return [series(part_sel.metric, part_labels, counter(part)),
                series(total_sel.metric, total_labels, counter(total))]

    part_labels = promql.satisfying_labels(part_sel.matchers + total_sel.matchers)
    base = promql.satisfying_labels(total_sel.matchers)
    rest_labels = promql.violating_labels(part_sel.matchers, total_sel.matchers, base or {})
    if part_labels is None or rest_labels is None:
        raise Untestable(f"`{part_field}` selects no subset of `total` that slogen can construct: "
                         f"{part_field} must select part of the total series (e.g. an extra code=~\"5..\" matcher)")
    out = [series(part_sel.metric, part_labels, counter(part))]
    if rest_labels != part_labels:
        out.append(series(total_sel.metric, rest_labels, counter(rest)))
    return out
