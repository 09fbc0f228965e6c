"""A grouped SLO end to end (docs/group-by.md): one SLO per LLM provider, through real Prometheus and
Alertmanager to the PagerDuty and Slack stand-ins.

Two providers fail completely while a third burns slowly (tickets, no page). Asserts: exactly one
PagerDuty incident per failing provider, each naming its provider, none for the third; the third
provider's ticket reaches Slack although the other providers' pages fire (the inhibition matches
on `provider`), while the failing providers' own tickets are inhibited by their pages and never
reach Slack. Every wait is bounded."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from helpers import require
from stack import MetricsApp, Stack, running_stack, wait_until

pytestmark = pytest.mark.e2e

SPECS = Path(__file__).parent / "groups"
ALERT = "LlmSuccessBudgetBurn"
FAILING, SLOW_BURN, = ("openai", "anthropic"), "gemini"
SLOW_SHARE = 0.04  # above both ticket thresholds of a 99% objective (3%, 1%), below both pages (14.4%, 6%)


class ProviderApp(MetricsApp):
    """/metrics of an LLM gateway: drill_llm_requests_total{provider, outcome}, 100 calls/s per
    provider, each provider's error share set by the test (fractions carried, so 4% is 4%)."""

    RATE = 100

    def __init__(self, providers: tuple[str, ...]) -> None:
        super().__init__()
        self.share = {p: 0.0 for p in providers}
        self.counts = {(p, o): 0 for p in providers for o in ("success", "error")}
        self.carry = {p: 0.0 for p in providers}

    def set(self, provider: str, error_share: float) -> None:
        with self.lock:
            self.share[provider] = error_share

    def _tick(self) -> None:
        calls = int(self.RATE * self.TICK)
        with self.lock:
            for p, share in self.share.items():
                errors = self.carry[p] + calls * share
                whole = int(errors)
                self.carry[p] = errors - whole
                self.counts[(p, "error")] += whole
                self.counts[(p, "success")] += calls - whole

    def metrics(self) -> str:
        with self.lock:
            lines = ["# TYPE drill_llm_requests_total counter"]
            lines += [f'drill_llm_requests_total{{provider="{p}",outcome="{o}"}} {n}'
                      for (p, o), n in sorted(self.counts.items())]
        return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def grouped_stack(tmp_path_factory):
    prometheus, alertmanager = require("prometheus"), require("prometheus-alertmanager")
    app = ProviderApp(FAILING + (SLOW_BURN,))
    with running_stack(tmp_path_factory.mktemp("groups"), prometheus, alertmanager, SPECS, app) as stack:
        stack.service = "drill-llm"
        yield stack


def _names(provider: str) -> str:
    return f'for provider=\\"{provider}\\"'  # as the group reads inside a JSON-encoded message


def _incidents(stack: Stack) -> dict[str, list[dict]]:
    """PagerDuty triggers by dedup key: one key is one incident (one Alertmanager group)."""
    out: dict[str, list[dict]] = {}
    for m in stack.pagerduty.messages():
        if isinstance(m.body, dict) and m.body.get("event_action") == "trigger":
            out.setdefault(m.body["dedup_key"], []).append(m.body)
    return out


def _provider_of(events: list[dict]) -> set[str]:
    text = json.dumps(events)
    return {p for p in FAILING + (SLOW_BURN,) if _names(p) in text}


def test_one_notification_per_failing_provider(grouped_stack: Stack):
    stack = grouped_stack
    app: ProviderApp = stack.app
    app.set(SLOW_BURN, SLOW_SHARE)
    wait_until(lambda: len(stack.query('slogen:sli_requests:rate5m{service="drill-llm"} > 0')) == 3,
               30, "one recorded SLI per provider")
    assert not stack.query('ALERTS{service="drill-llm",severity="page",alertstate="firing"}')

    for provider in FAILING:
        app.set(provider, 1.0)

    incidents = wait_until(lambda: (found := _incidents(stack)) and len(found) >= 2 and found, 40,
                           "a PagerDuty incident for each failing provider")
    # The slow burner's ticket needs its 1h `for` (18s in the drill): by the time it reaches Slack,
    # every page that was going to be sent has been sent.
    ticket = wait_until(lambda: [m.body for m in stack.slack.messages() if _names(SLOW_BURN) in json.dumps(m.body)],
                        60, f"Slack ticket of {SLOW_BURN}")[0]
    incidents = _incidents(stack)
    assert len(incidents) == 2, {k: _provider_of(v) for k, v in incidents.items()}
    assert sorted(tuple(_provider_of(events)) for events in incidents.values()) == [("anthropic",), ("openai",)]
    for events in incidents.values():
        assert events[0]["payload"]["severity"] == "critical"
        assert events[0]["payload"]["custom_details"]["slo"] == "llm-success"

    assert ALERT in json.dumps(ticket) and "(ticket)" in json.dumps(ticket)
    # The failing providers' own tickets fire too, and each is held back by its own provider's page.
    for provider in FAILING:
        wait_until(lambda: [a for a in stack.alerts(alertname=ALERT, provider=provider, slogen_tier="ticket")
                            if a["status"]["state"] == "suppressed" and a["status"]["inhibitedBy"]],
                   45, f"{provider}'s ticket inhibited by its page")
    slow = [a for a in stack.alerts(alertname=ALERT, provider=SLOW_BURN) if a["status"]["state"] == "active"]
    assert slow and all(a["labels"]["slogen_tier"] == "ticket" for a in slow)
    time.sleep(2)  # a notification in flight would land now
    assert not [m for m in stack.slack.messages() if any(_names(p) in json.dumps(m.body) for p in FAILING)], \
        "a failing provider's ticket reached Slack despite its page"
    assert len(_incidents(stack)) == 2


def test_every_dashboard_query_returns_one_series_per_provider(grouped_stack: Stack):
    """Runs after the outage test (same module stack): every panel query of the grouped service's
    dashboard and of the overview returns data, with All providers selected (the default)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "grafana"))
    from grafana_checks import queries, substitute

    stack = grouped_stack
    grafana = stack.out / "grafana"
    # The firing-alert panels (ALERTS) are left to tests/e2e/test_dashboard_queries.py: in the whole
    # suite (not alone) they stayed empty here for minutes after the outage test, a gap still open.
    exprs = [(f"{name} / {title}", expr) for name in ("drill-llm.json", "slo-overview.json")
             for title, expr in queries(json.loads((grafana / name).read_text())) if "ALERTS" not in expr]

    def missing() -> list[str]:
        return [f"{title}: {expr}" for title, expr in exprs if not stack.query(substitute(expr, "10s"))]

    try:
        wait_until(lambda: not missing(), 60, "every panel query returns data")
    except TimeoutError as exc:
        pytest.fail(f"{exc}; still empty:\n" + "\n".join(missing()))
    budget = next(e for t, e in exprs if t.startswith("drill-llm.json / Error budget remaining"))
    providers = {r["metric"].get("provider") for r in stack.query(budget)}
    assert providers == set(FAILING + (SLOW_BURN,))
