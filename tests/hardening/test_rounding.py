"""No factor, threshold or duration is rounded to zero or to another meaning (issue 20): either
the output carries the value faithfully, or the input is refused at its position."""
from __future__ import annotations

import math

import pytest

from helpers import GOOD, ROOT

from slogen import api
from slogen.diagnostics import Severity

EXTREMES = GOOD.replace("objective: 99.9", """objective: 99.9999999
    alerting:
      windows:
        - {severity: page, budget_percent: 0.01, long: 3d, short: 6h}""") + """\
  - name: latency
    sli: {kind: latency, histogram: h, threshold: 0.0001, percentile: 99.9999999995}
thresholds:
  - kind: disk_fill
    warning: {within: 1s500ms}
"""

# (sentence id, output file, text it must hold, text it must not hold)
OUTPUT = [
    ("an objective of 99.9999999% is not announced as 100%", "prometheus/rules/api.rules.yml",
     "objective 99.9999999% over 30d", "objective 100%"),
    ("an alert threshold of 1e-10% is not announced as 0%", "prometheus/rules/api.rules.yml",
     "alert threshold 1e-10%", "alert threshold 0%"),
    ("the runbook gives the budget of a 99.9999999% objective, not 0%", "runbooks/api/AvailabilityBudgetBurn.md",
     "the error budget is 1e-07% of all", "budget is 0%"),
    ("the dashboard names the objective of a latency SLO at its full precision", "grafana/api.json",
     "Objective: 99.9999999995%.", "Objective: 100%"),
    ("the dashboard's quantile keeps the percentile's precision", "grafana/api.json",
     "histogram_quantile(0.999999999995,", "histogram_quantile(1,"),
    ("a latency threshold of 100µs is not described as 0s", "runbooks/api/LatencyBudgetBurn.md",
     "served within 0.0001s", "within 0s"),
    ("a disk predicted full within 1.5s is not predicted at 1s", "prometheus/rules/api.rules.yml",
     "[6h], 1.5) < 0", "[6h], 1) < 0"),
]


@pytest.fixture(scope="module")
def extremes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("extremes")
    (folder / "specs").mkdir()
    (folder / "specs" / "api.yaml").write_text(EXTREMES)
    result = api.build([folder / "specs"], folder / "out")
    assert result.ok, [(d.code, d.message) for d in result.diagnostics]
    return folder / "out"


@pytest.mark.parametrize("path,present,absent", [c[1:] for c in OUTPUT], ids=[c[0] for c in OUTPUT])
def test_extreme_values_reach_the_output_faithfully(extremes, path, present, absent):
    text = (extremes / path).read_text()
    assert present in text
    assert absent not in text


SHORT_WINDOWS = GOOD.replace("team: platform", "team: platform\nalerting:\n  windows:\n"
                             "    - {severity: page, budget_percent: 2, long: 2m, short: 1m}")

# (sentence id, spec, --time-scale, expected (line, col) of the error, or None for a bundle-wide one)
TIME_SCALES = [
    ("a time scale of zero", GOOD, 0.0, None),
    ("a negative time scale", GOOD, -1.0, None),
    ("a time scale that is not a number", GOOD, math.nan, None),
    ("an infinite time scale", GOOD, math.inf, None),
    ("a time scale above 1 (durations Prometheus cannot hold)", GOOD, 1e9, None),
    ("a time scale that rounds the 5m base window to 0s", GOOD, 0.001, None),
    ("a time scale that makes a short and a long window the same", SHORT_WINDOWS, 0.005, (6, 7)),
]


@pytest.mark.parametrize("text,scale,at", [c[1:] for c in TIME_SCALES], ids=[c[0] for c in TIME_SCALES])
def test_a_time_scale_that_changes_the_alerts_is_refused(tmp_path, text, scale, at):
    (tmp_path / "api.yaml").write_text(text)
    assert api.validate([tmp_path]).ok  # the spec itself is fine
    result = api.validate([tmp_path], time_scale=scale)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert [d.code for d in errors] == ["input/time-scale"], [(d.code, d.message) for d in errors]
    position = errors[0].position
    assert (position.line, position.col) == at if at else position is None


def test_the_drill_still_builds_at_its_time_scale():
    # its threshold's `for: 1m` becomes 0.3s at 0.005: scaled durations are at least 1s, not refused
    result = api.validate([ROOT / "tests" / "e2e" / "drill"], time_scale=0.005)
    assert result.ok, [(d.code, d.message) for d in result.diagnostics]
