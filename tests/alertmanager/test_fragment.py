"""The fragment merges into an existing config exactly as docs/alertmanager.md says, and then routes
slogen's alerts as the full config does while leaving the team's own routes alone."""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from amtool_run import check_config, routes_test
from helpers import SPECS
from slogen import api
from slogen.diagnostics import Diagnostics
from slogen.model.alerts import service_alerts

EXISTING = Path(__file__).parent / "existing-alertmanager.yml"


def merge(existing: dict, fragment: dict) -> dict:
    """The three steps of docs/alertmanager.md: route first under the root, lists appended."""
    merged = dict(existing)
    merged["route"] = dict(existing["route"])
    merged["route"]["routes"] = [fragment["route"], *existing["route"].get("routes", [])]
    for key in ("receivers", "inhibit_rules", "templates"):
        merged[key] = [*existing.get(key, []), *fragment[key]]
    return merged


def test_merged_config_passes_amtool_and_routes_both_worlds(built_specs, tmp_path):
    fragment = yaml.safe_load((built_specs / "alertmanager" / "fragment.yml").read_text())
    merged = merge(yaml.safe_load(EXISTING.read_text()), fragment)
    config = tmp_path / "alertmanager.yml"
    config.write_text(yaml.safe_dump(merged, sort_keys=False))
    shutil.copytree(built_specs / "alertmanager" / "templates", tmp_path / "templates")
    proc = check_config(config)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    assert routes_test(config, {"alertname": "NodeDown", "team": "infra"}, "infra-oncall").returncode == 0
    assert routes_test(config, {"alertname": "Other"}, "team-default").returncode == 0
    bundle = api.load_bundle([SPECS], Diagnostics())
    failures = []
    for service in bundle.services:
        for a in service_alerts(service, bundle):
            expected = a.receiver or "slogen-catch-all"
            if routes_test(config, {"alertname": a.name, **a.labels}, expected).returncode:
                failures.append((service.name, a.name, a.severity, expected))
    assert not failures
