"""Sloth and OpenSLO specs build into rules promtool accepts, and the generated tests pass."""
from __future__ import annotations

import pytest
import yaml

from helpers import require, run
from tests.formats.conftest import rules_data

SERVICES = ["checkout", "inventory", "ledger", "search"]


def test_every_foreign_spec_becomes_a_service(mixed_out):
    assert sorted(rules_data(mixed_out)) == [f"{s}.rules.yml" for s in SERVICES]


@pytest.mark.tools
def test_promtool_check_rules_lint_clean(mixed_out):
    promtool = require("promtool")
    files = sorted(str(p) for p in (mixed_out / "prometheus" / "rules").glob("*.yml"))
    r = run([promtool, "check", "rules", "--lint=all", "--lint-fatal", *files])
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.tools
@pytest.mark.parametrize("service", SERVICES)
def test_generated_unit_tests_pass(mixed_out, service):
    promtool = require("promtool")
    tests = sorted((mixed_out / "prometheus" / "tests").glob(f"{service}.*yml"))
    assert tests
    for t in tests:
        r = run([promtool, "test", "rules", t.name], cwd=t.parent)
        assert r.returncode == 0, r.stdout + r.stderr


def _cases(out, service):
    return yaml.safe_load((out / "prometheus" / "tests" / f"{service}.test.yml").read_text())["tests"]


def _alerts(out, service):
    data = yaml.safe_load((out / "prometheus" / "rules" / f"{service}.rules.yml").read_text())
    return [r for g in data["groups"] for r in g["rules"] if "alert" in r]


# (service, SLO, alert name the spec gives, labels its page alerts must carry)
PAGES = [
    pytest.param("checkout", "requests-availability", "CheckoutHighErrorRate",
                 {"severity": "critical", "pager": "payments-oncall", "category": "availability", "team": "payments"},
                 id="a Sloth page alert keeps the spec's alert name and page labels"),
    pytest.param("checkout", "card-authorisations", "CheckoutCardAuthFailing", {"severity": "critical"},
                 id="a Sloth raw error-ratio SLI pages under its alert name"),
    pytest.param("search", "query-latency", "SearchSlowQueries",
                 {"severity": "pageteam", "oncall": "discovery", "team": "discovery"},
                 id="a Sloth CRD page alert keeps its pageAlert labels"),
    pytest.param("ledger", "ledger-writes", "LedgerWritesBudgetBurn", {"severity": "page", "team": "ledger"},
                 id="an OpenSLO page-severity policy yields a page alert"),
    pytest.param("inventory", "inventory-availability", "InventoryAvailabilityBudgetBurn", {"severity": "page"},
                 id="an OpenSLO v1alpha SLO pages with slogen's default windows"),
]


@pytest.mark.parametrize("service, slo, alert, labels", PAGES)
def test_a_total_outage_pages_with_the_specs_name_and_labels(mixed_out, service, slo, alert, labels):
    case = next(c for c in _cases(mixed_out, service)
                if c["name"].startswith(f"{slo}: a total outage after") and "pages within" in c["name"])
    [check] = case["alert_rule_test"]
    assert check["alertname"] == alert
    assert check["exp_alerts"], "a total outage must page"
    for expected in check["exp_alerts"]:
        assert expected["exp_labels"].items() >= labels.items()
    page_rules = [r for r in _alerts(mixed_out, service) if r["alert"] == alert and r["labels"]["slo"] == slo
                  and r["labels"]["window"] in ("1h/5m", "6h/30m")]
    assert page_rules and all(r["labels"].items() >= labels.items() for r in page_rules)


@pytest.mark.parametrize("service", ["checkout", "search", "ledger", "inventory"])
def test_healthy_traffic_fires_nothing(mixed_out, service):
    healthy = [c for c in _cases(mixed_out, service) if "healthy traffic" in c["name"]]
    assert healthy
    for case in healthy:
        assert all(check["exp_alerts"] == [] for check in case["alert_rule_test"]), case["name"]


def test_sloth_ticket_labels_and_disabled_tier(mixed_out):
    alerts = _alerts(mixed_out, "checkout")
    tickets = [a for a in alerts if a["alert"] == "CheckoutHighErrorRate" and a["labels"]["window"] in ("1d/2h", "3d/6h")]
    assert tickets and all(a["labels"]["severity"] == "warning" for a in tickets)
    assert {a["labels"]["window"] for a in alerts if a["alert"] == "CheckoutCardAuthFailing"} == {"1h/5m", "6h/30m"}


def test_openslo_burnrate_conditions_become_the_windows(mixed_out):
    ledger = [a for a in _alerts(mixed_out, "ledger") if a["alert"] == "LedgerWritesBudgetBurn"]
    assert [(a["labels"]["severity"], a["labels"]["window"], a["for"]) for a in ledger] == [
        ("page", "1h/5m", "2m"), ("ticket", "12h/1h", "30m")]
    assert "(10 * 0.005)" in ledger[0]["expr"] and "(2 * 0.005)" in ledger[1]["expr"]


def test_openslo_threshold_metric_becomes_a_threshold_alert(mixed_out):
    [latency] = [a for a in _alerts(mixed_out, "ledger") if a["alert"] == "LedgerReadLatency"]
    assert latency["expr"] == "max(ledger_read_latency_p99_seconds) > 0.25"
    assert latency["labels"]["severity"] == "critical"  # the policy it names is page-severity


def test_openslo_notification_targets_become_receivers(mixed_out):
    am = yaml.safe_load((mixed_out / "alertmanager" / "alertmanager.yml").read_text())
    text = yaml.safe_dump(am["route"])
    assert "ledger-pager" in text and "ledger-chat" in text
