"""What `slogen diff` compares: every alert and SLO of a bundle as plain values, built either from
specs (through the model, at any git revision) or from a committed out/ folder (its rule files
and alertmanager.yml). Both paths end in the same `Snapshot`, so either can be the "before".

Routes are taken the same way on both sides: the alert's labels walked through an Alertmanager
routing tree (rendered from the model, or read from out/), see `slogen.review.routes`."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from slogen import conventions as C
from slogen.diagnostics import Diagnostics
from slogen.durations import format_duration
from slogen.model import Bundle
from slogen.model.alerts import service_alerts
from slogen.review import routes

# numbers outside quoted strings; a threshold's "shape" is its expression without them
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\w.])")
_BURN = re.compile(r">\s*\(\s*([0-9.e+-]+)\s*\*\s*([0-9.e+-]+)\s*\)")
_RANGE = re.compile(r"\[(\w+)\]")
_VECTOR = re.compile(r"vector\(\s*([0-9.e+-]+)\s*\)")


def _outside_strings(expr: str, fn) -> str:
    parts, last = [], 0
    for m in _STRING.finditer(expr):
        parts.append(fn(expr[last:m.start()]))
        parts.append(m.group(0))
        last = m.end()
    parts.append(fn(expr[last:]))
    return "".join(parts)


def shape(expr: str) -> str:
    return " ".join(_outside_strings(expr, lambda s: _NUMBER.sub("N", s)).split())


def numbers(expr: str) -> list[str]:
    found: list[str] = []
    _outside_strings(expr, lambda s: found.extend(_NUMBER.findall(s)) or s)
    return found


@dataclass(frozen=True)
class AlertView:
    service: str
    name: str
    severity: str
    kind: str                      # "slo" or the threshold kind (the slogen_kind label)
    expr: str
    for_seconds: float
    labels: tuple[tuple[str, str], ...]
    receiver: str | None           # None: no Alertmanager config on this side
    slo: str | None = None
    window: str | None = None      # "1h/5m"
    factor: float | None = None    # burn-rate factor
    budget: float | None = None    # error budget ratio the factor multiplies

    @property
    def threshold(self) -> float | None:
        return None if self.factor is None else self.factor * self.budget

    @property
    def shape(self) -> str:
        return shape(self.expr)


@dataclass(frozen=True)
class SLOView:
    service: str
    name: str
    objective_percent: float | None
    period: str | None
    group_by: tuple[str, ...] = ()  # a grouped SLO: one per value of these labels


@dataclass
class Snapshot:
    label: str                     # what this side is, for headings: "specs", "origin/main", "out/"
    alerts: list[AlertView] = field(default_factory=list)
    slos: dict[tuple[str, str], SLOView] = field(default_factory=dict)
    services: set[str] = field(default_factory=set)
    routes_known: bool = False


def _view(service: str, name: str, expr: str, for_seconds: float, labels: dict[str, str],
          receiver: str | None) -> AlertView:
    kind = labels.get(C.LABEL_ALERT_KIND, "")
    factor = budget = None
    if kind == "slo":
        m = _BURN.search(expr)
        if m:
            factor, budget = float(m.group(1)), float(m.group(2))
    shown = {k: v for k, v in labels.items() if k not in (C.LABEL_SERVICE, C.LABEL_SEVERITY)}
    return AlertView(service, name, labels.get(C.LABEL_SEVERITY, ""), kind, expr.strip(), for_seconds,
                     tuple(sorted(shown.items())), receiver, labels.get(C.LABEL_SLO) if kind == "slo" else None,
                     labels.get(C.LABEL_WINDOW), factor, budget)


def _route(tree: dict | None, name: str, labels: dict[str, str]) -> str | None:
    if tree is None:
        return None
    return ", ".join(routes.receivers(tree, {"alertname": name} | labels)) or None


def from_bundle(bundle: Bundle, label: str) -> Snapshot:
    from slogen.targets import alertmanager

    tree = alertmanager.config(bundle)["route"]
    snap = Snapshot(label, routes_known=True)
    for svc in bundle.services:
        snap.services.add(svc.name)
        for slo in svc.slos:
            snap.slos[(svc.name, slo.name)] = SLOView(svc.name, slo.name, slo.objective_percent,
                                                      format_duration(slo.period), slo.group_by)
        for a in service_alerts(svc, bundle):
            snap.alerts.append(_view(svc.name, a.name, a.expr, a.for_seconds, a.labels,
                                     _route(tree, a.name, a.labels)))
    return snap


def _load_yaml(path: Path, diags: Diagnostics):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        diags.error("diff/unreadable", f"cannot read {path}: {exc}")
        return None


def _seconds(text) -> float:
    from slogen.durations import parse_duration

    try:
        return parse_duration(str(text)) if text else 0
    except ValueError:
        return 0


def _grouping(expr: str) -> tuple[str, ...]:
    from slogen import groups, promql

    try:
        return groups.outer_grouping(expr)
    except promql.PromQLError:
        return ()


def from_out(out: Path, diags: Diagnostics) -> Snapshot:
    """The bundle as committed: prometheus/rules/*.yml and alertmanager/alertmanager.yml."""
    snap = Snapshot(f"{out}/")
    rule_files = sorted((out / "prometheus" / "rules").glob("*.yml"))
    if not rule_files:
        diags.error("diff/no-rules", f"no rule files under {out}/prometheus/rules",
                    hint="give a folder slogen built into, or a git revision")
        return snap
    am = out / "alertmanager" / "alertmanager.yml"
    tree = None
    if am.is_file():
        config = _load_yaml(am, diags)
        tree = config.get("route") if isinstance(config, dict) else None
    snap.routes_known = tree is not None
    for path in rule_files:
        doc = _load_yaml(path, diags)
        for group in (doc or {}).get("groups") or []:
            for rule in group.get("rules") or []:
                labels = {str(k): str(v) for k, v in (rule.get("labels") or {}).items()}
                service = labels.get(C.LABEL_SERVICE)
                if not service:
                    continue
                snap.services.add(service)
                if "alert" in rule:
                    snap.alerts.append(_view(service, rule["alert"], str(rule.get("expr", "")),
                                             _seconds(rule.get("for")), labels, _route(tree, rule["alert"], labels)))
                    continue
                key = (service, labels.get(C.LABEL_SLO, ""))
                view = snap.slos.get(key, SLOView(*key, None, None))
                expr = str(rule.get("expr", ""))
                if rule.get("record") == C.SLO_OBJECTIVE and _VECTOR.search(expr):
                    view = replace(view, objective_percent=round(float(_VECTOR.search(expr).group(1)) * 100, 10))
                elif rule.get("record") == C.SLO_PERIOD_ERROR_RATIO and _RANGE.search(expr):
                    view = replace(view, period=_RANGE.search(expr).group(1))
                elif rule.get("record") == C.SLI_REQUESTS_BASE:  # `sum by (provider)(...)`: grouped
                    view = replace(view, group_by=_grouping(expr))
                else:
                    continue
                snap.slos[key] = view
    return snap
