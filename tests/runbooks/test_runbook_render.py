"""What a runbook says, and that every alert built from specs/ links to one."""
from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest
import yaml

from slogen import api  # noqa: F401  (imports slogen in pipeline order)
from slogen.targets import runbooks
from slogen.targets.runbooks import context, sections

from runbook_helpers import MARKER, build, write_spec


def _alerts(out: Path):
    for f in sorted((out / "prometheus" / "rules").glob("*.yml")):
        for group in yaml.safe_load(f.read_text())["groups"]:
            for rule in group["rules"]:
                if "alert" in rule:
                    yield rule


def test_every_alert_links_to_a_runbook_in_the_bundle(built_specs):
    base = "https://git.example.com/monitoring/blob/main/out/runbooks/"  # specs/bundle.yaml
    alerts = list(_alerts(built_specs))
    assert len(alerts) > 50
    for rule in alerts:
        url = rule["annotations"]["runbook_url"]
        assert url.startswith(base), url
        path = built_specs / "runbooks" / url[len(base):]
        assert path.is_file(), f"{rule['alert']}: {url} has no runbook"
        assert f"# {rule['alert']}\n" in path.read_text()


def test_every_runbook_belongs_to_an_alert_and_is_in_the_index(built_specs):
    names = {(r["labels"]["service"], r["alert"]) for r in _alerts(built_specs)}
    files = {(p.parent.name, p.stem) for p in (built_specs / "runbooks").glob("*/*.md")}
    assert files == names
    index = (built_specs / "runbooks" / "README.md").read_text()
    for service, alert in names:
        assert f"[{alert}]({service}/{alert}.md)" in index


def test_the_index_lists_alerts_by_service_then_severity(built_specs):
    index = (built_specs / "runbooks" / "README.md").read_text()
    hub = index.split("## mcp-hub\n")[1].split("\n## ")[0]
    severities = re.findall(r"^\| (page|critical|ticket|warning) \|", hub, re.M)
    order = ["page", "critical", "ticket", "warning"]
    assert severities == sorted(severities, key=order.index) and set(severities) == set(order)


def test_each_runbook_has_one_marker_and_the_template_notes(built_specs):
    for p in (built_specs / "runbooks").glob("*/*.md"):
        data = p.read_bytes()
        assert data.count(MARKER) == 1, p
        assert sections.split(data)[1] == runbooks.template_bottom(), p


def _runbook(out: Path, service: str, alert: str) -> str:
    return (out / "runbooks" / service / f"{alert}.md").read_text()


# (sentence, service, alert, phrases the runbook must contain)
SAYS = [
    ("a 99.9% page at 14.4x says when the 30-day budget is gone and how much is spent",
     "ggen-mcp", "AvailabilityBudgetBurn",
     ["at this burn rate the 30-day budget is\n  gone in about 50 hours",
      "fires once about 2% of it has been spent", "more than 1.44% of events",
      "a total outage fires it after 2 minutes"]),
    ("the slow ticket window of a 99.9% SLO", "ggen-mcp", "AvailabilityBudgetBurn",
     ["**ticket, 3d/6h (1x):**", "gone in about 30 days", "about 10% of it", "`ggen-slack`"]),
    ("a 95% SLO takes 45 minutes to page on a total outage on the 1h pair (43.2m, the next minute, for 1m)",
     "mcp-hub", "LlmSuccessBudgetBurn", ["error budget is 5% of all", "a total outage fires it after 45 minutes", "`mcp-hub-pagerduty`", "failed LLM calls"]),
    ("a latency SLO gets the latency checklist", "ggen-mcp", "LatencyP95BudgetBurn",
     ["Saturation:", "Slow dependencies:", "Recent deploys", "within 1s"]),
    ("availability gets the error breakdown", "ggen-mcp", "AvailabilityBudgetBurn",
     ["Break the errors down by status code and route", 'mcp_requests_total{job="ggen-mcp",outcome="error"}']),
    ("disk says what fills it and how to clean up safely", "ggen-mcp", "DiskSpaceLow",
     ["Find what fills it", "Safe clean-up first", "below 10%", "node_filesystem_avail_bytes"]),
    ("memory talks about leaks and restarts", "mcp-hub", "MemoryUsageHigh",
     ["Leak or load?", "Restarts:", "above 7GB"]),
    ("a cache ratio gets eviction and cold start", "mcp-hub", "CacheHitRateLow", ["Cold start:", "Eviction:"]),
    ("a cache SLO gets the cache checklist too", "mcp-hub", "CacheHitBudgetBurn", ["Cold start:", "cache misses"]),
    ("a queue gauge gets consumers and backpressure", "katago-mcp", "QueueDepthHigh",
     ["Consumers:", "Backpressure:", "above 50"]),
    ("a state gauge names its states", "mcp-hub", "CircuitBreakerTripped",
     ["equal to 2 (open)", "equal to 1 (half-open)", "Do not force the breaker closed"]),
    ("service down explains scrape failures", "ggen-mcp", "ServiceDown", ["Is it only the scrape?", 'up{job="ggen-mcp"} == 0']),
    ("an absent metric", "context-server-rs", "HealthMetricsMissing",
     ["has disappeared", 'absent(context_health_check_success{job="context-server"})']),
    ("an engine health gauge is about a process being down", "katago-mcp", "KataGoEngineDown", ["Is the process running?"]),
    ("a latency expression gets the latency checklist", "mcp-hub", "LlmApiLatencyHigh", ["Slow dependencies:"]),
    ("every runbook links its dashboard and names its team", "mcp-hub", "ServiceDown",
     ["Dashboard: <https://grafana.example.com/d/slogen-mcp-hub>", "Owning team: `mcp-hub`"]),
    ("copy-pasteable PromQL for the current state", "ggen-mcp", "AvailabilityBudgetBurn",
     ["```promql\n  slogen:sli_error:ratio_rate1h{service=\"ggen-mcp\",slo=\"availability\"}",
      'ALERTS{alertname="AvailabilityBudgetBurn",service="ggen-mcp"}']),
]


@pytest.mark.parametrize("service,alert,phrases", [s[1:] for s in SAYS], ids=[s[0] for s in SAYS])
def test_runbooks_say_something_specific(built_specs, service, alert, phrases):
    text = _runbook(built_specs, service, alert)
    for phrase in phrases:
        assert phrase in text, phrase


def test_only_window_pairs_that_can_fire_are_described(tmp_path):
    spec = write_spec(tmp_path / "specs")
    text = spec.joinpath("shop.yaml").read_text().replace("objective: 99.9", "objective: 90")
    spec.joinpath("shop.yaml").write_text(text)
    out = tmp_path / "out"
    build(spec, out)
    rb = _runbook(out, "shop", "AvailabilityBudgetBurn")
    # budget 10%: the 14.4x pair would need an error ratio of 144%, so the model leaves it out
    assert "1h/5m" not in rb and "**page, 6h/30m (6x):**" in rb and "more than 60% of events" in rb
    assert "a total outage fires it after 3.9 hours" in rb  # 6 × 0.1 × 6h = 3.6h, a few minutes of ramp, for 15m
    assert "`slogen-catch-all`" in rb  # no Bundle file: everything goes to the catch-all receiver


def test_detection_time_follows_the_workbook_formula():
    # docs/rules.md, "The alert maths": t = f·W/B; a total outage is B = 1/budget.
    assert context.humanize_duration(14.4 * 3600 * 0.001) == "52 seconds"
    assert context.percent(14.4 * 0.001) == "1.44%"
    assert context.period_words(30 * 86400) == "30-day"


def test_templates_refuse_missing_values():
    with pytest.raises(jinja2.UndefinedError):
        runbooks.render("runbook.md.j2", alert="X")  # StrictUndefined: no silent blanks


def test_two_builds_are_byte_identical(tmp_path, built_specs):
    from slogen import write as writer
    from helpers import SPECS

    again = api.build([SPECS], tmp_path / "out")
    assert again.ok
    mine = {p: b for p, b in writer.read_tree(tmp_path / "out").items() if p.startswith("runbooks/")}
    theirs = {p: b for p, b in writer.read_tree(built_specs).items() if p.startswith("runbooks/")}
    assert mine == theirs and mine
