"""Unsupported or wrong things in Sloth / OpenSLO specs are reported at the user's own line."""
from __future__ import annotations

import textwrap

import pytest

from slogen import api

SLOTH = """\
version: prometheus/v1
service: shop
slos:
  - name: availability
    objective: {objective}
    sli:
{sli}
    alerting:
      name: {alert}
"""
EVENTS = """\
      events:
        error_query: sum(rate(shop_requests_total{{code=~"5.."}}[{{{{.window}}}}]))
        total_query: sum(rate(shop_requests_total[{{{{.window}}}}]))"""
PLUGIN = """\
      plugin:
        id: sloth-common/availability"""

OPENSLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: shop-availability
spec:
  service: shop
  {indicator}
  budgetingMethod: {method}
  objectives:
    - target: 0.999
"""
INLINE = """indicator:
    metadata: {name: shop-errors}
    spec:
      ratioMetric:
        counter: true
        bad: {metricSource: {type: Prometheus, spec: {query: 'shop_requests_total{code="500"}'}}}
        total: {metricSource: {type: Prometheus, spec: {query: shop_requests_total}}}"""

CASES = [
    pytest.param(SLOTH.format(objective=99.9, sli=PLUGIN, alert="ShopErrors"), "sloth/unsupported", 7,
                 id="a Sloth SLI plugin is not supported, at the plugin line"),
    pytest.param(SLOTH.format(objective=120, sli=EVENTS.format(), alert="ShopErrors"), "spec/objective-range", 5,
                 id="a Sloth objective out of range is reported at the Sloth line"),
    pytest.param(SLOTH.format(objective=99.9, sli=EVENTS.format(), alert="shop-errors"), "spec/alert-name", 11,
                 id="a Sloth alert name that is not CamelCase is reported at alerting.name"),
    pytest.param(OPENSLO.format(indicator=INLINE, method="Timeslices"), "openslo/unsupported", 14,
                 id="an OpenSLO Timeslices budget is not supported yet, at its line"),
    pytest.param(OPENSLO.format(indicator="indicatorRef: shop-errs", method="Occurrences"), "openslo/unknown-ref", 7,
                 id="an OpenSLO indicatorRef to no SLI is reported at the reference"),
    pytest.param(OPENSLO.format(indicator=INLINE, method="Occurrences").replace("counter: true", "countr: true"),
                 "spec/unknown-field", 11, id="a misspelt OpenSLO field is an unknown field, at its key"),
]


@pytest.mark.parametrize("text, code, line", CASES)
def test_positioned_diagnostic(tmp_path, monkeypatch, text, code, line):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spec.yaml").write_text(textwrap.dedent(text))
    result = api.validate([tmp_path / "spec.yaml"])
    found = [(d.code, d.position.line if d.position else None) for d in result.diagnostics]
    assert (code, line) in found, found
    assert all(d.position and d.position.file == "spec.yaml" for d in result.diagnostics)


def test_sloth_annotations_are_a_warning_not_an_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = SLOTH.format(objective=99.9, sli=EVENTS.format(), alert="ShopErrors") + "      annotations: {summary: x}\n"
    (tmp_path / "spec.yaml").write_text(text)
    result = api.validate([tmp_path / "spec.yaml"])
    assert result.ok
    assert [(d.code, d.position.line) for d in result.diagnostics] == [("sloth/annotations", 12)]
