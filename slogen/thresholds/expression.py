"""Any PromQL expression against levels (e.g. network latency to an upstream API).

For the generated test, slogen inverts the expression to find input values: it understands a
gauge or counter selector under aggregations (by/without), `*_over_time`, `rate`/`irate`/
`increase`, and arithmetic with numbers. Anything else is refused with a hint."""
from __future__ import annotations

import math
from typing import Literal

import promql_parser as pp

from slogen import promql
from slogen.series import Untestable, counter, series
from slogen.spec.common import Expression, doc
from slogen.thresholds.kind import CompareLevel, Fixture, ThresholdBase, ThresholdKind, compare_phases, compare_rules

_IDENTITY_OVER_TIME = {"max_over_time", "min_over_time", "avg_over_time", "last_over_time",
                       "quantile_over_time"}
_RATES = {"rate", "irate"}
_AGG_IDENTITY = {"sum", "max", "min", "avg"}


class ExpressionSpec(ThresholdBase):
    kind: Literal["expression"] = doc("Any PromQL expression compared with levels.")
    expr: Expression = doc("""The measured value, e.g. `max by (provider) (mcp_hub_llm_api_latency_seconds)`.
        slogen appends the comparison.""")
    unit: Literal["", "percent", "bytes", "seconds"] = doc("Unit of the value, for messages.", default="")
    warning: CompareLevel | None = doc("e.g. `{above: 0.2, for: 5m}`.", default=None)
    critical: CompareLevel | None = doc("e.g. `{above: 0.5, for: 5m}`.", default=None)


class _Plan:
    """Walks from the expression down to its one selector, composing the inverse transform."""

    def __init__(self):
        self.invert = lambda v: v       # measured value → selector value
        self.counter = False
        self.settle = 0
        self.keep: set[str] | None = None   # labels kept by the outermost aggregation
        self.drop: set[str] = set()
        self.selector: promql.Selector | None = None

    def visit(self, node):
        if isinstance(node, pp.ParenExpr):
            return self.visit(node.expr)
        if isinstance(node, pp.VectorSelector):
            self.selector = promql.parse_selector(node.prettify())
            return
        if isinstance(node, pp.AggregateExpr):
            op = str(node.op).lower().split(".")[-1].strip()
            if op not in _AGG_IDENTITY:
                raise Untestable(f"aggregation `{op}` is not supported for generated tests")
            labels = set(node.modifier.labels) if node.modifier else set()
            if node.modifier and "without" in str(node.modifier.type).lower():
                self.drop |= labels
            elif self.keep is None:
                self.keep = labels
            return self.visit(node.expr)
        if isinstance(node, pp.Call):
            name = node.func.name
            arg = node.args[-1] if name == "quantile_over_time" else node.args[0]
            if name in _IDENTITY_OVER_TIME | _RATES | {"increase"} and isinstance(arg, pp.MatrixSelector):
                minutes = math.ceil(arg.range.total_seconds() / 60)
                self.settle = max(self.settle, minutes)
                if name in _RATES:
                    self.counter = True
                elif name == "increase":
                    self.counter = True
                    outer = self.invert
                    self.invert = lambda v, o=outer, m=minutes: o(v) / (m * 60)
                return self.visit(arg.vector_selector)
            if name == "abs":
                return self.visit(node.args[0])
            raise Untestable(f"function `{name}` is not supported for generated tests")
        if isinstance(node, pp.BinaryExpr):
            op = str(node.op).strip()
            if isinstance(node.rhs, pp.NumberLiteral) and op in ("*", "/", "+", "-"):
                k = node.rhs.val
                outer = self.invert
                inverse = {"*": lambda v: v / k, "/": lambda v: v * k, "+": lambda v: v - k, "-": lambda v: v + k}[op]
                self.invert = lambda v, o=outer, f=inverse: f(o(v))
                return self.visit(node.lhs)
            if isinstance(node.lhs, pp.NumberLiteral) and op in ("*", "+"):
                k = node.lhs.val
                outer = self.invert
                inverse = {"*": lambda v: v / k, "+": lambda v: v - k}[op]
                self.invert = lambda v, o=outer, f=inverse: f(o(v))
                return self.visit(node.rhs)
        raise Untestable("slogen cannot derive test inputs for this expression; use a selector under "
                         "aggregations, *_over_time, rate or arithmetic with numbers")


def _plan(expr: str) -> _Plan:
    plan = _Plan()
    plan.visit(promql.parse(expr))
    return plan


def fixture(expr: str, values) -> Fixture:
    plan = _plan(expr)
    sel = plan.selector
    base = {name: "slogen-test" for name in (plan.keep or ())}
    labels = promql.satisfying_labels(sel.matchers, base)
    if labels is None:
        raise Untestable("cannot build label values that satisfy the selector; simplify its regexes")
    raw = [plan.invert(v) for v in values]
    if plan.counter:
        raw = counter([60 * r for r in raw[1:]])
    if plan.keep is not None:
        out = {k: v for k, v in labels.items() if k in plan.keep}
    else:
        out = {k: v for k, v in labels.items() if k not in plan.drop}
    return Fixture([series(sel.metric, labels, raw)], out)


def phases(spec: ExpressionSpec):
    return compare_phases(spec, _plan(spec.expr).settle)


KIND = ThresholdKind(
    name="expression", spec=ExpressionSpec, default_name=None, value_expr=lambda s: s.expr,
    rules=lambda s: compare_rules(s, f"({s.expr})" if " " in s.expr else s.expr, s.unit),
    measure=lambda s: s.expr, fixture=fixture,
    phases=phases, topic="generic",
)
