"""The queries behind `slogen status`, batched: one query per recorded series name for the whole
fleet (the objective, the period's error ratio, the budget left, the error ratio of each alert
window), not one per SLO, run a few at a time. Answers are keyed by (service, slo, group): the
group is the values of a grouped SLO's `group_by` labels on the answer's series (`("stripe",)`),
() for an ungrouped SLO and for the objective, which is one series per SLO even when grouped. A
grouped SLO's series carry its grouping labels (slogen.groups), so the same queries return one
answer per group, and nothing is asked per group. A grouped threshold alert's value expression
keeps its grouping labels the same way: its values are read with every group's.

Reading the period-long series: their rule group is evaluated only every 5 minutes, so they are
read with `last_over_time` over two of those intervals instead of Prometheus' 5-minute lookback,
which could fall just between two evaluations."""
from __future__ import annotations

import math
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from slogen import conventions as C
from slogen import promql
from slogen.durations import format_duration
from slogen.live.client import Prometheus, RangeSeries, Sample
from slogen.status.catalogue import Catalogue
from slogen.targets.prometheus.rules import PERIOD_INTERVAL

Key = tuple[str, str, tuple[str, ...]]  # service, slo, group values
Points = list[tuple[float, float | None]]
PARALLEL = 4           # queries in flight at once
THRESHOLDS_PER_QUERY = 50
PLOT_POINTS = 120      # per plotted line over the period
COVERAGE_STEPS = 720   # coverage is found to 1/720 of the period (1h of 30d)
INDEX_LABEL = "slogen_status_index"


@dataclass
class Readings:
    objective: dict[Key, float] = field(default_factory=dict)
    period_error: dict[Key, float | None] = field(default_factory=dict)
    remaining: dict[Key, float | None] = field(default_factory=dict)
    ratio: dict[float, dict[Key, float | None]] = field(default_factory=lambda: defaultdict(dict))  # by window
    coverage: dict[Key, float | None] = field(default_factory=dict)  # seconds of data in the period; None: none
    # (service, alert) → (group values, value) per series of the alert's value expression; the
    # group is () for an ungrouped alert (whose several series are instances, disks...)
    threshold_values: dict[tuple[str, str], list[tuple[tuple[str, ...], float]]] = field(
        default_factory=lambda: defaultdict(list))
    firing: list[Sample] = field(default_factory=list)
    budget_points: dict[Key, Points] = field(default_factory=dict)
    ratio_points: dict[Key, dict[float, Points]] = field(default_factory=lambda: defaultdict(dict))
    queries: int = 0

    def groups(self) -> dict[tuple[str, str], set[tuple[str, ...]]]:
        """(service, slo) → the groups any per-group answer names (grouped SLOs; () otherwise)."""
        out: dict[tuple[str, str], set[tuple[str, ...]]] = defaultdict(set)
        for answers in (self.period_error, self.remaining, self.coverage, *self.ratio.values()):
            for service, slo, group in answers:
                if group:
                    out[(service, slo)].add(group)
        return out


Query = tuple  # ("query", expr, at) or ("query_range", expr, start, end, step): a Prometheus method and its arguments


@dataclass(frozen=True)
class Shape:
    """All that the text of the fleet-wide queries depends on (the series every SLO records): known
    from the catalogue, or guessed before the specs are loaded (slogen.status.prefetch)."""
    selector: str                       # "" for a whole bundle
    lookback: str                       # how far back the period-long series are read
    windows: tuple[float, ...]          # the windows with a recorded error ratio
    periods: tuple[tuple[float, tuple[float, ...]], ...]  # (period, the long alert windows of its SLOs)

    @classmethod
    def of(cls, cat: Catalogue) -> "Shape":
        periods: dict[float, set[float]] = defaultdict(set)
        for e in cat.slos:
            periods[e.slo.period].update(w.long for w in e.windows)
        return cls(_selector(cat), lookback(cat.bundle.time_scale),
                   tuple(sorted({w for e in cat.slos for w in e.recorded})),
                   tuple((p, tuple(sorted(ws))) for p, ws in sorted(periods.items())))

    @property
    def firing(self) -> str:
        return _merge(self.selector, 'alertstate="firing"', f'{C.LABEL_ALERT_KIND}!=""')

    def latest(self, name: str) -> str:
        return f"last_over_time({name}{self.selector}[{self.lookback}])"

    def queries(self, at: float, plots: bool) -> list[tuple[tuple, Query]]:
        """(what it reads, the query): one query per recorded series name, for every SLO at once."""
        out: list[tuple[tuple, Query]] = [
            (("objective",), ("query", self.latest(C.SLO_OBJECTIVE), at)),
            (("period_error",), ("query", self.latest(C.SLO_PERIOD_ERROR_RATIO), at)),
            (("remaining",), ("query", self.latest(C.SLO_BUDGET_REMAINING), at)),
            *((("ratio", w), ("query", f"{C.sli_error_ratio(w)}{self.selector}", at)) for w in self.windows),
            (("firing",), ("query", f"ALERTS{self.firing}", at)),
        ]
        for period, _ in self.periods:  # coverage: which SLOs have data at the period's start
            h = max(period / COVERAGE_STEPS, 1.0)
            out.append((("coverage_start", period), ("query", f"count_over_time({C.SLI_REQUESTS_BASE}{self.selector}"
                                                              f"[{format_duration(h)}])", at - period + h)))
        if plots:
            for period, longs in self.periods:
                step = max(period / PLOT_POINTS, 1.0)
                out.append((("budget_points",), ("query_range", self.latest(C.SLO_BUDGET_REMAINING),
                                                 at - period, at, step)))
                out += [(("ratio_points", w), ("query_range", f"{C.sli_error_ratio(w)}{self.selector}",
                                               at - period, at, step)) for w in longs if w >= step]
        return out


def lookback(time_scale: float) -> str:
    """Two evaluations of the period-long rules (see the module's text)."""
    return format_duration(2 * max(round(PERIOD_INTERVAL * time_scale), 1))


def collect(api: Prometheus, cat: Catalogue, at: float, plots: bool = False) -> Readings:
    """Everything the report needs, read at `at` (unix seconds); raises PrometheusError. `api` may
    be a slogen.status.prefetch.Prefetched, which has some answers already."""
    r = Readings()
    key = _Keys(cat)
    at_start: dict[float, dict[Key, float | None]] = defaultdict(dict)
    use: dict[str, Callable] = {
        "objective": lambda s: _by_key(s, r.objective, key.slo),
        "period_error": lambda s: _by_key(s, r.period_error, key),
        "remaining": lambda s: _by_key(s, r.remaining, key),
        "ratio": lambda s, w: _by_key(s, r.ratio[w], key),
        "firing": r.firing.extend,
        "coverage_start": lambda s, period: _by_key(s, at_start[period], key),
        "budget_points": lambda s: _points_by_key(s, r.budget_points, key),
        "ratio_points": lambda s, w: _ratio_points(s, w, r.ratio_points, key),
    }
    batch = _Batch(api, r)
    for (what, *args), query in Shape.of(cat).queries(at, plots):
        batch.add(query, lambda answer, what=what, args=args: use[what](answer, *args))
    for w, services in _unrecorded(cat).items():
        batch.add(("query", _ratio_expr(_services_selector(services), w), at),
                  lambda s, w=w: _by_key(s, r.ratio[w], key, False))
    for chunk in _threshold_chunks(cat):
        batch.add(("query", " or ".join(expr for _, _, expr in chunk), at),
                  lambda s, chunk=chunk: _thresholds(s, chunk, r.threshold_values))
    batch.run()
    _coverage(cat, at, r, batch, key, at_start)
    return r


def _coverage(cat: Catalogue, at: float, r: Readings, batch: "_Batch", key: "_Keys",
              at_start: dict[float, dict[Key, float | None]]) -> None:
    """How much of its period each deployed SLO (each group of a grouped one) has data for. Most
    have been running for longer than their period: the cheap query at the period's start
    (`at_start`, asked with the others) finds them. Only the others need the earliest sample,
    found by a subquery over the period (to 1/720 of it)."""
    deployed = [e for e in cat.slos if (*e.key, ()) in r.objective]
    by_period: dict[float, list] = defaultdict(list)
    for e in deployed:
        by_period[e.slo.period].append(e)
    later: dict[float, tuple[dict[Key, float | None], list[Key]]] = {}
    groups = r.groups()
    for period, entries in by_period.items():
        full = at_start[period]
        keys = [k for e in entries for k in ([(*e.key, g) for g in groups.get(e.key, ())] if e.group_by
                                             else [(*e.key, ())])]
        rest = [k for k in keys if k not in full]
        for k in keys:
            if k in full:
                r.coverage[k] = period
        if rest:
            h = max(period / COVERAGE_STEPS, 1.0)
            inner = f"timestamp({C.SLI_REQUESTS_BASE}{_services_selector({k[0] for k in rest})})"
            first: dict[Key, float | None] = {}
            batch.add(("query", f"min_over_time({inner}[{format_duration(period)}:{format_duration(h)}])", at),
                      lambda s, first=first: _by_key(s, first, key))
            later[period] = (first, rest)
    batch.run()
    for period, (first, rest) in later.items():
        for k in rest:
            seen = first.get(k)
            r.coverage[k] = None if seen is None else min(max(at - seen, 0.0), period)


class _Batch:
    """Queries to run together, each with what to do with its answer."""

    def __init__(self, api: Prometheus, r: Readings) -> None:
        self.api, self.r = api, r
        self.jobs: list[tuple[Callable[[], list], Callable[[list], None]]] = []

    def add(self, query: Query, use: Callable[[list], None]) -> None:
        method, *args = query
        self.jobs.append((lambda: getattr(self.api, method)(*args), use))

    def run(self) -> None:
        jobs, self.jobs = self.jobs, []
        if not jobs:
            return
        with ThreadPoolExecutor(max_workers=min(PARALLEL, len(jobs))) as pool:
            answers = list(pool.map(lambda job: job[0](), jobs))  # the first failure is raised here
        for (_, use), answer in zip(jobs, answers):
            use(answer)
        self.r.queries += len(jobs)


def _value(v: float) -> float | None:
    return None if math.isnan(v) else v


def _points(points: list[tuple[float, float]]) -> Points:
    """`_value` of every point (NaN is the one value not equal to itself): 3 million points per
    HTML page at 1,000 services, and seldom a NaN among them."""
    if all(v == v for _, v in points):
        return points
    return [(t, v if v == v else None) for t, v in points]


class _Keys:
    """The key of an answer's series: (service, slo, the values of the SLO's grouping labels). A
    series without one of them forms the group with an empty value, as in the rules."""

    def __init__(self, cat: Catalogue) -> None:
        self.group_by = {e.key: e.group_by for e in cat.slos if e.group_by}

    def __call__(self, labels: dict[str, str]) -> Key | None:
        service, slo = labels.get(C.LABEL_SERVICE), labels.get(C.LABEL_SLO)
        if service is None or slo is None:
            return None
        by = self.group_by.get((service, slo)) if self.group_by else None
        return (service, slo, tuple(labels.get(l, "") for l in by) if by else ())

    @staticmethod
    def slo(labels: dict[str, str]) -> Key | None:
        """The key of a series that is one per SLO even when it is grouped (the objective)."""
        service, slo = labels.get(C.LABEL_SERVICE), labels.get(C.LABEL_SLO)
        return (service, slo, ()) if service is not None and slo is not None else None


def _by_key(samples: list[Sample], into: dict, key: Callable[[dict], Key | None], overwrite: bool = True) -> None:
    for s in samples:
        k = key(s.labels)
        if k is not None and (overwrite or k not in into):
            into[k] = _value(s.value)


def _points_by_key(series: list[RangeSeries], into: dict, key: Callable[[dict], Key | None]) -> None:
    for s in series:
        k = key(s.labels)
        if k is not None:
            into[k] = _points(s.points)


def _ratio_points(series: list[RangeSeries], window: float, into: dict, key: Callable[[dict], Key | None]) -> None:
    for s in series:
        k = key(s.labels)
        if k is not None:
            into[k][window] = _points(s.points)


_Chunk = list[tuple[tuple[str, str], tuple[str, ...], str]]  # (service, alert), group_by, expression


def _thresholds(samples: list[Sample], chunk: _Chunk, into: dict) -> None:
    for s in samples:
        index = s.labels.get(INDEX_LABEL)
        if index is not None and index.isdigit() and int(index) < len(chunk) and not math.isnan(s.value):
            key, by, _ = chunk[int(index)]
            into[key].append((tuple(s.labels.get(l, "") for l in by), s.value))


def _threshold_chunks(cat: Catalogue) -> list[_Chunk]:
    exprs = [(e.key, e.group_by, e.threshold.value_expr) for e in cat.thresholds if e.threshold.value_expr]
    chunks = []
    for start in range(0, len(exprs), THRESHOLDS_PER_QUERY):
        part = exprs[start:start + THRESHOLDS_PER_QUERY]
        chunks.append([(key, by, f'label_replace(({expr}), "{INDEX_LABEL}", "{i}", "", "")')
                       for i, (key, by, expr) in enumerate(part)])
    return chunks


def _unrecorded(cat: Catalogue) -> dict[float, set[str]]:
    """Exhaustion windows (1h, 6h) some SLO has no recorded error ratio for (custom alert windows):
    the services whose ratio must be computed from the base-window series instead."""
    out: dict[float, set[str]] = defaultdict(set)
    for e in cat.slos:
        for w in e.exhaustion:
            if w not in e.recorded:
                out[w].add(e.slo.service)
    return out


def _ratio_expr(sel: str, window: float) -> str:
    w = format_duration(window)
    return f"sum_over_time({C.SLI_ERRORS_BASE}{sel}[{w}])\n/\nsum_over_time({C.SLI_REQUESTS_BASE}{sel}[{w}])"


def _selector(cat: Catalogue) -> str:
    """No matcher for a whole bundle (one scan per series name is cheaper than a long regex);
    the selected services when filters narrow it down."""
    return _services_selector(cat.services) if cat.filtered else ""


def _services_selector(services) -> str:
    alternatives = "|".join(_regex_escape(s) for s in sorted(services))
    return f"{{{C.LABEL_SERVICE}=~{promql.quote(alternatives)}}}"


def _merge(sel: str, *matchers: str) -> str:
    inner = sel[1:-1] if sel else ""
    return "{" + ",".join(m for m in (inner, *matchers) if m) + "}"


def _regex_escape(text: str) -> str:
    return "".join("\\" + ch if ch in r".^$*+?()[]{}|\\" else ch for ch in text)
