"""Every name slogen puts into Prometheus, Alertmanager and Grafana, in one place.

Changing a name here changes it everywhere (rules, tests, dashboards, runbooks, routes).
"""
from __future__ import annotations

import re

from slogen.durations import format_duration

GENERATOR = "slogen"

# Label keys on every recorded series and alert.
LABEL_SERVICE = "service"
LABEL_SLO = "slo"
LABEL_TEAM = "team"
LABEL_SEVERITY = "severity"
LABEL_WINDOW = "window"          # which burn-rate window pair fired, e.g. "1h/5m"
LABEL_PERIOD = "period"          # on metadata series, e.g. "30d"
LABEL_ALERT_KIND = "slogen_kind"  # "slo" or the threshold kind; lets routes and dashboards tell them apart
# The notification tier, "page" or "ticket", whatever `severity` says. Routes and inhibitions match
# on it, so a team (or a Sloth spec) may give `severity` its own values without breaking routing.
LABEL_TIER = "slogen_tier"
TIER_PAGE = "page"
TIER_TICKET = "ticket"

# Severity values. SLO alerts are page/ticket; threshold alerts are critical/warning.
# Routing (Alertmanager): page and critical go to the pager, ticket and warning to the ticket channel.
SEVERITY_PAGE = "page"
SEVERITY_TICKET = "ticket"
SEVERITY_CRITICAL = "critical"
SEVERITY_WARNING = "warning"
PAGING_SEVERITIES = (SEVERITY_PAGE, SEVERITY_CRITICAL)
TICKET_SEVERITIES = (SEVERITY_TICKET, SEVERITY_WARNING)

# Alertmanager: the receiver of alerts no team route claims (when the bundle names none).
RECEIVER_CATCH_ALL = "slogen-catch-all"

# Annotation keys.
ANNOTATION_SUMMARY = "summary"
ANNOTATION_DESCRIPTION = "description"
ANNOTATION_RUNBOOK = "runbook_url"
ANNOTATION_DASHBOARD = "dashboard_url"
# On alerts of a grouped SLO or threshold (`group_by`): which group, e.g. `provider="openai"`.
# Notification templates print it; Alertmanager groups by the labels themselves.
ANNOTATION_GROUP = "group"

BASE_WINDOW = 300  # seconds; raw metrics are read over this window (docs/rules.md, "Recording rules")
# Windows up to this long are read from the raw counters themselves (docs/alerting.md): the fast
# page pair must count a step at once, and a raw read costs in proportion to its window, so these
# are the cheap ones. Longer windows are summed from the recorded base rates.
RAW_WINDOW_MAX = 3600

# Recording rules.
SLI_ERRORS_BASE = "slogen:sli_errors:rate5m"      # bad events per second over BASE_WINDOW
SLI_REQUESTS_BASE = "slogen:sli_requests:rate5m"  # all events per second over BASE_WINDOW
SLO_OBJECTIVE = "slogen:slo_objective:ratio"
SLO_ERROR_BUDGET = "slogen:slo_error_budget:ratio"
SLO_PERIOD_ERROR_RATIO = "slogen:sli_error:ratio_period"
SLO_PERIOD_BURN_RATE = "slogen:slo_burn_rate:period"
SLO_BUDGET_REMAINING = "slogen:slo_error_budget_remaining:ratio"


def sli_error_ratio(window_seconds: float) -> str:
    """Recorded error ratio over a window: `slogen:sli_error:ratio_rate1h`."""
    return f"slogen:sli_error:ratio_rate{format_duration(window_seconds)}"


def rule_group(service: str, part: str) -> str:
    return f"slogen:{service}:{part}"


_WORD = re.compile(r"[A-Za-z0-9]+")


def camel(text: str) -> str:
    """`ggen-mcp p95_latency` → `GgenMcpP95Latency`."""
    return "".join(w[:1].upper() + w[1:] for w in _WORD.findall(text))


def slo_alert_name(slo_name: str) -> str:
    return f"{camel(slo_name)}BudgetBurn"


def window_label(long_seconds: float, short_seconds: float) -> str:
    return f"{format_duration(long_seconds)}/{format_duration(short_seconds)}"


def dashboard_uid(service: str) -> str:
    """Stable Grafana UID (max 40 chars) derived from the service name."""
    import hashlib

    slug = re.sub(r"[^a-z0-9-]", "-", service.lower())[:28].strip("-")
    return f"slogen-{slug}" if len(service) <= 28 else f"slogen-{slug[:20]}-{hashlib.sha1(service.encode()).hexdigest()[:6]}"


OVERVIEW_DASHBOARD_UID = "slogen-overview"
