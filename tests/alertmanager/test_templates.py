"""`amtool template render` of every notification template, on data built from real alerts:
an SLO page, an SLO ticket and a threshold warning, firing and resolved."""
from __future__ import annotations

import pytest

from amtool_run import notification_data, render
from helpers import SPECS
from slogen import api
from slogen.diagnostics import Diagnostics
from slogen.model.alerts import service_alerts
from slogen.targets.alertmanager import templates as T


def _sample_alerts() -> dict:
    bundle = api.load_bundle([SPECS], Diagnostics())
    alerts = [a for s in bundle.services for a in service_alerts(s, bundle)]
    return {
        "slo-page": next(a for a in alerts if a.severity == "page"),
        "slo-ticket": next(a for a in alerts if a.severity == "ticket"),
        "threshold-warning": next(a for a in alerts if a.severity == "warning"),
    }


SAMPLES = _sample_alerts()


def _render(built, name: str, alert, tmp_path, status: str = "firing") -> str:
    glob = str(built / "alertmanager" / "templates" / "*.tmpl")
    proc = render(glob, T.use(name), notification_data(alert, status), tmp_path)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("kind", sorted(SAMPLES))
@pytest.mark.parametrize("status", ["firing", "resolved"])
@pytest.mark.parametrize("name", T.NAMES)
def test_every_template_renders(built_specs, tmp_path, name, kind, status):
    out = _render(built_specs, name, SAMPLES[kind], tmp_path, status)
    assert out.strip(), f"{name} rendered nothing"
    assert "<no value>" not in out


@pytest.mark.parametrize("kind", sorted(SAMPLES))
@pytest.mark.parametrize("name", [T.SLACK_TEXT, T.EMAIL_TEXT])
def test_message_bodies_carry_summary_description_and_both_links(built_specs, tmp_path, name, kind):
    alert = SAMPLES[kind]
    out = _render(built_specs, name, alert, tmp_path)
    for key in ("summary", "runbook_url", "dashboard_url"):
        assert alert.annotations[key] in out, key
    assert alert.labels["service"] in out


def test_titles_name_status_alert_service_and_slo(built_specs, tmp_path):
    alert = SAMPLES["slo-page"]
    title = _render(built_specs, T.SLACK_TITLE, alert, tmp_path)
    assert title == f"[FIRING:1] {alert.name} · {alert.labels['service']} / {alert.labels['slo']} (page)"
    resolved = _render(built_specs, T.PAGERDUTY_DESCRIPTION, alert, tmp_path, "resolved")
    assert resolved.startswith(f"[RESOLVED] {alert.name}")


@pytest.mark.parametrize(("kind", "expected"), [("slo-page", "critical"), ("slo-ticket", "warning"),
                                                ("threshold-warning", "warning")])
def test_pagerduty_severity_follows_the_severity_class(built_specs, tmp_path, kind, expected):
    assert _render(built_specs, T.PAGERDUTY_SEVERITY, SAMPLES[kind], tmp_path) == expected


def test_pagerduty_class_names_the_slo_or_the_threshold_kind(built_specs, tmp_path):
    slo = SAMPLES["slo-page"]
    assert _render(built_specs, T.PAGERDUTY_CLASS, slo, tmp_path) == f"slo:{slo.labels['slo']}"
    threshold = SAMPLES["threshold-warning"]
    assert _render(built_specs, T.PAGERDUTY_CLASS, threshold, tmp_path) == threshold.labels["slogen_kind"]


def test_template_file_defines_exactly_the_names_receivers_call():
    import re

    defined = re.findall(r'\{\{ define "([^"]+)" \}\}', T.text("specs/bundle.yaml"))
    assert defined == list(T.NAMES)
