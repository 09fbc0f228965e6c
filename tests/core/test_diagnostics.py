"""One bad spec per diagnostic code: the code, the position and a useful message, never a crash."""
from __future__ import annotations

import textwrap

import pytest

from helpers import GOOD

from slogen import api
from slogen.diagnostics import Severity

# (sentence id, spec text, expected code, expected line, expected column, text in message)
CASES = [
    ("yaml syntax error is reported at its line", "apiVersion: slogen/v1\nservice: [api\nteam: x\n",
     "yaml/syntax", 3, 5, ""),
    ("a list document is not a mapping", "- a\n- b\n", "spec/not-mapping", 1, 1, "list"),
    ("missing apiVersion", "service: api\n", "spec/unknown-format", 1, 1, "apiVersion"),
    ("unknown apiVersion", "apiVersion: slogen/v9\nservice: api\n", "spec/unknown-format", 1, 13, "slogen/v9"),
    ("unknown field suggests the nearest", GOOD.replace("team: platform", "teem: platform"),
     "spec/unknown-field", 3, 1, "teem"),
    ("duplicate key in a mapping", GOOD.replace("team: platform", "team: platform\nteam: other"),
     "yaml/duplicate-key", 4, 1, "twice"),
    ("objective above 100", GOOD.replace("objective: 99.9", "objective: 199.9"),
     "spec/objective-range", 6, 16, "between 0 and 100"),
    ("objective of zero", GOOD.replace("objective: 99.9", "objective: 0"),
     "spec/objective-range", 6, 16, "between 0 and 100"),
    ("duration that does not parse", GOOD.replace("objective: 99.9", "objective: 99.9\n    period: 30 days"),
     "spec/duration", 7, 13, "not a duration"),
    ("window longer than the period", GOOD.replace("objective: 99.9", "objective: 99.9\n    period: 2d"),
     "spec/window-exceeds-period", 7, 13, "longer than the SLO period"),
    ("duplicate SLO names in a service", GOOD + GOOD[GOOD.index("  - name"):],
     "spec/duplicate-slo", 11, 11, "defined twice"),
    ("invalid label name", GOOD.replace("team: platform", "team: platform\nlabels: {1bad: x}"),
     "spec/label-name", 4, 10, "label name"),
    ("label value that is not a string", GOOD.replace("team: platform", "team: platform\nlabels: {tier: [1]}"),
     "spec/label-value", 4, 16, "strings"),
    ("reserved label", GOOD.replace("team: platform", "team: platform\nlabels: {severity: x}"),
     "spec/reserved-label", 4, 10, "set by slogen"),
    ("alert name not CamelCase", GOOD.replace("objective: 99.9", "objective: 99.9\n    alerting: {name: api_down}"),
     "spec/alert-name", 7, 22, "CamelCase"),
    ("query without window placeholder", GOOD.replace(
        'total: http_requests_total{job="api"}\n      bad: http_requests_total{job="api",code=~"5.."}',
        'total_query: sum(rate(http_requests_total[5m]))\n      bad_query: sum(rate(x[{{window}}]))'),
     "spec/window-placeholder", 9, 20, "{{window}}"),
    ("selector that is not PromQL", GOOD.replace('total: http_requests_total{job="api"}', 'total: rate(x[5m'),
     "spec/promql", 9, 14, "PromQL"),
    ("selector that is an expression", GOOD.replace('total: http_requests_total{job="api"}', 'total: sum(x)'),
     "spec/promql", 9, 14, "selector"),
    ("both bad and good", GOOD.replace('bad: http', 'good: x_total\n      bad: http'),
     "spec/sli-form", 8, 7, "exactly one"),
    ("unknown SLI kind", GOOD.replace("kind: availability", "kind: throughput"),
     "spec/invalid-value", 8, 13, "throughput"),
    ("threshold level with two comparisons", GOOD + "thresholds:\n  - kind: gauge\n    name: QueueDeep\n"
     "    metric: q\n    warning: {above: 1, below: 2}\n", "spec/level", 15, 14, "exactly one"),
    ("gauge threshold without a name", GOOD + "thresholds:\n  - kind: gauge\n    metric: q\n    warning: {above: 1}\n",
     "spec/missing-field", 12, 5, "name"),
    ("duplicate alert names in a service", GOOD + "thresholds:\n  - kind: gauge\n    name: AvailabilityBudgetBurn\n"
     "    metric: q\n    warning: {above: 1}\n", "spec/duplicate-alert", 12, 5, "already used"),
    ("empty service", "apiVersion: slogen/v1\nservice: api\nteam: x\n", "spec/empty", 1, 1, "no `slos`"),
    ("invalid service name", GOOD.replace("service: api", "service: Api Server"), "spec/name", 2, 10, "not a valid name"),
    ("SLI whose matchers contradict each other cannot be tested",
     GOOD.replace('code=~"5.."', 'code=~"5..",code!~"5.."'), "sli/untestable", 8, 7, "no subset"),
    ("non-UTF-8 bytes", b"apiVersion: slogen/v1\nservice: \xff\n", "input/encoding", 2, 10, "UTF-8"),
    # issue 20: what the long fuzz run found, and values that would be rounded to another meaning
    ("a latency threshold of .nan seconds is refused at the threshold (was a crash in the long fuzz run)",
     GOOD.replace("      kind: availability\n      total: http_requests_total{job=\"api\"}\n"
                  "      bad: http_requests_total{job=\"api\",code=~\"5..\"}",
                  "      kind: latency\n      histogram: http_request_duration_seconds\n"
                  "      threshold: .nan\n      percentile: 99"),
     "spec/duration", 10, 18, "finite"),
    ("a latency threshold of .inf seconds is refused at the threshold (was a crash)",
     GOOD.replace("      kind: availability\n      total: http_requests_total{job=\"api\"}\n"
                  "      bad: http_requests_total{job=\"api\",code=~\"5..\"}",
                  "      kind: latency\n      histogram: http_request_duration_seconds\n"
                  "      threshold: .inf\n      percentile: 99"),
     "spec/duration", 10, 18, "finite"),
    ("a window whose burn-rate factor rounds to zero is refused at its budget_percent (was a crash)",
     GOOD.replace("team: platform", "team: platform\nalerting:\n  windows:\n"
                  "    - {severity: page, budget_percent: 0.001, long: 7d, short: 5m}"),
     "spec/burn-factor-too-small", 6, 40, "written as 0"),
    ("a burn-rate factor that 4 decimals would move by more than 1% is refused",
     GOOD.replace("objective: 99.9", "objective: 99.9\n    alerting:\n      windows:\n"
                  "        - {severity: ticket, budget_percent: 0.0046, long: 3d, short: 6h}"),
     "spec/burn-factor-too-small", 9, 46, "written as 0.0005"),
    ("an objective whose error budget rounds away is refused at the objective",
     GOOD.replace("objective: 99.9", "objective: 99.99999999999"), "spec/objective-too-close-to-100", 6, 16,
     "rounds to 0"),
    ("a duration longer than Prometheus can represent", GOOD.replace("objective: 99.9", "objective: 99.9\n    period: 293y"),
     "spec/duration", 7, 13, "longer than Prometheus"),
    ("an alert window that is not a whole number of seconds",
     GOOD.replace("team: platform", "team: platform\nalerting:\n  windows:\n"
                  "    - {severity: page, budget_percent: 2, long: 1h, short: 4s500ms}"),
     "spec/duration", 6, 60, "whole seconds"),
    ("a threshold `for` too long to unit-test is refused at the `for` (was a MemoryError)",
     GOOD + "thresholds:\n  - kind: up\n    selector: '{job=\"x\"}'\n    critical: {for: 290y}\n",
     "threshold/untestable", 14, 21, "one-minute steps"),
    ("an expression threshold slogen cannot write a test for is refused (was Untestable escaping validate)",
     GOOD + "thresholds:\n  - kind: expression\n    name: ExprHigh\n    expr: vector(1)\n    warning: {above: 0}\n",
     "threshold/untestable", 12, 5, "`vector`"),
    ("alias bomb", "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
     "yaml/too-complex", 1, 14, "aliases"),
]


@pytest.mark.parametrize("text,code,line,col,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_spec_is_refused_with_a_positioned_diagnostic(tmp_path, monkeypatch, text, code, line, col, fragment):
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "specs" / "svc.yaml"
    spec.parent.mkdir()
    spec.write_bytes(text if isinstance(text, bytes) else text.encode())
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("previous bundle")
    result = api.build([tmp_path / "specs"], out)
    assert not result.ok
    found = [d for d in result.diagnostics if d.code == code]
    assert found, [f"{d.position}: {d.code}: {d.message}" for d in result.diagnostics]
    d = found[0]
    assert d.severity is Severity.ERROR
    assert d.position.file == "specs/svc.yaml"
    assert (d.position.line, d.position.col) == (line, col), f"{d.position}: {d.message}"
    assert fragment in d.message
    assert (out / "keep.txt").read_text() == "previous bundle"  # out/ untouched
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_all_problems_of_a_run_are_reported_at_once(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD.replace("team: platform", "teem: x").replace("99.9", "200"))
    (tmp_path / "b.yaml").write_text("apiVersion: slogen/v1\nservice: [\n")
    result = api.validate([tmp_path])
    codes = sorted(d.code for d in result.diagnostics)
    assert codes == ["spec/missing-field", "spec/objective-range", "spec/unknown-field", "yaml/syntax"], codes


def test_duplicate_services_across_files_name_the_other_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(GOOD)
    result = api.validate([tmp_path])
    (d,) = [d for d in result.diagnostics if d.code == "spec/duplicate-service"]
    assert d.position.file == "b.yaml" and "a.yaml" in d.message


def test_unknown_field_hint_names_the_closest_field(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD.replace("objective: 99.9", "objectve: 99.9"))
    result = api.validate([tmp_path])
    d = next(d for d in result.diagnostics if d.code == "spec/unknown-field")
    assert "did you mean `objective`" in d.hint


def test_unreachable_page_tier_is_a_warning_not_an_error(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD.replace("99.9", "90"))
    result = api.validate([tmp_path])
    assert result.ok
    assert any(d.code == "alerts/unreachable" and d.severity is Severity.WARNING for d in result.diagnostics)
    windows = result.bundle.services[0].slos[0].windows
    assert [w.severity for w in windows] == ["page", "ticket", "ticket"]


def test_spec_from_the_readme_builds(tmp_path):
    (tmp_path / "a.yaml").write_text(textwrap.dedent(GOOD))
    assert api.build([tmp_path], tmp_path / "out").ok


def test_validate_and_build_parse_every_generated_expression(tmp_path, monkeypatch):
    from slogen import promql

    (tmp_path / "a.yaml").write_text(GOOD)
    assert api.validate([tmp_path]).ok
    real = promql.parse_uncached
    monkeypatch.setattr(promql, "_CHECKED_SHAPES", set())  # forget the shapes the first run parsed
    monkeypatch.setattr(promql, "parse_uncached", lambda e: (_ for _ in ()).throw(promql.PromQLError("boom"))
                        if "sum_over_time" in e else real(e))
    for result in (api.validate([tmp_path]), api.build([tmp_path], tmp_path / "out", use_cache=False)):
        assert not result.ok and {d.code for d in result.diagnostics} == {"promql/generated"}
    assert not (tmp_path / "out").exists()


def test_a_generated_expression_is_parsed_again_when_more_than_its_string_literals_differ(monkeypatch):
    from slogen import promql

    monkeypatch.setattr(promql, "_CHECKED_SHAPES", set())
    promql.check_generated('sum(rate(x{service="a",code=~"5.."}[5m]))')
    promql.check_generated('sum(rate(x{service="b\\"c",code=~\'4..\'}[5m]))')  # same shape: not parsed again
    assert len(promql._CHECKED_SHAPES) == 1
    for broken in ('sum(rate(x{service="a"}[5m])', 'sum(rate(x{service="a"}[5m]))) or', 'sum(rate(x{service="a}[5m]))'):
        with pytest.raises(promql.PromQLError):
            promql.check_generated(broken)
