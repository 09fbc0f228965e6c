"""The model as plain JSON for the jsonnet dashboards: the single input of `dashboards/main.jsonnet`.

Everything jsonnet needs is decided here, from the same model and conventions the rules come
from: recording-rule names, quoted label selectors, windows and factors, threshold levels. The
jsonnet side only arranges panels, so a dashboard can never query a series the rules don't record.
"""
from __future__ import annotations

from slogen import conventions as C
from slogen import groups, promql
from slogen.durations import format_duration
from slogen.numbers import format_percent, format_seconds
from slogen.model import Bundle
from slogen.model.alerts import service_alerts
from slogen.model.types import SLO, Service, Threshold
from slogen.thresholds.kind import format_value

# Grafana dashboard JSON schema version written into every dashboard. It is the default of the
# pinned @grafana/schema (tests/grafana/tsc/package.json); the tests check the two agree.
SCHEMA_VERSION = 42
OVERVIEW_FILE = "slo-overview.json"
# Grafana unit ids for the model's units.
_GRAFANA_UNIT = {"percent": "percent", "bytes": "bytes", "seconds": "s", "": "short"}


def dashboard_file(service: str) -> str:
    return f"{service}.json"


def _pct(ratio: float) -> str:
    return format_percent(ratio)


def _sel(matchers: tuple[promql.Matcher, ...] = (), **labels: str) -> str:
    return "{" + ",".join([f"{k}={promql.quote(v)}" for k, v in labels.items()] + [m.render() for m in matchers]) + "}"


def _variable_matchers(labels) -> tuple[promql.Matcher, ...]:
    """A grouped SLO's panels follow the dashboard's variable of each grouping label (all by default)."""
    return tuple(promql.Matcher(label, "=~", f"${label}") for label in labels)


def _legend(labels) -> str:
    return " ".join(f"{{{{{label}}}}}" for label in labels)


def _latency(slo: SLO) -> dict | None:
    if slo.kind != "latency":
        return None
    h = slo.sli
    matchers = h.matchers + _variable_matchers(slo.group_by)
    return {"bucket": promql.Selector(h.name + "_bucket", matchers).render(),
            "by": ", ".join(["le", *slo.group_by]),
            "quantile": promql.format_number(round(h.percentile / 100, 12)), "threshold": h.threshold,
            "label": f"p{promql.format_number(h.percentile)}", "threshold_label": format_seconds(h.threshold)}


def _slo(slo: SLO, bundle: Bundle, runbooks: dict[str, str]) -> dict:
    windows = []
    for w in slo.windows:
        windows.append({"severity": w.severity, "long": format_duration(w.long), "short": format_duration(w.short),
                        "factor": w.factor, "long_rule": C.sli_error_ratio(w.long),
                        "short_rule": C.sli_error_ratio(w.short)})
    return {
        "name": slo.name, "description": slo.description, "kind": slo.kind,
        "objective": round(slo.objective, 12), "objective_label": _pct(slo.objective), "budget_label": _pct(slo.budget),
        "period": format_duration(slo.period),
        "selector": _sel(**{C.LABEL_SERVICE: slo.service, C.LABEL_SLO: slo.name}, matchers=_variable_matchers(slo.group_by)),
        # the SLO-wide series (objective, budget) have no group labels: never filter them by group
        "slo_selector": _sel(**{C.LABEL_SERVICE: slo.service, C.LABEL_SLO: slo.name}),
        "group_by": list(slo.group_by), "legend": _legend(slo.group_by), "budget_match": groups.on_slo(slo.group_by),
        "alert": slo.alert_name, "runbook_url": runbooks.get(slo.alert_name, ""),
        "sli_rule": C.sli_error_ratio(bundle.base_window), "windows": windows, "latency": _latency(slo),
        # the burn-rate panel: one line per long window (the first pair that has it), and the
        # alert factors as colour steps, lowest first (both cost a tenth of a dashboard in jsonnet)
        "long_windows": [w for i, w in enumerate(windows) if w["long"] not in {x["long"] for x in windows[:i]}],
        "windows_by_factor": sorted(windows, key=lambda w: w["factor"]),
    }


def _threshold(t: Threshold, runbooks: dict[str, str]) -> dict:
    unit = t.value_unit
    levels = [{"severity": lvl.severity, "op": lvl.op, "value": lvl.value, "label": format_value(lvl.value, unit)}
              for lvl in t.levels]
    expr = t.value_expr
    if expr is None and t.metric:  # absent: how many series exist (0 = absent)
        expr, unit, levels = f"count({t.metric}) or vector(0)", "", []
    return {"name": t.name, "kind": t.kind, "description": t.description, "expr": expr, "legend": _legend(t.group_by),
            "unit": _GRAFANA_UNIT.get(unit, "short"), "levels": levels, "runbook_url": runbooks.get(t.name, "")}


def _service(s: Service, bundle: Bundle) -> dict:
    runbooks: dict[str, str] = {}
    for a in service_alerts(s, bundle):
        runbooks.setdefault(a.name, a.annotations.get(C.ANNOTATION_RUNBOOK, ""))
    return {
        "name": s.name, "team": s.team, "description": s.description, "source": s.source,
        "uid": C.dashboard_uid(s.name), "file": dashboard_file(s.name), "stem": s.name,
        "selector": _sel(**{C.LABEL_SERVICE: s.name}),
        "firing_selector": _sel(**{C.LABEL_SERVICE: s.name, "alertstate": "firing"}),
        "runbooks": [{"alert": k, "url": v} for k, v in runbooks.items()],
        "slos": [_slo(slo, bundle, runbooks) for slo in s.slos],
        "thresholds": [_threshold(t, runbooks) for t in s.thresholds],
        "variables": [{"name": label, "query": f"label_values({C.SLI_REQUESTS_BASE}{_sel(**{C.LABEL_SERVICE: s.name})}, {label})"}
                      for label in sorted({l for slo in s.slos for l in slo.group_by})],
    }


def overview_summary(s: Service, bundle: Bundle) -> dict:
    """What the overview needs of a service (JSON data, see slogen.targets): its entry (who it is
    and which SLOs it has; objectives and the like it reads from Prometheus, so that editing one
    does not change the overview) and the long alert windows (seconds) of each SLO."""
    entry = {"name": s.name, "team": s.team, "description": s.description, "uid": C.dashboard_uid(s.name),
             "file": dashboard_file(s.name), "stem": s.name, "selector": _sel(**{C.LABEL_SERVICE: s.name}),
             "slos": [{"name": slo.name, "selector": _sel(**{C.LABEL_SERVICE: slo.service, C.LABEL_SLO: slo.name}),
                       "group_by": list(slo.group_by)} for slo in s.slos]}
    del bundle
    return {"entry": entry, "longs": [sorted({w.long for w in slo.windows}) for slo in s.slos]}


def _common_windows(summaries: list[dict]) -> list[dict]:
    """Long alert windows every SLO has: the overview shows one burn-rate column for each."""
    longs = [set(x) for summary in summaries for x in summary["longs"]]
    if not longs:
        return []
    return [{"long": format_duration(x), "rule": C.sli_error_ratio(x)} for x in sorted(set.intersection(*longs))]


def _common(bundle: Bundle, render: str) -> dict:
    return {
        "generator": C.GENERATOR,
        "schemaVersion": SCHEMA_VERSION,
        "render": render,  # "services": their dashboards; "overview": the overview only
        "rules": {  # recording-rule and label names, from slogen.conventions only
            "objective": C.SLO_OBJECTIVE, "error_budget": C.SLO_ERROR_BUDGET,
            "period_error_ratio": C.SLO_PERIOD_ERROR_RATIO, "period_burn_rate": C.SLO_PERIOD_BURN_RATE,
            "budget_remaining": C.SLO_BUDGET_REMAINING, "requests": C.SLI_REQUESTS_BASE,
            "label_service": C.LABEL_SERVICE, "label_slo": C.LABEL_SLO, "label_kind": C.LABEL_ALERT_KIND,
            "label_severity": C.LABEL_SEVERITY,
        },
        "baseWindow": format_duration(bundle.base_window),
        "runbookBase": bundle.settings.runbook_base_url.rstrip("/"),
        "overview": {"uid": C.OVERVIEW_DASHBOARD_UID, "file": OVERVIEW_FILE, "stem": OVERVIEW_FILE.removesuffix(".json"),
                     "source": bundle.settings.source or "the bundle settings"},
    }


def services_model(bundle: Bundle, services) -> dict:
    """The input for the dashboards of `services` (each depends on its own service only)."""
    return _common(bundle, "services") | {
        "services": [_service(s, bundle) for s in sorted(services, key=lambda s: s.name)]}


def overview_model(bundle: Bundle, summaries: list[dict]) -> dict:
    """The input for the overview: every service's `overview_summary`, in service-name order."""
    model = _common(bundle, "overview") | {"services": [x["entry"] for x in summaries]}
    model["overview"]["windows"] = _common_windows(summaries)
    # the overview lists one row per group of a grouped SLO: its labels become columns and legends
    labels = sorted({l for x in summaries for slo in x["entry"]["slos"] for l in slo.get("group_by", [])})
    model["overview"]["group_labels"] = labels
    model["overview"]["legend"] = " ".join(["{{service}} / {{slo}}", _legend(labels)]).strip()
    return model
