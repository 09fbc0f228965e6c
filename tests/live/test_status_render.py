"""The formats of `slogen status` on the shipped specs with nothing deployed (no server needed):
what each format promises whatever the numbers are."""
from __future__ import annotations

import json
from html import escape

import pytest

from helpers import SPECS
from slogen import api
from slogen.diagnostics import Diagnostics
from slogen.live.client import Sample
from slogen.status import render, render_markdown
from slogen.status.catalogue import Filters, catalogue
from slogen.status.queries import Readings
from slogen.status.report import assemble


@pytest.fixture(scope="module")
def bundle():
    return api.load_bundle([SPECS], Diagnostics())


@pytest.fixture(scope="module")
def report(bundle):
    cat = catalogue(bundle, Filters())
    return assemble(cat, Readings(), 1_796_000_000, "http://prometheus:9090", [])


def provider_success(bundle, filters: Filters = Filters(services=("mcp-hub",))):
    """mcp-hub as Prometheus could answer it: LlmSuccessRateLow (grouped by provider, warning below
    95%, critical below 90%) at 97% for openai, 85% for anthropic (its critical alert firing) and
    93% for mistral."""
    readings = Readings()
    readings.threshold_values[("mcp-hub", "LlmSuccessRateLow")] += [
        (("openai",), 97.0), (("anthropic",), 85.0), (("mistral",), 93.0)]
    readings.firing.append(Sample({"alertname": "LlmSuccessRateLow", "alertstate": "firing", "provider": "anthropic",
                                   "service": "mcp-hub", "severity": "critical", "slogen_kind": "ratio"}, 1.0, 0.0))
    return assemble(catalogue(bundle, filters), readings, 1_796_000_000, "http://prometheus:9090", [])


def test_nothing_deployed_is_said_for_every_slo(report):
    assert report.slos and {s.state for s in report.slos} == {"not-deployed"}
    table = render(report, "table")
    rows = table.splitlines()[3:]
    assert sum("  not deployed  " in row for row in rows) == len(report.slos)


def test_json_is_versioned_and_has_every_slo(report):
    doc = json.loads(render(report, "json"))
    assert doc["version"] == 1
    assert list(doc) == ["version", "generator", "prometheus", "at", "summary", "slos", "thresholds", "firing",
                         "warnings"]
    assert doc["summary"]["not_deployed"] == len(doc["slos"]) == len(report.slos)
    assert all(s["sli"] is None and s["error_budget_remaining"] is None for s in doc["slos"])


def test_markdown_is_cut_to_fit_a_github_comment(report, monkeypatch):
    monkeypatch.setattr(render_markdown, "LIMIT", 3000)
    text = render(report, "markdown")
    assert len(text) <= 3000
    assert "more SLOs: see `slogen status --format json`" in text


def test_markdown_escapes_table_breaking_characters():
    assert render_markdown._md("a|b_c*d<e>@team") == "a\\|b\\_c\\*d&lt;e&gt;@\u200bteam"


def test_html_is_one_page_with_a_section_per_slo(report):
    page = render(report, "html")
    assert page.startswith("<!DOCTYPE html>") and page.count('<section class="slo"') == len(report.slos)


def test_json_has_a_threshold_entry_per_group(bundle):
    doc = json.loads(render(provider_success(bundle), "json"))
    rows = [t for t in doc["thresholds"] if t["alert"] == "LlmSuccessRateLow"]
    assert [(t["group"]["provider"], t["state"], t["value"], len(t["firing"])) for t in rows] == [
        ("anthropic", "critical", 85.0, 1), ("mistral", "warning", 93.0, 0), ("openai", "ok", 97.0, 0)]
    assert all(t["group_by"] == ["provider"] for t in rows)
    [firing] = doc["firing"]
    assert firing["group"] == {"provider": "anthropic"} and rows[0]["firing"] == [firing]
    ungrouped = next(t for t in doc["thresholds"] if t["alert"] == "QueueDepthHigh")
    assert (ungrouped["group_by"], ungrouped["group"]) == ([], None)


def test_table_markdown_and_html_name_each_group(bundle):
    report = provider_success(bundle)
    table = render(report, "table").splitlines()
    row = next(line for line in table if 'LlmSuccessRateLow {provider="anthropic"}' in line)
    assert "85%" in row and "critical (firing)" in row
    assert 'critical: LlmSuccessRateLow mcp-hub {provider="anthropic"}' in "\n".join(table)
    markdown = render(report, "markdown")
    assert '| mcp-hub | LlmSuccessRateLow {provider="mistral"} | 93% | below 95% | below 90% | warning |' in markdown
    page = render(report, "html")
    name = escape('LlmSuccessRateLow {provider="anthropic"}')
    assert f'<tr class="critical"><td>mcp-hub</td><td>{name}</td>' in page


def test_a_label_on_the_grouping_label_keeps_that_group_and_its_alerts_only(bundle):
    report = provider_success(bundle, Filters(services=("mcp-hub",), labels=(("provider", "mistral"),)))
    assert [(t.entry.threshold.name, t.group) for t in report.thresholds] == [
        ("LlmSuccessRateLow", {"provider": "mistral"})]
    assert report.firing == []


def test_a_grouped_threshold_without_answers_is_one_no_data_row(report):
    [row] = [t for t in report.thresholds if t.entry.threshold.name == "LlmSuccessRateLow"]
    assert (row.state, row.group, row.name) == ("no-data", None, "LlmSuccessRateLow (per provider)")


def test_a_gap_in_a_plotted_series_stays_a_gap_and_burn_points_follow_the_budget():
    """Range answers: NaN (a gap) becomes None, the plot's break; a burn rate is the error ratio
    over the budget, and with no budget there is none."""
    from slogen.live.client import RangeSeries
    from slogen.status.queries import _points
    from slogen.status.report import _burn_points

    nan = float("nan")
    assert _points([(1.0, 0.5), (2.0, nan), (3.0, 0.25)]) == [(1.0, 0.5), (2.0, None), (3.0, 0.25)]
    whole = [(1.0, 0.5), (2.0, 0.25)]
    assert _points(whole) == whole
    assert _burn_points([(1.0, 0.02), (2.0, None)], 0.01) == [(1.0, 2.0), (2.0, None)]
    assert _burn_points([(1.0, 0.02)], 0.0) == [(1.0, None)]
    assert RangeSeries({}, whole).points == whole
