"""The end-to-end drill: a total outage of the drill service, through real Prometheus and
Alertmanager, to stand-ins for PagerDuty and Slack; then recovery.

Asserts: PagerDuty gets a trigger carrying the runbook link (and the routing key read from its
secret file); Slack gets the ticket of the other SLO (latency); the availability ticket is
inhibited while its page fires and does not reach Slack meanwhile; after recovery PagerDuty gets
the resolve of the same incident. Every wait is bounded. The timings are printed and recorded."""
from __future__ import annotations

import json
import time

import pytest

from slogen.model.alerts import service_alerts
from stack import ROUTING_KEY, Stack, wait_until

pytestmark = pytest.mark.e2e

SLO_PAGED, SLO_TICKETED = "availability", "latency"


def _alert(stack: Stack, slo: str, severity: str):
    service = stack.bundle.service(stack.service)
    return next(a for a in service_alerts(service, stack.bundle)
                if a.labels.get("slo") == slo and a.severity == severity)


def _pd_events(stack: Stack, action: str) -> list[dict]:
    return [m.body for m in stack.pagerduty.messages()
            if isinstance(m.body, dict) and m.body.get("event_action") == action]


def _slack_texts(stack: Stack) -> list[str]:
    return [json.dumps(m.body) for m in stack.slack.messages()]


def _firing(stack: Stack, alertname: str, **labels: str) -> list[dict]:
    """Firing alerts of the drill service in Prometheus (not just pending)."""
    return [a for a in stack.query(f'ALERTS{{alertstate="firing",alertname="{alertname}",service="{stack.service}"}}')
            if all(a["metric"].get(k) == v for k, v in labels.items())]


def test_outage_pages_tickets_inhibits_and_resolves(drill_stack: Stack, record_property):
    stack = drill_stack
    page, twin, other = (_alert(stack, SLO_PAGED, "page"), _alert(stack, SLO_PAGED, "ticket"),
                         _alert(stack, SLO_TICKETED, "ticket"))
    stack.app.healthy()
    # Healthy traffic first, until every SLI is recorded and nothing fires.
    wait_until(lambda: len(stack.query(f'slogen:sli_requests:rate5m{{service="{stack.service}"}} > 0')) == 2,
               30, "SLIs recorded from healthy traffic")
    assert not stack.query(f'ALERTS{{service="{stack.service}",alertstate="firing"}}')
    assert not stack.pagerduty.messages() and not stack.slack.messages()

    try:
        outage = time.monotonic()
        stack.app.outage()

        trigger = wait_until(lambda: _pd_events(stack, "trigger"), 30, "PagerDuty trigger after the outage")[0]
        t_pagerduty = stack.pagerduty.messages()[0].at - outage
        assert trigger["routing_key"] == ROUTING_KEY, "the routing key is read from its secret file"
        assert trigger["payload"]["custom_details"]["slo"] == SLO_PAGED
        assert trigger["payload"]["severity"] == "critical"
        runbook = page.annotations["runbook_url"]
        assert {"href": runbook, "text": "Runbook"} in trigger["links"]
        assert trigger["payload"]["custom_details"]["runbook_url"] == runbook

        wait_until(lambda: [t for t in _slack_texts(stack) if f"/ {SLO_TICKETED} (ticket)" in t], 45,
                   "Slack ticket for the latency SLO")
        t_slack = next(m.at for m in stack.slack.messages() if f"/ {SLO_TICKETED} (ticket)" in json.dumps(m.body)) - outage
        ticket = stack.slack.messages()[0].body
        assert ticket["channel"] == "#drill-tickets"
        assert other.annotations["runbook_url"] in json.dumps(ticket)

        # The availability ticket fires in Prometheus too, but Alertmanager holds it back.
        wait_until(lambda: _firing(stack, twin.name, severity="ticket", slo=SLO_PAGED), 45,
                   "availability ticket firing in Prometheus")
        suppressed = wait_until(
            lambda: [a for a in stack.alerts(alertname=twin.name, slo=SLO_PAGED, severity="ticket")
                     if a["status"]["state"] == "suppressed" and a["status"]["inhibitedBy"]],
            15, "availability ticket inhibited in Alertmanager")
        assert suppressed
        assert _firing(stack, page.name, severity="page", slo=SLO_PAGED), "the page still fires"
    finally:
        recovery = time.monotonic()
        stack.app.healthy()

    resolve = wait_until(lambda: _pd_events(stack, "resolve"), 45, "PagerDuty resolve after recovery")[0]
    t_resolve = next(m.at for m in stack.pagerduty.messages() if m.body.get("event_action") == "resolve") - recovery
    assert resolve["dedup_key"] == trigger["dedup_key"], "the resolve closes the incident the trigger opened"
    # While the page fired (until recovery: asserted above), its ticket never reached Slack. After
    # it resolves, the ticket's slower windows may still burn: Alertmanager then sends it, rightly.
    held = [m for m in stack.slack.messages() if f"/ {SLO_PAGED} (" in json.dumps(m.body) and m.at < recovery]
    assert not held, "the inhibited ticket reached Slack while its page fired"
    assert all(m.body.get("event_action") in ("trigger", "resolve") for m in stack.pagerduty.messages())
    assert not [e for e in _pd_events(stack, "trigger") if e["payload"]["custom_details"]["slo"] != SLO_PAGED]

    timings = {"outage_to_pagerduty_s": round(t_pagerduty, 1), "outage_to_slack_s": round(t_slack, 1),
               "recovery_to_resolve_s": round(t_resolve, 1)}
    for key, value in timings.items():
        record_property(key, value)
    print(f"\ndrill timings: {json.dumps(timings)}")
    (stack.root / "drill-timings.json").write_text(json.dumps(timings) + "\n")
