"""Checks on generated dashboards, as functions returning problems (so a test can show that each
one catches a broken panel). Shared by tests/grafana and tests/e2e/test_dashboard_queries.py."""
from __future__ import annotations

import re
from pathlib import Path

import promql_parser
import yaml

COLUMNS = 24
# Grafana's built-in variables, replaced by a value of the right type before parsing.
_DURATION_VARS = re.compile(r"\$\{?__(rate_interval|interval|range)(_s|_ms)?\}?")


def substitute(expr: str, duration: str = "5m") -> str:
    """A panel query as Prometheus would receive it (Grafana fills its variables in)."""
    return _DURATION_VARS.sub(duration, expr)


def panels(dashboard: dict) -> list[dict]:
    out = []
    for p in dashboard.get("panels", []):
        out.append(p)
        out.extend(p.get("panels", []))  # collapsed rows hold their panels
    return out


def queries(dashboard: dict) -> list[tuple[str, str]]:
    """(panel title, PromQL) of every panel target, the dashboard's own query variables (a grouped
    SLO's labels) set to their default, All (`allValue`)."""
    variables = {v["name"]: v.get("allValue", ".*") for v in dashboard.get("templating", {}).get("list", [])
                 if v.get("type") == "query"}

    def fill(expr: str) -> str:
        return re.sub(r"\$\{?(\w+)\}?", lambda m: variables.get(m.group(1), m.group(0)), expr)

    return [(p.get("title", ""), fill(t["expr"])) for p in panels(dashboard) for t in p.get("targets", [])
            if "expr" in t]


def layout_problems(dashboard: dict) -> list[str]:
    problems, seen, boxes = [], set(), []
    for p in panels(dashboard):
        title, g = p.get("title", "?"), p.get("gridPos")
        if p.get("id") in seen:
            problems.append(f"{title}: duplicate panel id {p.get('id')}")
        seen.add(p.get("id"))
        if not g:
            problems.append(f"{title}: no gridPos")
            continue
        if g["x"] < 0 or g["w"] <= 0 or g["h"] <= 0 or g["x"] + g["w"] > COLUMNS:
            problems.append(f"{title}: gridPos {g} outside the {COLUMNS} columns")
        for other_title, o in boxes:
            if g["x"] < o["x"] + o["w"] and o["x"] < g["x"] + g["w"] and g["y"] < o["y"] + o["h"] and o["y"] < g["y"] + g["h"]:
                problems.append(f"{title}: overlaps {other_title}")
        boxes.append((title, g))
    return problems


def query_problems(dashboard: dict) -> list[str]:
    problems = []
    for title, expr in queries(dashboard):
        text = substitute(expr)
        if "$" in text:
            problems.append(f"{title}: unknown variable in {expr!r}")
            continue
        try:
            promql_parser.parse(text)
        except BaseException as exc:  # the Rust binding may raise a PanicException
            problems.append(f"{title}: {expr!r} does not parse: {exc}")
    return problems


def recorded(rules_dir: Path) -> list[tuple[str, dict]]:
    """(name, labels) of every recording rule, and of every alert as ALERTS{alertname, labels}."""
    out = []
    for f in sorted(rules_dir.glob("*.yml")):
        for group in yaml.safe_load(f.read_text())["groups"]:
            for r in group["rules"]:
                if "record" in r:
                    out.append((r["record"], r.get("labels", {})))
                else:
                    out.append(("ALERTS", {"alertname": r["alert"], **r.get("labels", {})}))
    return out


def _selectors(node, out):
    """Every vector selector (name, {label: value} of its = matchers) in a promql_parser tree."""
    if type(node).__name__ == "VectorSelector":
        eq = {m.name: m.value for m in node.matchers.matchers if m.op == promql_parser.MatchOp.Equal}
        name = node.name or eq.get("__name__")
        out.append((name, eq))
        return out
    for attr in ("expr", "lhs", "rhs", "vector_selector", "param"):
        child = getattr(node, attr, None)
        if child is not None and not isinstance(child, (str, int, float)):
            _selectors(child, out)
    for child in getattr(node, "args", None) or []:
        _selectors(child, out)
    return out


def rule_problems(dashboard: dict, rules: list[tuple[str, dict]]) -> list[str]:
    """Every slogen recording rule (and ALERTS series) a panel reads is one the rules produce,
    with the service/slo labels the panel selects."""
    problems = []
    for title, expr in queries(dashboard):
        for name, eq in _selectors(promql_parser.parse(substitute(expr)), []):
            if not name or not (name.startswith("slogen:") or name == "ALERTS"):
                continue
            want = {k: v for k, v in eq.items() if k not in ("__name__", "alertstate")}
            if not any(n == name and all(labels.get(k) == v for k, v in want.items()) for n, labels in rules):
                problems.append(f"{title}: no rule records {name}{want or ''}")
    return problems
