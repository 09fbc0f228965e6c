"""Grouped SLOs and thresholds (`group_by`): every place where the grouping labels change a query,
a label set or a sentence goes through this module, so that a rule shape can change elsewhere
without losing the groups.

An SLO grouped by `provider` is one SLO per provider value, evaluated by one set of rules: each
raw query aggregates `sum by (provider)`, and every recorded series, window ratio and alert then
carries `provider`, because PromQL's binary operators match on all labels. Nothing else in the
rule shape changes, so the long windows stay as cheap as an ungrouped SLO's."""
from __future__ import annotations

from typing import Sequence

from slogen import promql
from slogen.prose import GoTemplate

DEFAULT_MAX_GROUPS = 50
TEST_GROUPS = 4  # generated tests: a burning, a healthy, an appearing and a disappearing group


def by(labels: Sequence[str]) -> str:
    """The grouping clause after an aggregation: ` by (provider)`, or nothing when ungrouped."""
    return f" by ({', '.join(labels)})" if labels else ""


def sum_by(labels: Sequence[str], expr: str) -> str:
    return f"sum{by(labels)}({expr})"


def zero(labels: Sequence[str], total: str) -> str:
    """A zero for every group that has events: the fallback when no bad (or good) event exists yet.
    `vector(0)` has no labels, so a grouped SLO takes zero times its total instead."""
    return f"0 * {total}" if labels else "vector(0)"


def on_slo(labels: Sequence[str], slo_labels: str = "service, slo") -> str:
    """Matching a per-group series with its SLO's single metadata series (budget, objective)."""
    return f"on ({slo_labels}) group_left" if labels else f"on ({slo_labels})"


def dropped_labels(query: str, labels: Sequence[str]) -> list[str]:
    """Grouping labels an aggregation inside `query` drops (`sum(...)`, `sum by (job)(...)`):
    wrapping such a query in `sum by (labels)` would silently merge every group into one."""
    import promql_parser

    lost: set[str] = set()

    def visit(node) -> None:
        if isinstance(node, promql_parser.AggregateExpr):
            mod = node.modifier
            if mod is None:  # sum(...): every label goes
                lost.update(labels)
            elif str(mod.type).endswith("By"):
                lost.update(l for l in labels if l not in mod.labels)
            else:
                lost.update(l for l in labels if l in mod.labels)
        for attr in ("expr", "lhs", "rhs"):
            child = getattr(node, attr, None)
            if isinstance(child, promql_parser.Expr):
                visit(child)
        for arg in getattr(node, "args", None) or []:
            visit(arg)

    visit(promql.parse(promql.fill_window(query, "5m")))
    return [l for l in labels if l in lost]


def outer_grouping(query: str) -> tuple[str, ...]:
    """The labels of `sum by (...)` at the top of a query (Sloth and OpenSLO queries written per
    group), or () when the query is not such an aggregation."""
    import promql_parser

    node = promql.parse(promql.fill_window(query, "5m"))
    while isinstance(node, promql_parser.ParenExpr):
        node = node.expr
    if isinstance(node, promql_parser.AggregateExpr) and node.modifier is not None \
            and str(node.modifier.type).endswith("By"):
        return tuple(node.modifier.labels)
    return ()


def common_grouping(queries: Sequence[str]) -> tuple[str, ...]:
    """The labels every query sums by at its top, when they all agree (Sloth and OpenSLO queries
    written per provider: `sum by (provider) (rate(...[{{window}}]))`), else ()."""
    try:
        found = [outer_grouping(q) for q in queries if promql.has_placeholder(q)]
    except promql.PromQLError:
        return ()
    if not found or len(found) != len(queries) or len({frozenset(f) for f in found}) != 1:
        return ()
    return found[0]


# --- prose ------------------------------------------------------------------------------------

def label_text(labels: Sequence[str]) -> GoTemplate | str:
    """`provider="openai"` in an annotation, from the alert's own labels (a Go template)."""
    return GoTemplate(", ".join(f'{l}="{{{{ $labels.{l} }}}}"' for l in labels)) if labels else ""


def show(values: dict[str, str]) -> str:
    """One group's label values as PromQL would print them: `provider="openai"`."""
    return ", ".join(f"{k}={promql.quote(v)}" for k, v in values.items())


def named(name: str, labels: Sequence[str], group: dict[str, str] | None) -> str:
    """A grouped SLO's or alert's name in a report: `availability {provider="stripe"}` for one
    group, `availability (per provider)` for all of them at once, `name` when ungrouped."""
    if group is not None:
        return f"{name} {{{show(group)}}}"
    return f"{name} (per {', '.join(labels)})" if labels else name


def describe(labels: Sequence[str]) -> str:
    """`provider` / `provider and region`, for explain, diff and runbooks."""
    names = [f"`{l}`" for l in labels]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --- test inputs ------------------------------------------------------------------------------

_CANDIDATES = ("a", "b", "c", "d", "e", "f")


def test_values(labels: Sequence[str], matchers: Sequence[promql.Matcher], count: int) -> list[dict[str, str]]:
    """`count` distinct label sets for generated tests (group `a`, `b`, ...), each satisfying the
    SLI's matchers on the grouping labels. Raises ValueError when the matchers leave too few values."""
    per_label: dict[str, list[str]] = {}
    for label in labels:
        own = [m for m in matchers if m.name == label]
        options = [f"group-{c}" for c in _CANDIDATES]
        for m in own:
            if m.op == "=~":
                options += [v for v in (promql.sample_regex(alt) for alt in m.value.split("|")) if v]
            elif m.op == "=":
                options.append(m.value)
        fitting = list(dict.fromkeys(v for v in options if v and all(m.matches({label: v}) for m in own)))
        per_label[label] = fitting
    most = max((len(v) for v in per_label.values()), default=0)
    if most < count:
        raise ValueError(f"the selectors leave fewer than {count} values of "
                         f"{describe([l for l, v in per_label.items() if len(v) < count])} to test groups with")
    return [{label: values[i % len(values)] for label, values in per_label.items()} for i in range(count)]
