"""The generated inhibit rules, on the real Alertmanager of the drill stack: alerts are posted
straight to its API (team `probe`, which no route claims, so no stand-in is notified) and the
test reads back which ones Alertmanager suppressed."""
from __future__ import annotations

import datetime as dt
import json
import urllib.request

import pytest

from stack import Stack, wait_until

pytestmark = pytest.mark.e2e


def _post(stack: Stack, alerts: list[dict], minutes: float) -> None:
    ends = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)).isoformat()
    body = json.dumps([{"labels": a, "annotations": {}, "endsAt": ends} for a in alerts]).encode()
    req = urllib.request.Request(f"{stack.alertmanager_url}/api/v2/alerts", body,
                                 {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert resp.status == 200


def _state(stack: Stack, labels: dict) -> str | None:
    found = stack.alerts(**labels)
    return found[0]["status"]["state"] if found else None


def _labels(service: str, alertname: str, severity: str, kind: str, slo: str | None = None,
            tier: str | None = None) -> dict:
    tier = tier or ("page" if severity in ("page", "critical") else "ticket")
    out = {"alertname": alertname, "service": service, "team": "probe", "severity": severity,
           "slogen_kind": kind, "slogen_tier": tier}
    return out | ({"slo": slo} if slo else {})


CASES = [
    pytest.param(_labels("probe-1", "AvailabilityBudgetBurn", "page", "slo", "availability"),
                 _labels("probe-1", "AvailabilityBudgetBurn", "ticket", "slo", "availability"),
                 _labels("probe-1", "LatencyBudgetBurn", "ticket", "slo", "latency"),
                 id="a page inhibits the ticket of the same SLO, not another SLO's"),
    pytest.param(_labels("probe-2", "CpuHigh", "critical", "cpu"), _labels("probe-2", "CpuHigh", "warning", "cpu"),
                 _labels("probe-2", "MemoryHigh", "warning", "memory"),
                 id="critical inhibits its warning twin, not another alert's warning"),
    pytest.param(_labels("probe-3", "ServiceDown", "critical", "up"),
                 _labels("probe-3", "AvailabilityBudgetBurn", "page", "slo", "availability"),
                 _labels("probe-4", "AvailabilityBudgetBurn", "page", "slo", "availability"),
                 id="service down inhibits that service's other alerts, not another service's"),
    pytest.param(_labels("probe-5", "CheckoutBurn", "pageteam", "slo", "checkout", tier="page"),
                 _labels("probe-5", "CheckoutBurn", "slack", "slo", "checkout", tier="ticket"),
                 _labels("probe-5", "RefundBurn", "slack", "slo", "refund", tier="ticket"),
                 id="inhibition follows the tier when a spec chose its own severity values (Sloth)"),
]


@pytest.mark.parametrize(("source", "target", "control"), CASES)
def test_inhibit_rule_on_the_real_alertmanager(drill_stack: Stack, source, target, control):
    stack = drill_stack
    try:
        _post(stack, [source, target, control], minutes=5)
        wait_until(lambda: _state(stack, target) == "suppressed", 15, "target suppressed")
        assert _state(stack, source) == "active"
        assert _state(stack, control) == "active"
    finally:
        _post(stack, [source, target, control], minutes=-1)  # resolve them again
