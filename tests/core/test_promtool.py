"""The real promtool on everything slogen builds from specs/: lint-fatal rule checks, and every
generated unit test passes. Then the reverse: break a rule and the generated tests must notice."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers import SPECS, require, run

SERVICES = sorted(p.stem for p in SPECS.rglob("*.yaml") if "apiVersion: slogen/v1\nkind: Bundle" not in p.read_text())


def test_every_rule_file_passes_promtool_lint(built_specs):
    promtool = require("promtool")
    files = sorted((built_specs / "prometheus" / "rules").glob("*.yml"))
    assert len(files) == 7
    proc = run([promtool, "check", "rules", "--lint=all", "--lint-fatal", *map(str, files)])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_alert_name_has_a_unit_test(built_specs):
    for rules in sorted((built_specs / "prometheus" / "rules").glob("*.yml")):
        alerts = set(re.findall(r"^\s+- alert: (\w+)$", rules.read_text(), re.M))
        tests = (built_specs / "prometheus" / "tests" / rules.name.replace(".rules.yml", ".test.yml")).read_text()
        tested = set(re.findall(r"alertname: (\w+)$", tests, re.M))
        assert alerts and alerts <= tested, (rules.name, alerts - tested)


def _test_files() -> list[str]:
    from slogen import api
    from slogen.diagnostics import Diagnostics
    from slogen.targets.prometheus import unit_tests

    bundle = api.load_bundle([SPECS], Diagnostics())
    return sorted(f.path.rsplit("/", 1)[1] for f in unit_tests.service_files(bundle, bundle.services))


@pytest.mark.parametrize("name", _test_files())
def test_generated_unit_tests_pass(built_specs, name):
    promtool = require("promtool")
    proc = run([promtool, "test", "rules", str(built_specs / "prometheus" / "tests" / name)])
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


# (sentence, test file, old, new, how many occurrences). Making an AND of two windows more
# sensitive needs both sides changed; less sensitive shows with one side.
MUTATIONS = [
    ("a page threshold made less sensitive", "ggen-mcp.test.yml", "(14.4 * 0.001)", "(20 * 0.001)", 1),
    ("a ticket threshold made more sensitive", "ggen-mcp.test.yml", "(1 * 0.001)", "(0.8 * 0.001)", 2),
    ("a long window that reads the wrong span (numerator only)", "ggen-mcp.windows.test.yml",
     'sum_over_time(slogen:sli_errors:rate5m{service="ggen-mcp",slo="availability"}[6h])',
     'sum_over_time(slogen:sli_errors:rate5m{service="ggen-mcp",slo="availability"}[5h])', 1),
    ("the fast page waits 2m instead of 1m", "ggen-mcp.test.yml", "for: 1m", "for: 2m", 1),
    ("the 1h window summed from the recorded 5m rates (blurred) instead of read raw", "ggen-mcp.test.yml",
     '(sum(rate(mcp_requests_total{job="ggen-mcp",outcome="error"}[1h])) or vector(0))\n'
     '          /\n          sum(rate(mcp_requests_total{job="ggen-mcp"}[1h]))',
     'sum_over_time(slogen:sli_errors:rate5m{service="ggen-mcp",slo="availability"}[1h])\n'
     '          /\n          sum_over_time(slogen:sli_requests:rate5m{service="ggen-mcp",slo="availability"}[1h])', 1),
    ("a threshold level moved", "mcp-hub.test.yml", "mcp_hub_queue_depth{job=\"mcp-hub\"} > 50",
     "mcp_hub_queue_depth{job=\"mcp-hub\"} > 70", 1),
    ("a warning that forgot its for", "mcp-hub.test.yml", "for: 15m\n        labels:\n          severity: warning\n"
     "          team: mcp-hub\n          service: mcp-hub\n          slogen_kind: cpu",
     "labels:\n          severity: warning\n          team: mcp-hub\n          service: mcp-hub\n"
     "          slogen_kind: cpu", 1),
]


@pytest.mark.parametrize("test_file,old,new,count", [m[1:] for m in MUTATIONS], ids=[m[0] for m in MUTATIONS])
def test_a_broken_rule_fails_its_generated_tests(built_specs, tmp_path, test_file, old, new, count):
    promtool = require("promtool")
    bundle = tmp_path / "out"
    shutil.copytree(built_specs / "prometheus", bundle / "prometheus")
    service = test_file.split(".")[0]
    rules = bundle / "prometheus" / "rules" / f"{service}.rules.yml"
    text = rules.read_text()
    assert old in text, f"mutation target not found in {rules.name}"
    rules.write_text(text.replace(old, new, count))
    assert run([promtool, "check", "rules", str(rules)]).returncode == 0  # still valid rules
    proc = run([promtool, "test", "rules", str(bundle / "prometheus" / "tests" / test_file)])
    assert proc.returncode != 0, "the generated tests did not notice a broken rule"
