"""Every alert slogen writes routes where its severity says, proven by the real amtool.

The cases come from the model (`service_alerts`), never from a hand-written list: a new alert
in a spec is a new case here. The expected receiver is read from the alert's own tier (what the
spec and the bundle file say), not from the route-building code under test."""
from __future__ import annotations

from pathlib import Path

import pytest

from amtool_run import check_config, routes_test
from helpers import SPECS
from slogen import api
from slogen.diagnostics import Diagnostics
from slogen.model.alerts import service_alerts

HERE = Path(__file__).parent
OVERRIDES = HERE / "specs" / "overrides"
CATCH_ALL = "slogen-catch-all"


def _cases(specs: Path) -> list:
    bundle = api.load_bundle([specs], Diagnostics())
    assert bundle is not None, f"{specs} does not build"
    catch_all = bundle.settings.default_receiver or CATCH_ALL
    cases = []
    for service in bundle.services:
        for a in service_alerts(service, bundle):
            labels = {"alertname": a.name, **a.labels}
            window = f"/{a.labels['window']}" if "window" in a.labels else ""
            cases.append(pytest.param(labels, a.receiver or catch_all,
                                      id=f"{service.name}/{a.name}/{a.severity}{window}"))
    return cases


@pytest.fixture(scope="module")
def overrides_built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("overrides") / "out"
    assert api.build([OVERRIDES], out).ok
    return out


def test_the_generated_config_passes_amtool_check_config(built_specs):
    proc = check_config(built_specs / "alertmanager" / "alertmanager.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 inhibit rules" in proc.stdout and "1 templates" in proc.stdout


def test_a_bundle_with_every_kind_of_receiver_override_passes_amtool(overrides_built):
    proc = check_config(overrides_built / "alertmanager" / "alertmanager.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(("labels", "expected"), _cases(SPECS))
def test_every_shipped_alert_routes_to_its_tier_receiver(built_specs, labels, expected):
    proc = routes_test(built_specs / "alertmanager" / "alertmanager.yml", labels, expected)
    assert proc.returncode == 0, f"expected {expected}, amtool said: {proc.stdout}{proc.stderr}"


@pytest.mark.parametrize(("labels", "expected"), _cases(OVERRIDES))
def test_every_override_alert_routes_to_its_tier_receiver(overrides_built, labels, expected):
    proc = routes_test(overrides_built / "alertmanager" / "alertmanager.yml", labels, expected)
    assert proc.returncode == 0, f"expected {expected}, amtool said: {proc.stdout}{proc.stderr}"


def test_the_override_cases_cover_every_routing_rule():
    """Guards the table above: it must reach team defaults, both overrides and the catch-all."""
    receivers = {p.values[1] for p in _cases(OVERRIDES)}
    assert receivers == {"web-pd", "web-slack", "checkout-pd", "db-mail", "ops-fallback"}


@pytest.mark.parametrize(("labels", "expected"), [
    pytest.param({"alertname": "DiskFull", "severity": "critical", "team": "web"}, CATCH_ALL,
                 id="an alert from elsewhere (no slogen_kind) goes to the catch-all"),
    pytest.param({"alertname": "X", "severity": "info", "team": "ggen", "slogen_kind": "slo", "service": "ggen-mcp"},
                 CATCH_ALL, id="an unknown severity goes to the catch-all"),
    pytest.param({"alertname": "X", "severity": "page", "team": "nobody", "slogen_kind": "slo", "service": "x"},
                 CATCH_ALL, id="an unknown team goes to the catch-all"),
])
def test_nothing_is_dropped(built_specs, labels, expected):
    proc = routes_test(built_specs / "alertmanager" / "alertmanager.yml", labels, expected)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_route_check_notices_a_wrong_receiver(built_specs):
    """amtool must fail when the receiver is wrong, else every case above proves nothing."""
    labels, expected = _cases(SPECS)[0].values
    wrong = "ggen-slack" if expected != "ggen-slack" else "ggen-pagerduty"
    proc = routes_test(built_specs / "alertmanager" / "alertmanager.yml", labels, wrong)
    assert proc.returncode != 0
