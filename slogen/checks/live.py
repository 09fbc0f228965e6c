"""Online checks (`--prometheus URL`): what a live server says about the specs' selectors.

Each query is batched: one `/api/v1/series` request per metric name (every selector of that
metric is then matched here, against the label sets), one metadata request, and the threshold
levels evaluated a few hundred at a time in one query. Problems are reported at the selector's
(or level's) position; a server that cannot be asked is one error, never a traceback."""
from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import promql_parser as pp

from slogen import groups, promql
from slogen.checks.base import ERROR, WARNING, declare, report
from slogen.checks.measures import levels
from slogen.checks.selectors import RATE_FUNCTIONS, looks_like_counter
from slogen.diagnostics import Diagnostics, Position
from slogen.live.client import Connection, Prometheus, PrometheusError
from slogen.live.options import report as report_connection
from slogen.sli import KINDS as SLI_KINDS
from slogen.spec import Parsed
from slogen.spec.service import ServiceSpec
from slogen.thresholds import KINDS as THRESHOLD_KINDS

declare("live/no-series", WARNING, "a selector that matches no series on the server (and which labels exist)")
declare("live/bucket", ERROR, "a latency threshold that is not an `le` bucket of the histogram on the server")
declare("live/metric-type", WARNING, "a counter compared as a gauge, or a gauge under rate() (metadata API)")
declare("live/up-other-jobs", WARNING, "an `up` selector that matches targets of other jobs on the server")
declare("live/firing-now", WARNING, "a threshold level already crossed now: the alert would fire on deploy")
declare("live/too-many-groups", WARNING, "a grouped SLO or threshold whose labels have more values on the server "
        "than its max_groups")

LOOKBACK = 3600   # seconds: a series seen in the last hour exists
BATCH = 200       # threshold levels evaluated per query
SHOWN = 8         # label values listed in a message
TAG = "slogen_check"
WORKERS = 4       # requests in flight at once


@dataclass(frozen=True)
class Use:
    """One selector as Prometheus will evaluate it, and where the user wrote it."""
    metric: str
    matchers: tuple[promql.Matcher, ...]
    function: str | None     # the function it is under (rate, histogram_quantile...) or None
    position: Position


_STRING = re.compile(r'"((?:[^"\\\n])*)"')  # a double-quoted PromQL string without escapes


def _selectors(expr: str) -> list[tuple[str | None, promql.Selector]]:
    """(function it is under, Selector) of every vector selector of an expression. A fleet's
    expressions differ mostly in label values: the expression is parsed once per shape (its
    string literals numbered), and each one's values are put back."""
    values: list[str] = []

    def number(m: re.Match) -> str:
        values.append(m.group(1))
        return f'"\x00{len(values) - 1}"'

    found = _shape(_STRING.sub(number, expr))
    if not values:
        return list(found)
    put = lambda v: values[int(v[1:])] if v.startswith("\x00") else v  # noqa: E731
    return [(under, promql.Selector(sel.metric, tuple(promql.Matcher(m.name, m.op, put(m.value))
                                                      for m in sel.matchers))) for under, sel in found]


@lru_cache(maxsize=4096)
def _shape(expr: str) -> tuple:
    def visit(node, under):
        if isinstance(node, pp.VectorSelector):
            if node.name:
                yield under, _plain_selector(node)
            return
        if isinstance(node, pp.Call):
            under = node.func.name
        for attr in ("expr", "lhs", "rhs", "param", "vector_selector"):
            child = getattr(node, attr, None)
            if isinstance(child, pp.Expr):
                yield from visit(child, under)
        for arg in getattr(node, "args", None) or []:
            if isinstance(arg, pp.Expr):
                yield from visit(arg, under)
    return tuple(visit(promql.parse_uncached(expr), None))


def _plain_selector(node) -> promql.Selector:
    ops = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}
    return promql.Selector(node.name, tuple(promql.Matcher(m.name, ops[str(m.op)], m.value)
                                            for m in node.matchers.matchers if m.name != "__name__"))


_SELECTOR_FIELDS = ("total", "bad", "good", "metric")
_QUERY_FIELDS = ("total_query", "bad_query", "good_query", "expr")


@lru_cache(maxsize=65536)
def _field_selector(text: str) -> promql.Selector | None:
    try:
        return promql.parse_selector(text)
    except promql.PromQLError:
        return None


def _where(source, path: tuple, spec, sel: promql.Selector) -> Position:
    """The field of `spec` that holds this selector (else one that names its metric, else the
    `selector` field, else the spec itself)."""
    for name in _SELECTOR_FIELDS:
        text = getattr(spec, name, None)
        given = _field_selector(text) if isinstance(text, str) and text else None
        if given is not None and given.metric == sel.metric and set(given.matchers) == set(sel.matchers):
            return source.at(path + (name,))
    for name in _SELECTOR_FIELDS + _QUERY_FIELDS:
        text = getattr(spec, name, None)
        if isinstance(text, str) and sel.metric in text:
            return source.at(path + (name,))
    for name in ("selector", "histogram"):
        if source.at(path + (name,)) != source.at(path) and getattr(spec, name, None) is not None:
            return source.at(path + (name,))
    return source.at(path)


def _exprs(spec, kind: str) -> list[str]:
    if kind == "sli":
        sli = SLI_KINDS[spec.kind]
        return list(sli.queries(sli.normalise(spec), "5m"))
    return [r.expr for r in THRESHOLD_KINDS[spec.kind].rules(spec)]


def collect(parsed: list[Parsed]) -> list[Use]:
    uses: dict[tuple, Use] = {}
    for p in parsed:
        if not isinstance(p.spec, ServiceSpec):
            continue
        items = [(("slos", i, "sli"), s.sli, "sli") for i, s in enumerate(p.spec.slos)]
        items += [(("thresholds", i), t, "threshold") for i, t in enumerate(p.spec.thresholds)]
        for path, spec, kind in items:
            for expr in _exprs(spec, kind):
                for function, sel in _selectors(expr):
                    use = Use(sel.metric, sel.matchers, function, _where(p.source, path, spec, sel))
                    uses.setdefault((use.metric, use.matchers, use.function, use.position), use)
    return list(uses.values())


def run(parsed: list[Parsed], connection: Connection, diags: Diagnostics) -> None:
    try:
        prom = Prometheus(connection)
        uses = collect(parsed)
        now = time.time()
        by_metric: dict[str, list[Use]] = defaultdict(list)
        for use in uses:
            by_metric[use.metric].append(use)
        with ThreadPoolExecutor(WORKERS) as pool:  # the server answers on its own cores meanwhile
            asked = {m: pool.submit(prom.series, [f'{{__name__="{m}"}}'], start=now - LOOKBACK, end=now)
                     for m in sorted(by_metric)}
            meta = pool.submit(prom.metadata)
            series = {m: Series(f.result()) for m, f in asked.items()}
            metadata = meta.result()
        for metric, its in by_metric.items():
            for use in its:
                _matching(use, series[metric], diags)
                _type(use, metadata, diags)
        _buckets(parsed, series, diags)
        _groups(parsed, series, diags)
        _firing(parsed, prom, diags)
    except PrometheusError as exc:  # (a worker's error comes out of .result() as itself)
        report_connection(exc, diags)


class Series:
    """The label sets of one metric, indexed by label value on demand: a fleet's selectors each
    pick a few series by `job="..."` out of thousands."""

    def __init__(self, items: list[dict]):
        self.items = items
        self._by: dict[str, dict[str, list[dict]]] = {}

    def matching(self, matchers) -> list[dict]:
        pool = self.items
        for m in matchers:
            if m.op == "=":
                found = self._index(m.name).get(m.value, [])
                pool = found if len(found) < len(pool) else pool
        return [s for s in pool if _matches(matchers, s)]

    def _index(self, name: str) -> dict[str, list[dict]]:
        if name not in self._by:
            index: dict[str, list[dict]] = defaultdict(list)
            for s in self.items:
                index[s.get(name, "")].append(s)
            self._by[name] = index
        return self._by[name]


def _without_le(use: Use) -> tuple[promql.Matcher, ...]:
    return tuple(m for m in use.matchers if m.name != "le")


def _matches(matchers, labels: dict) -> bool:
    return all(m.matches(labels) for m in matchers)


def _matching(use: Use, known: Series, diags: Diagnostics) -> None:
    matchers = _without_le(use) if use.metric.endswith("_bucket") else use.matchers
    found, series = known.matching(matchers), known.items
    shown = promql.Selector(use.metric, matchers).render()
    if not found:
        if not series:
            message = f"no series of `{use.metric}` on the server (in the last hour)"
        else:
            names = sorted({m.name for m in matchers}) or ["job"]
            exist = "; ".join(f"{n}: {_values(series, n)}" for n in names)
            message = f"`{shown}` matches no series; `{use.metric}` exists with {exist}"
        report(diags, "live/no-series", message + ": this alert has no data to fire on", use.position,
               hint="check the metric name and the label values")
    elif use.metric == "up":
        jobs = sorted({s.get("job", "") for s in found})
        if len(jobs) > 1:
            report(diags, "live/up-other-jobs", f"`{shown}` matches the targets of {len(jobs)} jobs "
                   f"({', '.join(jobs[:SHOWN])}): any of them down pages this team", use.position,
                   hint=f'name one job, e.g. {{job="{jobs[0]}"}}')


def _values(series: list[dict], name: str) -> str:
    values = sorted({s.get(name, "") for s in series} - {""})
    if not values:
        return "(no such label)"
    more = f", ... ({len(values)} values)" if len(values) > SHOWN else ""
    return ", ".join(values[:SHOWN]) + more


def _type(use: Use, metadata: dict, diags: Diagnostics) -> None:
    kind = _metric_type(use.metric, metadata)
    rated = use.function in RATE_FUNCTIONS
    if rated and kind == "gauge":
        report(diags, "live/metric-type", f"`{use.metric}` is a gauge (metadata), but it is read under "
               f"{use.function}(): the result means nothing", use.position,
               hint="compare the gauge itself, or give a counter")
    elif not rated and kind == "counter" and use.function not in ("absent", "resets", "changes"):
        report(diags, "live/metric-type", f"`{use.metric}` is a counter (metadata) compared without rate(): it "
               "only grows, so the alert fires once and never resolves", use.position,
               hint=f"use rate({use.metric}[5m])")


def _metric_type(metric: str, metadata: dict) -> str | None:
    for name in (metric, metric.removesuffix("_total")):
        if name in metadata and metadata[name]:
            return metadata[name][0].get("type")
    for suffix in ("_bucket", "_count", "_sum"):
        if metric.endswith(suffix) and metric.removesuffix(suffix) in metadata:
            return "histogram-part"
    return None


def _buckets(parsed: list[Parsed], series: dict[str, Series], diags: Diagnostics) -> None:
    for p in parsed:
        if not isinstance(p.spec, ServiceSpec):
            continue
        for i, s in enumerate(p.spec.slos):
            if s.sli.kind != "latency":
                continue
            metric = s.sli.histogram + "_bucket"
            matchers = promql.parse_matchers(s.sli.selector)
            found = series[metric].matching(matchers) if metric in series else []
            bounds = sorted({float(x["le"]) for x in found if "le" in x})
            if found and bounds and float(s.sli.threshold) not in bounds:
                listed = ", ".join(promql.format_number(b) for b in bounds)
                report(diags, "live/bucket", f"threshold {promql.format_number(s.sli.threshold)} is not a bucket "
                       f"of `{s.sli.histogram}`: its `le` bounds are {listed}. With no such bucket every request "
                       "counts as slow, and the SLO pages for ever", p.source.at(("slos", i, "sli", "threshold")),
                       hint="use one of the bucket bounds, or add this bound to the histogram")


def _groups(parsed: list[Parsed], series: dict[str, Series], diags: Diagnostics) -> None:
    """Each group of a grouped SLO or threshold costs an SLO's series and alerts: more label value
    combinations on the server (series of the last hour its selectors match) than `max_groups`."""
    for p in parsed:
        if not isinstance(p.spec, ServiceSpec):
            continue
        items = [(("slos", i), s, s.sli, "sli") for i, s in enumerate(p.spec.slos)]
        items += [(("thresholds", i), t, t, "threshold") for i, t in enumerate(p.spec.thresholds)]
        for path, owner, spec, kind in items:
            by = getattr(owner, "group_by", None)
            if not by:
                continue
            seen = set()
            for expr in _exprs(spec, kind):
                for _, sel in _selectors(expr):
                    matchers = tuple(m for m in sel.matchers if m.name != "le")
                    found = series[sel.metric].matching(matchers) if sel.metric in series else []
                    seen |= {tuple(x.get(label, "") for label in by) for x in found}
            if len(seen) > owner.max_groups:
                where = path + ("max_groups",) if "max_groups" in owner.model_fields_set else path + ("group_by",)
                report(diags, "live/too-many-groups", f"{groups.describe(by)} has {len(seen)} values on the server "
                       f"(last hour), more than max_groups {owner.max_groups}: each one is an objective with its "
                       "own recorded series, alerts and notifications", p.source.at(where),
                       hint="group by a label with few values, or raise max_groups if they are all expected")


def _firing(parsed: list[Parsed], prom: Prometheus, diags: Diagnostics) -> None:
    checks = []  # (expr, position, words)
    for p in parsed:
        if not isinstance(p.spec, ServiceSpec):
            continue
        for i, t in enumerate(p.spec.thresholds):
            path = ("thresholds", i)
            by_sev = {lv.severity: lv for lv in levels(t, path)}
            for rule in THRESHOLD_KINDS[t.kind].rules(t):
                lv = by_sev.get(rule.severity)
                where = p.source.at(lv.path if lv else path + (rule.severity,))
                checks.append((rule.expr, where, f"{rule.severity} level ({rule.condition})"))
    chunks = [checks[start:start + BATCH] for start in range(0, len(checks), BATCH)]
    queries = ["\nor\n".join(f'label_replace(({expr}), "{TAG}", "{n}", "", "")' for n, (expr, _, _) in enumerate(chunk))
               for chunk in chunks]
    with ThreadPoolExecutor(WORKERS) as pool:
        answers = list(pool.map(prom.query, queries))
    for chunk, answer in zip(chunks, answers):
        firing: dict[int, float] = {}
        for sample in answer:
            n = int(sample.labels.get(TAG, -1))
            firing.setdefault(n, sample.value)
        for n, value in sorted(firing.items()):
            if 0 <= n < len(chunk):
                _expr, where, words = chunk[n]
                report(diags, "live/firing-now", f"the {words} holds now (value {value:g}): this alert would fire "
                       "on deploy", where, hint="check the level, or fix what it reports before deploying")
