"""Prometheus rule files: per service, SLI recordings, SLO metadata and all alerts.

Cheap long windows: raw metrics are read over the base window (5m) into two recorded series per
SLO (bad and all events per second), and every long window is computed from those:
  error ratio over W = sum_over_time(bad[W]) / sum_over_time(all[W])
a ratio of summed rates, so busy minutes weigh more than quiet ones (traffic-weighted), and
each evaluation reads W/interval samples of two series instead of every raw series over W.
Trade-off: each sample already averages 5 minutes, so a window's edges are blurred by up to
5 minutes, and a window starts counting only once the recording rules exist.

The windows up to 1h (C.RAW_WINDOW_MAX: the fast page pair, the 30m short window) are read from
the raw counters instead: blurred by 5 minutes, the 1h window would count a total outage 2
minutes late, and a raw read of a short window costs little (docs/alerting.md, "Detection time")."""
from __future__ import annotations

from slogen import conventions as C
from slogen import promql
from slogen.diagnostics import TargetError
from slogen.durations import format_duration
from slogen.groups import on_slo
from slogen.model import Bundle, SLO, Service
from slogen.model.alerts import Alert, selector, service_alerts
from slogen.prose import go_escape
from slogen.files import File

PERIOD_INTERVAL = 300  # seconds; the period-long rules change slowly, evaluate them every 5m


def rule_path(service: str) -> str:
    return f"prometheus/rules/{service}.rules.yml"


def _labels(slo: SLO) -> dict[str, str]:
    return {C.LABEL_SERVICE: slo.service, C.LABEL_SLO: slo.name}


def windows_of(slo: SLO, base: float) -> list[float]:
    """Every window the alerts need, shortest first, without the base window itself."""
    ws = {w.long for w in slo.windows} | {w.short for w in slo.windows}
    return sorted(w for w in ws if w != base)


def _ratio(slo: SLO, window: float) -> str:
    if window in slo.raw_queries:
        bad, total = slo.raw_queries[window]
        return f"{bad}\n/\n{total}"
    sel, w = selector(slo), format_duration(window)
    return (f"sum_over_time({C.SLI_ERRORS_BASE}{sel}[{w}])\n/\n"
            f"sum_over_time({C.SLI_REQUESTS_BASE}{sel}[{w}])")


def sli_rules(slo: SLO, base: float) -> list[dict]:
    labels = _labels(slo)
    sel = selector(slo)
    rules = [
        {"record": C.SLI_ERRORS_BASE, "expr": slo.errors_query, "labels": labels},
        {"record": C.SLI_REQUESTS_BASE, "expr": slo.requests_query, "labels": labels},
        {"record": C.sli_error_ratio(base), "expr": f"{C.SLI_ERRORS_BASE}{sel}\n/\n{C.SLI_REQUESTS_BASE}{sel}",
         "labels": labels},
    ]
    rules += [{"record": C.sli_error_ratio(w), "expr": _ratio(slo, w), "labels": labels}
              for w in windows_of(slo, base)]
    return rules


def metadata_rules(slo: SLO) -> list[dict]:
    labels = _labels(slo)
    sel = selector(slo)
    budget = C.SLO_ERROR_BUDGET
    return [
        {"record": C.SLO_OBJECTIVE, "expr": f"vector({slo.objective_percent / 100!r})", "labels": labels},
        {"record": budget, "expr": f"vector({slo.budget!r})", "labels": labels},
        {"record": C.SLO_PERIOD_ERROR_RATIO, "expr": _ratio(slo, slo.period), "labels": labels},
        {"record": C.SLO_PERIOD_BURN_RATE,
         "expr": f"{C.SLO_PERIOD_ERROR_RATIO}{sel}\n/ {on_slo(slo.group_by)}\n{budget}{sel}", "labels": labels},
        {"record": C.SLO_BUDGET_REMAINING, "expr": f"1 - {C.SLO_PERIOD_BURN_RATE}{sel}", "labels": labels},
    ]


def alert_rule(a: Alert) -> dict:
    rule: dict = {"alert": a.name, "expr": a.expr}
    if a.for_seconds:
        rule["for"] = format_duration(a.for_seconds)
    # Prometheus expands alerting-rule label values as templates too (annotations are already
    # escaped when written): spec text in a label must arrive in Alertmanager as written.
    rule["labels"] = {k: go_escape(v) for k, v in a.labels.items()}
    rule["annotations"] = a.annotations
    return rule


def rule_groups(service: Service, bundle: Bundle) -> list[dict]:
    groups = []
    base = bundle.base_window
    if service.slos:
        groups.append({"name": C.rule_group(service.name, "sli"),
                       "rules": [r for slo in service.slos for r in sli_rules(slo, base)]})
        groups.append({"name": C.rule_group(service.name, "slo-period"),
                       "interval": format_duration(max(round(PERIOD_INTERVAL * bundle.time_scale), 1)),
                       "rules": [r for slo in service.slos for r in metadata_rules(slo)]})
    alerts = service_alerts(service, bundle)
    if alerts:
        groups.append({"name": C.rule_group(service.name, "alerts"), "rules": [alert_rule(a) for a in alerts]})
    return groups


def checked(groups: list[dict], service: Service) -> list[dict]:
    """Every expression slogen writes must parse, in `validate` and `build` alike (promtool checks
    them again in the tests)."""
    for group in groups:
        for rule in group["rules"]:
            try:
                promql.check_generated(rule["expr"])
            except promql.PromQLError as exc:
                name = rule.get("record") or rule.get("alert")
                raise TargetError("promql/generated", f"{service.source}: slogen generated an expression for "
                                  f"`{name}` that does not parse: {exc}", hint="please report this with the spec")
    return groups


def service_files(bundle: Bundle, services) -> list[File]:
    return [File(rule_path(s.name), {"groups": checked(rule_groups(s, bundle), s)}, source=s.source,
                 service=s.name) for s in services]
