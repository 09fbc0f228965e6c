"""What a runbook template is given: plain values worked out from the model, so the templates
only arrange words. All arithmetic (the budget maths) happens here, once, where it can be tested."""
from __future__ import annotations



from slogen import conventions as C
from slogen import groups, promql
from slogen.durations import format_duration, humanize_duration
from slogen.numbers import format_percent
from slogen.model import SLO, Bundle, Service, Threshold, detection
from slogen.model.alerts import Alert, selector
from slogen.thresholds import KINDS as THRESHOLD_KINDS
from slogen.targets.runbooks.topics import topic_of

CATCH_ALL = "slogen-catch-all"  # the Alertmanager target's default when the bundle names none
_SEVERITY_ORDER = {s: i for i, s in enumerate((C.SEVERITY_PAGE, C.SEVERITY_CRITICAL,
                                               C.SEVERITY_TICKET, C.SEVERITY_WARNING))}


def percent(ratio: float) -> str:
    return format_percent(ratio, decimals=4)


def period_words(seconds: float) -> str:
    """`30-day` for whole days (as in "the 30-day budget"), else `6 hours`."""
    return f"{int(seconds // 86400)}-day" if seconds % 86400 == 0 else humanize_duration(seconds)


def receiver_of(alert: Alert, bundle: Bundle) -> str:
    return alert.receiver or bundle.settings.default_receiver or CATCH_ALL


def _selectors(*exprs: str) -> list[str]:
    seen: list[str] = []
    for expr in exprs:
        for sel in promql.vector_selectors(expr):
            text = sel.render()
            if sel.metric and not sel.metric.startswith("slogen:") and text not in seen:
                seen.append(text)
    return seen


def burn_window(slo: SLO, alert: Alert, bundle: Bundle) -> dict:
    """One window pair in words; a total outage (burn 1/budget) as a real evaluation sees it."""
    # The model leaves out pairs whose threshold is 100% or more (they could never fire).
    w = alert.window
    threshold = w.factor * slo.budget
    return dict(
        severity=w.severity, window=C.window_label(w.long, w.short), factor=promql.format_number(w.factor),
        long=humanize_duration(w.long), short=humanize_duration(w.short),
        threshold=percent(threshold),
        exhaustion=humanize_duration(slo.period / w.factor), share=percent(w.budget_share),
        outage=humanize_duration(detection.detection_seconds(slo, w, 1 / slo.budget, bundle.base_window)),
        clears=humanize_duration(detection.reset_seconds(slo, w, 1 / slo.budget, bundle.base_window)),
        for_=humanize_duration(alert.for_seconds) if alert.for_seconds else None,
        receiver=receiver_of(alert, bundle),
    )


def slo_context(slo: SLO, alerts: list[Alert], bundle: Bundle) -> dict:
    good, bad = slo.good_noun, slo.bad_noun
    sel = selector(slo)
    windows = [burn_window(slo, a, bundle) for a in alerts]
    longs = sorted({a.window.long for a in alerts})
    queries = [
        (f"Error ratio over each alert window ({', '.join(format_duration(x) for x in longs)}; "
         "compare with the thresholds above)",
         "\n".join(f"{C.sli_error_ratio(x)}{sel}" for x in longs)),
        (f"Burn rate over the last {format_duration(longs[0])} (1 = spending the budget exactly over the period)",
         f"{C.sli_error_ratio(longs[0])}{sel}\n/ {groups.on_slo(slo.group_by)}\n{C.SLO_ERROR_BUDGET}{sel}"),
        (f"Error budget left for the current {format_duration(slo.period)} period (1 = untouched, below 0 = overspent)",
         f"{C.SLO_BUDGET_REMAINING}{sel}"),
        (f"The raw SLI without slogen's recording rules: {bad} per second over all events, last 5 minutes",
         f"{slo.errors_query}\n/\n{slo.requests_query}"),
    ]
    return dict(
        kind="slo", sli_kind=slo.kind, sli=slo.sli_description, good_noun=good, bad_noun=bad,
        slo_name=slo.name, description=slo.description, objective=percent(slo.objective),
        budget=percent(slo.budget), period=format_duration(slo.period), period_words=period_words(slo.period),
        min_events=slo.min_events, windows=windows, queries=queries, spec_yaml=slo.as_written,
        group_by=groups.describe(slo.group_by) if slo.group_by else "",
        base_window=humanize_duration(bundle.base_window),
        selectors=_selectors(slo.errors_query, slo.requests_query),
    )


def _condition(t: Threshold, alert: Alert) -> str:
    """The level in words, with the state's name for state gauges: `equal to 2 (open)`."""
    value = next((lvl.value for lvl in t.levels if lvl.severity == alert.severity), None)
    if value is not None and float(value).is_integer() and int(value) in t.states:
        return f"{alert.level.condition} ({t.states[int(value)]})"
    return alert.level.condition


def threshold_context(t: Threshold, alerts: list[Alert], bundle: Bundle) -> dict:
    kind = THRESHOLD_KINDS[t.kind]
    levels = [dict(severity=a.severity, condition=_condition(t, a),
                   for_=humanize_duration(a.for_seconds) if a.for_seconds else None,
                   expr=a.expr, receiver=receiver_of(a, bundle)) for a in alerts]
    queries = []
    if t.value_expr:
        queries.append(("The measured value now", t.value_expr))
    for a in alerts:
        queries.append((f"The {a.severity} rule's condition (returns series only while it holds)", a.expr))
    return dict(
        kind="threshold", threshold_kind=t.kind, description=t.description, levels=levels, queries=queries,
        value_expr=t.value_expr, spec_yaml=t.as_written, unit=t.unit,
        selectors=_selectors(*(a.expr for a in alerts)), no_value=not kind.shows_value,
        group_by=groups.describe(t.group_by) if t.group_by else "",
    )


def identity(alert: Alert, service: Service) -> str:
    """What stays the same when an alert is renamed: its SLO, or its kind and position among the
    service's thresholds of that kind."""
    if alert.slo is not None:
        return f"slo/{alert.slo.name}"
    same_kind = [t for t in service.thresholds if t.kind == alert.threshold.kind]
    return f"threshold/{alert.threshold.kind}/{same_kind.index(alert.threshold)}"


def runbook_context(service: Service, alerts: list[Alert], bundle: Bundle) -> dict:
    """Context for one runbook: every alert of one name (an SLO's page and ticket pairs, or a
    threshold's levels), most urgent first."""
    alerts = sorted(alerts, key=lambda a: (_SEVERITY_ORDER.get(a.severity, 9), a.window.long if a.window else 0))
    first = alerts[0]
    origin = (slo_context(first.slo, alerts, bundle) if first.slo is not None
              else threshold_context(first.threshold, alerts, bundle))
    severities = list(dict.fromkeys(a.severity for a in alerts))
    return dict(
        origin,
        alert=first.name, service=service.name, team=service.team, service_description=service.description,
        source=service.source, topic=topic_of(first), severities=severities,
        paging=any(a.paging for a in alerts),
        dashboard_url=first.annotations[C.ANNOTATION_DASHBOARD],
        runbook_url=first.annotations[C.ANNOTATION_RUNBOOK],
        alerts_query=f'ALERTS{{alertname={promql.quote(first.name)},{C.LABEL_SERVICE}={promql.quote(service.name)}}}',
        summaries=list(dict.fromkeys(a.annotations[C.ANNOTATION_SUMMARY] for a in alerts)),
    )
