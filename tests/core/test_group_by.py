"""`group_by`: a grouped SLO or threshold is refused when its grouping cannot work, and otherwise
aggregates per group everywhere (rules, alerts, routes, inhibitions). The generated promtool tests
that prove the groups independent run with the golden trees (tests/golden/grouped) and out/."""
from __future__ import annotations

import pytest
import yaml

from helpers import GOOD

from slogen import api
from slogen.diagnostics import Severity


def grouped(by: str = "[route]", extra: str = "", sli: str | None = None) -> str:
    text = GOOD.replace("objective: 99.9", f"objective: 99.9\n    group_by: {by}{extra}")
    return text if sli is None else text[:text.index("    sli:")] + sli


QUERIES = ("    sli:\n      kind: availability\n"
           "      total_query: sum(rate(http_requests_total{{job=\"api\"}}[{{{{window}}}}]))\n"
           "      bad_query: sum by (route) (rate(http_requests_total{{job=\"api\",code=~\"5..\"}}[{{{{window}}}}]))\n")

# (sentence id, spec text, expected code, line, column, text in the message)
REFUSED = [
    ("a label slogen sets cannot group an SLO", grouped("[severity]"), "spec/reserved-label", 7, 16, "set by slogen"),
    ("a label listed twice", grouped("[route, route]"), "spec/group-by-duplicate", 7, 23, "twice"),
    ("a grouping label that is also a fixed alert label", grouped("[route]", "\n    labels: {route: checkout}"),
     "spec/group-by-label-conflict", 7, 16, "overwrite"),
    ("a query that sums the grouping label away", grouped(sli=QUERIES.format()), "spec/group-by-dropped", 9, 7,
     "aggregates away `route`"),
    ("le cannot group a latency SLO", grouped("[le]", sli="    sli: {kind: latency, histogram: h_seconds, "
                                              "threshold: 1s, percentile: 99.9}\n"),
     "spec/reserved-label", 7, 16, "set by slogen"),
    ("a selector that fixes the grouping label leaves one group to test",
     GOOD.replace("objective: 99.9", "objective: 99.9\n    group_by: [job]"), "sli/untestable", 7, 15, "fewer than"),
    ("a threshold grouped by a label its query sums away",
     GOOD + "thresholds:\n  - kind: ratio\n    name: ErrorsHigh\n    group_by: [route]\n"
     "    total_query: sum(rate(x_total[{{window}}]))\n    bad_query: sum(rate(x_errors[{{window}}]))\n"
     "    warning: {above: 5}\n", "spec/group-by-dropped", 12, 5, "aggregates away"),
]


@pytest.mark.parametrize("text,code,line,col,fragment", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_a_grouping_that_cannot_work_is_refused_at_its_position(tmp_path, monkeypatch, text, code, line, col, fragment):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "svc.yaml").write_text(text)
    result = api.validate([tmp_path / "svc.yaml"])
    found = [d for d in result.diagnostics if d.code == code]
    assert found, [f"{d.position}: {d.code}: {d.message}" for d in result.diagnostics]
    d = found[0]
    assert d.severity is Severity.ERROR and not result.ok
    assert (d.position.line, d.position.col) == (line, col), f"{d.position}: {d.message}"
    assert fragment in d.message


def _build(tmp_path, text: str) -> dict:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "api.yaml").write_text(text)
    result = api.build([tmp_path / "specs"], tmp_path / "out")
    assert result.ok, [f"{d.position}: {d.message}" for d in result.diagnostics]
    return yaml.safe_load((tmp_path / "out/prometheus/rules/api.rules.yml").read_text())


def _records(rules: dict, name: str) -> list[str]:
    return [r["expr"] for g in rules["groups"] for r in g["rules"] if r.get("record") == name]


def test_raw_queries_sum_per_group_and_long_windows_read_the_recorded_rates(tmp_path):
    rules = _build(tmp_path, grouped("[route, tenant]"))
    (errors,) = _records(rules, "slogen:sli_errors:rate5m")
    assert errors.startswith('(sum by (route, tenant)(rate(http_requests_total{job="api",code=~"5.."}[5m]))')
    assert "or 0 * sum by (route, tenant)(rate(" in errors  # a group without errors is 0, not absent
    (long,) = _records(rules, "slogen:sli_error:ratio_rate3d")
    assert "http_requests_total" not in long and "sum_over_time(slogen:sli_errors:rate5m" in long
    (burn,) = _records(rules, "slogen:slo_burn_rate:period")
    assert "on (service, slo) group_left" in burn  # many groups, one budget series


def test_alerts_name_their_group(tmp_path):
    rules = _build(tmp_path, grouped("[route]"))
    alert = next(r for g in rules["groups"] for r in g["rules"] if r.get("alert"))
    assert alert["annotations"]["summary"].startswith('api availability for route="{{ $labels.route }}": ')
    assert alert["annotations"]["group"] == 'route="{{ $labels.route }}"'
    assert "route" not in alert["labels"]  # it comes from the series, one value per group


def test_alertmanager_groups_and_inhibits_per_group(tmp_path):
    _build(tmp_path, grouped("[route]"))
    config = yaml.safe_load((tmp_path / "out/alertmanager/alertmanager.yml").read_text())
    assert config["route"]["routes"][0]["group_by"] == ["alertname", "service", "slo", "route"]
    page_covers_ticket = config["inhibit_rules"][0]
    assert page_covers_ticket["equal"] == ["service", "slo", "route"]


def test_an_ungrouped_slo_keeps_its_rule_shape(tmp_path):
    rules = _build(tmp_path, GOOD)
    (errors,) = _records(rules, "slogen:sli_errors:rate5m")
    assert errors == ('(sum(rate(http_requests_total{job="api",code=~"5.."}[5m])) or vector(0))')


def test_explain_and_diff_say_the_slo_is_per_group(tmp_path):
    from slogen.diagnostics import Diagnostics
    from slogen.review import diff, explain

    _build(tmp_path, GOOD)  # out/ is the ungrouped SLO: the "before"
    (tmp_path / "specs" / "api.yaml").write_text(grouped("[route]"))
    diags = Diagnostics()
    bundle = api.load_bundle([tmp_path / "specs"], diags)
    text = explain.render_text(explain.explain(bundle, None, diags))
    assert "per group: one budget and one set of alerts for each value of `route`" in text
    report = diff.run([tmp_path / "specs"], str(tmp_path / "out"), False, diags)
    assert "one SLO, all series summed → per route (one budget and alert set each)" in report, report


SLOTH = """\
version: prometheus/v1
service: gateway
labels: {team: llm}
slos:
  - name: llm-success
    objective: 99
    sli:
      events:
        error_query: sum by (provider) (rate(llm_requests_total{outcome="error"}[{{.window}}]))
        total_query: sum by (provider) (rate(llm_requests_total[{{.window}}]))
    alerting: {page_alert: {}, ticket_alert: {}}
"""

OPENSLO = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: llm-success, labels: {team: llm}}
spec:
  service: gateway
  budgetingMethod: Occurrences
  timeWindow: [{duration: 30d, isRolling: true}]
  objectives: [{target: 0.99}]
  indicator:
    metadata: {name: llm-calls}
    spec:
      ratioMetric:
        counter: false
        bad: {metricSource: {type: Prometheus, spec: {query: 'sum by (provider) (rate(llm_requests_total{outcome="error"}[{{window}}]))'}}}
        total: {metricSource: {type: Prometheus, spec: {query: 'sum by (provider) (rate(llm_requests_total[{{window}}]))'}}}
"""


@pytest.mark.parametrize("text", [SLOTH, OPENSLO], ids=["Sloth queries summed by provider",
                                                        "OpenSLO queries summed by provider"])
def test_foreign_queries_summed_per_label_become_a_grouped_slo_and_convert_writes_it(tmp_path, text):
    from slogen.diagnostics import Diagnostics
    from slogen.formats.convert import convert

    (tmp_path / "gateway.yaml").write_text(text)
    diags = Diagnostics()
    bundle = api.load_bundle([tmp_path], diags)
    assert bundle is not None, [d.message for d in diags]
    (slo,) = bundle.services[0].slos
    assert slo.group_by == ("provider",)
    native = yaml.safe_load(convert([tmp_path / "gateway.yaml"], Diagnostics()))
    assert native["slos"][0]["group_by"] == ["provider"]
    (tmp_path / "native").mkdir()
    (tmp_path / "native" / "gateway.yaml").write_text(yaml.safe_dump(native))
    again = api.load_bundle([tmp_path / "native"], Diagnostics())
    assert again.services[0].slos[0].group_by == ("provider",)
