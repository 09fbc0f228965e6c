"""Every alert of a service as one uniform record: what the rule file, the tests, the routes,
the dashboards and the runbooks all read. Built once per service from the model."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from slogen import conventions as C
from slogen import groups, promql
from slogen.durations import format_duration, humanize_duration
from slogen.numbers import format_percent as _percent
from slogen.model.types import SLO, Bundle, BurnWindow, Service, Settings, Threshold
from slogen.prose import GoTemplate, annotation
from slogen.thresholds.kind import LevelRule

_UNIT_VALUE = {
    "percent": "{{ $value | humanize }}%",
    "bytes": "{{ $value | humanize1024 }}B",
    "seconds": "{{ $value | humanize }}s",
    "": "{{ $value | humanize }}",
}


@dataclass(frozen=True)
class Alert:
    name: str
    severity: str
    expr: str
    for_seconds: float
    labels: dict[str, str]
    annotations: dict[str, str]
    service: str
    slo: SLO | None = None
    window: BurnWindow | None = None
    threshold: Threshold | None = None
    level: LevelRule | None = None

    @property
    def paging(self) -> bool:
        return self.severity in C.PAGING_SEVERITIES

    @property
    def receiver(self) -> str | None:
        origin = self.slo or self.threshold
        return (origin.page if self.paging else origin.ticket).receiver


def runbook_path(service: str, alert: str) -> str:
    return f"{service}/{alert}.md"


def selector(slo: SLO) -> str:
    return f'{{{C.LABEL_SERVICE}={promql.quote(slo.service)},{C.LABEL_SLO}={promql.quote(slo.name)}}}'


def burn_expr(slo: SLO, w: BurnWindow, base_window: float) -> str:
    threshold = f"({promql.format_number(w.factor)} * {promql.format_number(slo.budget)})"
    sel = selector(slo)
    lines = [f"{C.sli_error_ratio(w.long)}{sel} > {threshold}",
             "and",
             f"{C.sli_error_ratio(w.short)}{sel} > {threshold}"]
    if slo.min_events:
        lines += ["and",
                  f"avg_over_time({C.SLI_REQUESTS_BASE}{sel}[{format_duration(w.long)}]) * {promql.format_number(w.long)}"
                  f" >= {slo.min_events}"]
    del base_window
    return "\n".join(lines)


def _ordered(first: dict[str, str], rest: dict[str, str], tier: dict[str, str]) -> dict[str, str]:
    labels = first | {k: rest[k] for k in sorted(rest) if k not in first}
    # A tier's own `severity` label wins over slogen's page/ticket class, so teams that route on
    # their own values (Sloth's `page_alert.labels.severity: critical`) keep their routes. The
    # tier itself (Alert.severity, Alert.paging) is unchanged.
    if C.LABEL_SEVERITY in tier:
        labels[C.LABEL_SEVERITY] = tier[C.LABEL_SEVERITY]
    return labels


def _links(settings: Settings, service: str, name: str) -> dict[str, str]:
    return {C.ANNOTATION_RUNBOOK: f"{settings.runbook_base_url}/{runbook_path(service, name)}",
            C.ANNOTATION_DASHBOARD: f"{settings.grafana_url}/d/{C.dashboard_uid(service)}"}


def _group(labels: tuple[str, ...]) -> dict[str, str]:
    """The group an alert of a grouped SLO or threshold is about, for notifications."""
    return {C.ANNOTATION_GROUP: str(groups.label_text(labels))} if labels else {}


def slo_alerts(slo: SLO, bundle: Bundle) -> list[Alert]:
    out = []
    for w in slo.windows:
        tier = slo.page if w.severity == C.SEVERITY_PAGE else slo.ticket
        labels = _ordered({C.LABEL_SEVERITY: w.severity, C.LABEL_TEAM: slo.team, C.LABEL_SERVICE: slo.service,
                           C.LABEL_SLO: slo.name, C.LABEL_WINDOW: C.window_label(w.long, w.short),
                           C.LABEL_ALERT_KIND: "slo", C.LABEL_TIER: w.severity}, slo.labels | tier.labels, tier.labels)
        context = dict(
            service=slo.service, slo=slo.name, window=C.window_label(w.long, w.short),
            severity_word="fast" if w.severity == C.SEVERITY_PAGE else "slow",
            long=format_duration(w.long), short=format_duration(w.short), bad_noun=slo.bad_noun,
            objective=_percent(slo.objective), period=format_duration(slo.period),
            threshold=_percent(w.factor * slo.budget), factor=promql.format_number(w.factor),
            exhaustion=humanize_duration(slo.period / w.factor), share=_percent(w.budget_share),
            min_events=slo.min_events, group=groups.label_text(slo.group_by),
        )
        annotations = {
            C.ANNOTATION_SUMMARY: annotation("slo_summary.j2", **context),
            C.ANNOTATION_DESCRIPTION: annotation("slo_description.j2", **context),
        } | _group(slo.group_by) | _links(bundle.settings, slo.service, slo.alert_name)
        out.append(Alert(slo.alert_name, w.severity, burn_expr(slo, w, bundle.base_window), w.for_seconds, labels,
                         annotations, slo.service, slo=slo, window=w))
    return out


def threshold_alerts(t: Threshold, bundle: Bundle) -> list[Alert]:
    from slogen.thresholds import KINDS

    kind = KINDS[t.kind]
    out = []
    for rule in t.rules:
        tier = t.page if rule.severity == C.SEVERITY_CRITICAL else t.ticket
        labels = _ordered({C.LABEL_SEVERITY: rule.severity, C.LABEL_TEAM: t.team, C.LABEL_SERVICE: t.service,
                           C.LABEL_ALERT_KIND: t.kind, C.LABEL_TIER: C.TIER_PAGE if tier is t.page else C.TIER_TICKET},
                          t.labels | tier.labels, tier.labels)
        unit = t.value_unit
        context = dict(service=t.service, team=t.team, title=_title(t.name), condition=rule.condition,
                       severity=rule.severity, description=t.description, for_=None,
                       value=GoTemplate(_UNIT_VALUE[unit]) if kind.shows_value else "",
                       group=groups.label_text(t.group_by))
        context["for"] = format_duration(rule.for_seconds) if rule.for_seconds else "a moment"
        annotations = {
            C.ANNOTATION_SUMMARY: annotation("threshold_summary.j2", **context),
            C.ANNOTATION_DESCRIPTION: annotation("threshold_description.j2", **context),
        } | _group(t.group_by) | _links(bundle.settings, t.service, t.name)
        out.append(Alert(t.name, rule.severity, rule.expr, rule.for_seconds, labels, annotations, t.service,
                         threshold=t, level=rule))
    return out


@lru_cache(maxsize=None)
def _title(name: str) -> str:
    import re

    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower().capitalize()


_MEMO: dict[tuple[int, int], tuple[Service, Bundle, list[Alert]]] = {}
_MEMO_SIZE = 4096


def service_alerts(service: Service, bundle: Bundle) -> list[Alert]:
    """Every alert of a service. Five targets ask for the same list, so it is built once per
    (service, bundle) object pair; the model is frozen, so the list cannot go stale."""
    key = (id(service), id(bundle))
    hit = _MEMO.get(key)
    if hit is not None and hit[0] is service and hit[1] is bundle:
        return hit[2]
    alerts = _service_alerts(service, bundle)
    if len(_MEMO) >= _MEMO_SIZE:
        _MEMO.clear()
    _MEMO[key] = (service, bundle, alerts)
    return alerts


def _service_alerts(service: Service, bundle: Bundle) -> list[Alert]:
    out: list[Alert] = []
    for slo in service.slos:
        out.extend(slo_alerts(slo, bundle))
    for t in service.thresholds:
        out.extend(threshold_alerts(t, bundle))
    return out
