"""Selectors and types: what a query reads and how. An `up` selector that matches every team's
targets, a query that returns a range vector, rate() over a gauge, a raw counter compared with
a level, increase() over one side of a ratio and rate() over the other."""
from __future__ import annotations

import promql_parser as pp

from slogen import promql
from slogen.checks.base import ERROR, WARNING, Context, check, declare

declare("selectors/empty", ERROR, "an `up` selector that matches every target of every team")
declare("selectors/unscoped", WARNING, "a selector with no matcher that picks a job, instance or service")
declare("selectors/up-without-job", WARNING, "an `up` selector without a `job` matcher may match other jobs")
declare("selectors/range-vector", ERROR, "a query that returns a range vector: every evaluation fails")
declare("selectors/rate-on-gauge", WARNING, "rate()/increase() over a metric that is not a counter")
declare("selectors/counter-as-gauge", WARNING, "a counter compared with a level without rate(): it only grows")
declare("selectors/not-subset", WARNING, "`bad`/`good` selects events outside `total` (another job, or every job)")
declare("selectors/rate-increase-mix", ERROR, "increase() on one side of a ratio and rate() on the other")

RATE_FUNCTIONS = {"rate", "irate", "increase"}
COUNTER_FUNCTIONS = RATE_FUNCTIONS | {"resets", "absent", "absent_over_time", "present_over_time", "count_over_time",
                                      "changes", "timestamp", "histogram_quantile"}
COUNTER_SUFFIXES = ("_total", "_count", "_sum", "_bucket")
# labels that pick a filesystem, CPU mode or bucket, not whose it is
NOT_SCOPING = {"mountpoint", "device", "fstype", "mode", "le", "code", "status", "method", "outcome", "quantile"}


def looks_like_counter(metric: str) -> bool:
    return metric.endswith(COUNTER_SUFFIXES)


def _restricts(m: promql.Matcher) -> bool:
    if m.op in ("!=", "!~"):
        return False
    return not (m.op == "=~" and m.value in (".*", ".+", "")) and not (m.op == "=" and m.value == "")


def scoped(matchers) -> bool:
    return any(_restricts(m) and m.name not in NOT_SCOPING for m in matchers)


def _matchers(text: str):
    try:
        return promql.parse_matchers(text)
    except promql.PromQLError:
        return None


@check
def up_selector(ctx: Context) -> None:
    for p, path, t in ctx.thresholds():
        if t.kind != "up":
            continue
        ms = _matchers(t.selector)
        if ms is None:
            continue
        where = path + ("selector",)
        if not any(_restricts(m) for m in ms):
            ctx.report("selectors/empty", f"`up{t.selector or ''}` matches every scrape target of every team: this "
                       "alert pages for any target that goes down, and the service-down inhibition then silences "
                       "this team's own pages", p.source, where, hint='name the targets, e.g. {job="api"}')
        elif not any(m.name == "job" and _restricts(m) for m in ms):
            ctx.report("selectors/up-without-job", f"`up{t.selector}` has no `job` matcher: it may match targets "
                       "of other jobs, and every one of them down pages this team", p.source, where,
                       hint='add the job, e.g. {job="api"}')


def _scoped_fields(t) -> list[tuple[str, str]]:
    """(field, matchers text) of each selector of a spec that should say whose series it reads."""
    out = []
    for name in ("selector",):
        if t.kind not in ("up",) and isinstance(getattr(t, name, None), str):
            out.append((name, getattr(t, name)))
    for name in ("metric", "total", "bad", "good"):
        text = getattr(t, name, None)
        if isinstance(text, str) and text:
            try:
                sel = promql.parse_selector(text)
            except promql.PromQLError:
                continue
            out.append((name, "{" + ",".join(m.render() for m in sel.matchers) + "}"))
    return out


@check
def unscoped(ctx: Context) -> None:
    items = [(p, path, t) for p, path, t in ctx.thresholds()]
    items += [(p, path + ("sli",), s.sli) for p, path, s in ctx.slos()]
    for p, path, spec in items:
        for name, text in _scoped_fields(spec):
            ms = _matchers(text)
            if ms is not None and not scoped(ms):
                ctx.report("selectors/unscoped", f"`{name}` picks no job, instance or service: it reads the series "
                           "of every team", p.source, path + (name,), hint='add a matcher such as {job="api"}')


@check
def part_of_total(ctx: Context) -> None:
    items = [(p, path, t) for p, path, t in ctx.thresholds() if t.kind == "ratio"]
    items += [(p, path + ("sli",), s.sli) for p, path, s in ctx.slos()]
    for p, path, spec in items:
        total = _selector(getattr(spec, "total", None))
        for name in ("bad", "good"):
            part = _selector(getattr(spec, name, None))
            if total is None or part is None:
                continue
            own = {m.name: m for m in part.matchers}
            for m in total.matchers:
                if m.op != "=":
                    continue
                theirs = own.get(m.name)
                differs = theirs is not None and theirs.op == "=" and theirs.value != m.value
                if differs or (theirs is None and part.metric == total.metric):
                    ctx.report("selectors/not-subset", f"`{name}` {'has ' + theirs.render() if differs else 'lacks '}"
                               f"{'' if differs else m.render()} while `total` has {m.render()}: it counts events "
                               "that are not in the total, so the ratio can pass 100%", p.source, path + (name,),
                               hint=f"give `{name}` the matchers of `total` plus its own, e.g. {m.render()}")
                    break


def _selector(text):
    if not isinstance(text, str) or not text:
        return None
    try:
        return promql.parse_selector(text)
    except promql.PromQLError:
        return None


# --- what a query does with its selectors ---------------------------------------------------------

def _children(node):
    for attr in ("expr", "lhs", "rhs", "param", "vector_selector"):
        child = getattr(node, attr, None)
        if isinstance(child, pp.Expr):
            yield child
    for arg in getattr(node, "args", None) or []:
        if isinstance(arg, pp.Expr):
            yield arg


def uses(node, under: str | None = None):
    """(function the selector is under or None, metric name) for every vector selector."""
    if isinstance(node, pp.VectorSelector):
        yield under, node.name or ""
        return
    if isinstance(node, pp.Call):
        under = node.func.name
    for child in _children(node):
        yield from uses(child, under)


def returns_range(node) -> bool:
    while isinstance(node, pp.ParenExpr):
        node = node.expr
    return isinstance(node, (pp.MatrixSelector, pp.SubqueryExpr))


def _rates(node) -> set[str]:
    return {"increase" if f == "increase" else "rate" for f, _ in uses(node) if f in RATE_FUNCTIONS}


def _queries(spec) -> list[tuple[str, str]]:
    """(field, PromQL with the window filled) of each query a spec gives."""
    out = [(f, promql.fill_window(q, "5m")) for f in ("total_query", "bad_query", "good_query")
           if isinstance(q := getattr(spec, f, None), str) and q]
    if getattr(spec, "kind", None) == "expression":
        out.append(("expr", spec.expr))
    return out


def _parse(text: str):
    try:
        return promql.parse(text)
    except promql.PromQLError:
        return None


@check
def query_types(ctx: Context) -> None:
    items = [(p, path, t) for p, path, t in ctx.thresholds()]
    items += [(p, path + ("sli",), s.sli) for p, path, s in ctx.slos()]
    for p, path, spec in items:
        trees = {}
        for name, text in _queries(spec):
            node = _parse(text)
            if node is None:
                continue
            trees[name] = node
            where = path + (name,)
            if returns_range(node):
                ctx.report("selectors/range-vector", f"`{name}` returns a range vector: `promql check rules` accepts "
                           "it, but every evaluation fails", p.source, where,
                           hint="wrap it in a function such as rate(...) or max_over_time(...)")
            _counter_use(ctx, p, where, name, node, spec)
        _mixed(ctx, p, path, trees)
        for name in ("total", "bad", "good"):  # slogen applies rate() to these
            text = getattr(spec, name, None)
            if isinstance(text, str) and text:
                metric = text.split("{")[0].strip()
                if metric and ":" not in metric and not looks_like_counter(metric):
                    ctx.report("selectors/rate-on-gauge", f"slogen takes rate() of `{name}`, but `{metric}` does not "
                               "look like a counter (…_total, …_count): rate() of a gauge means nothing",
                               p.source, path + (name,), hint="give a counter of events")
        metric = getattr(spec, "metric", None)
        if spec.kind in ("gauge", "state") and isinstance(metric, str):
            name = metric.split("{")[0].strip()
            if looks_like_counter(name):
                ctx.report("selectors/counter-as-gauge", f"`{name}` is a counter: it only grows, so comparing it "
                           "with a level fires once and never resolves", p.source, path + ("metric",),
                           hint="use kind `expression` with rate(...) or increase(...)")


def _counter_use(ctx, p, where, name, node, spec) -> None:
    for function, metric in uses(node):
        if not metric or ":" in metric:
            continue
        if function in RATE_FUNCTIONS and not looks_like_counter(metric):
            ctx.report("selectors/rate-on-gauge", f"{function}() over `{metric}`, which does not look like a "
                       "counter (…_total, …_count): the result means nothing", p.source, where,
                       hint="use the gauge directly, or *_over_time functions")
            return
        if spec.kind == "expression" and looks_like_counter(metric) and function not in COUNTER_FUNCTIONS:
            ctx.report("selectors/counter-as-gauge", f"`{metric}` is a counter read without rate() or increase(): "
                       "it only grows, so this level fires once and never resolves", p.source, where,
                       hint=f"compare rate({metric}[5m]) or increase({metric}[1h])")
            return


def _mixed(ctx, p, path, trees: dict) -> None:
    total = trees.get("total_query")
    for name in ("bad_query", "good_query"):
        part = trees.get(name)
        if total is not None and part is not None:
            a, b = _rates(part), _rates(total)
            if len(a) == 1 and len(b) == 1 and a != b:
                odd = name if a == {"increase"} else "total_query"  # the fields are documented as rates
                ctx.report("selectors/rate-increase-mix", f"`{name}` uses {a.pop()}() and `total_query` uses "
                           f"{b.pop()}(): their ratio is off by the window's length in seconds", p.source,
                           path + (odd,), hint="use rate() on both sides")
    expr = trees.get("expr")
    if expr is not None:
        for node in _divisions(expr):
            a, b = _rates(node.lhs), _rates(node.rhs)
            if len(a) == 1 and len(b) == 1 and a != b:
                ctx.report("selectors/rate-increase-mix", f"increase() on one side of `/` and rate() on the other: "
                           "the ratio is off by the window's length in seconds", p.source, path + ("expr",),
                           hint="use rate() on both sides")
                return


def _divisions(node):
    if isinstance(node, pp.BinaryExpr) and str(node.op).strip() == "/":
        yield node
    for child in _children(node):
        yield from _divisions(child)
