"""The formats of `slogen status` on the shipped specs with nothing deployed (no server needed):
what each format promises whatever the numbers are."""
from __future__ import annotations

import json

import pytest

from helpers import SPECS
from slogen import api
from slogen.diagnostics import Diagnostics
from slogen.status import render, render_markdown
from slogen.status.catalogue import Filters, catalogue
from slogen.status.queries import Readings
from slogen.status.report import assemble


@pytest.fixture(scope="module")
def report():
    bundle = api.load_bundle([SPECS], Diagnostics())
    cat = catalogue(bundle, Filters())
    return assemble(cat, Readings(), 1_796_000_000, "http://prometheus:9090", [])


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
