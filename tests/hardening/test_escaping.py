"""Spec text with quotes, backslashes, newlines, unicode, `{{`, `}}` and `$` comes out literally in
every target: the YAML parses back to the same string, PromQL keeps the label value, Prometheus and
Alertmanager never execute it as a template (proved with promtool and amtool), the dashboards are
valid JSON holding the text, and the runbooks keep their Markdown structure."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import yaml

from helpers import require
from slogen import api, promql
from slogen.prose import render_go

NASTY = 'He said "hi" \\ back{slash} {{ .Labels.x }} }}{{ {}} $value ${x} caf\u00e9 \u4e2d \U0001F525 `code` # not a heading | pipe <b>x</b>'
LABEL = 'q"uo\\te {{ $labels.x }} $1 \u00e9\nnext line'
CHANNEL = "#alerts-{{ .CommonLabels.team }}-$x"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a YAML double-quoted scalar


def _spec(description: str, label: str) -> str:
    total = _q(f'http_requests_total{{job="esc",path={promql.quote(label)}}}')
    bad = _q(f'http_requests_total{{job="esc",path={promql.quote(label)},code=~"5.."}}')
    return f"""\
apiVersion: slogen/v1
service: esc
team: esc
description: {_q(description)}
labels: {{owner: {_q(label)}}}
slos:
  - name: availability
    description: {_q(description)}
    objective: 99.9
    sli:
      kind: availability
      total: {total}
      bad: {bad}
thresholds:
  - kind: state
    name: BreakerOpen
    description: {_q(description)}
    metric: breaker_state{{job="esc"}}
    states: {{0: {_q(description)}, 2: open}}
    critical: {{equals: 2, for: 1m}}
"""


BUNDLE = f"""\
apiVersion: slogen/v1
kind: Bundle
receivers:
  - name: chat
    slack: {{channel: {_q(CHANNEL)}, api_url_file: slack.url}}
teams:
  - {{name: esc, page: chat, ticket: chat}}
"""


def _build(tmp: Path, description: str = NASTY, label: str = LABEL) -> Path:
    specs = tmp / "specs"
    specs.mkdir(parents=True)
    (specs / "esc.yaml").write_text(_spec(description, label), encoding="utf-8")
    (specs / "bundle.yaml").write_text(BUNDLE)
    out = tmp / "out"
    result = api.build([specs], out)
    assert result.ok, [(d.code, d.message) for d in result.diagnostics]
    return out


def _alerts(out: Path) -> list[dict]:
    rules = yaml.safe_load((out / "prometheus/rules/esc.rules.yml").read_text(encoding="utf-8"))
    return [r for g in rules["groups"] for r in g["rules"] if "alert" in r]


def test_yaml_and_promql_keep_label_values_and_text(tmp_path):
    out = _build(tmp_path)
    alerts = _alerts(out)
    # YAML round trip, byte for byte, of the value Prometheus gives the alert (it expands alert labels)
    assert alerts and all(render_go(a["labels"]["owner"], 1.0, {}) == LABEL for a in alerts)
    rules = yaml.safe_load((out / "prometheus/rules/esc.rules.yml").read_text(encoding="utf-8"))
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    matched = [e for e in exprs if promql.quote(LABEL) in e]
    assert matched, "the selector's label value is not in any rule"
    for e in matched:  # and parses back to the same value
        values = {m.value for s in promql.vector_selectors(e) for m in s.matchers if m.name == "path"}
        assert values == {LABEL}, values
    proc = subprocess.run([require("promtool"), "check", "rules", str(out / "prometheus/rules/esc.rules.yml")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_prometheus_prints_annotations_literally(tmp_path):
    """promtool evaluates each generated annotation as Prometheus would (a copy of each alert that
    always fires) and compares it with the text where the spec's part is literal."""
    out = _build(tmp_path)
    rules, tests = [], []
    for i, a in enumerate(_alerts(out)):
        name = f"Esc{i}"
        rules.append({"alert": name, "expr": "vector(1)", "labels": a["labels"], "annotations": a["annotations"]})
        expected = {k: render_go(v, 1.0, {}) for k, v in a["annotations"].items()}
        tests.append({"eval_time": "1m", "alertname": name,
                      "exp_alerts": [{"exp_labels": {k: render_go(v, 1.0, {}) for k, v in a["labels"].items()},
                                      "exp_annotations": expected}]})
        assert LABEL in [render_go(v, 1.0, {}) for v in a["labels"].values()]
    (tmp_path / "r.yml").write_text(yaml.safe_dump({"groups": [{"name": "esc", "rules": rules}]}, allow_unicode=True))
    (tmp_path / "t.yml").write_text(yaml.safe_dump({"rule_files": ["r.yml"], "evaluation_interval": "1m",
                                                    "tests": [{"interval": "1m", "input_series": [],
                                                               "alert_rule_test": tests}]}, allow_unicode=True))
    proc = subprocess.run([require("promtool"), "test", "rules", "t.yml"], capture_output=True, text=True,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    descriptions = [render_go(a["annotations"].get("description", ""), 1.0, {}) for a in _alerts(out)]
    assert any(NASTY in d for d in descriptions), descriptions


def test_alertmanager_prints_receiver_fields_literally(tmp_path):
    out = _build(tmp_path)
    amtool = require("amtool")
    config = out / "alertmanager/alertmanager.yml"
    proc = subprocess.run([amtool, "check-config", str(config)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    channel = next(s["channel"] for r in yaml.safe_load(config.read_text())["receivers"]
                   for s in r.get("slack_configs", []))
    data = tmp_path / "data.json"
    data.write_text(json.dumps({"CommonLabels": {"team": "EXECUTED"}}))
    proc = subprocess.run([amtool, "template", "render", f"--template.text={channel}",
                           f"--template.glob={out / 'alertmanager/templates/*.tmpl'}", f"--template.data={data}"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == CHANNEL, proc.stdout


def test_dashboards_are_json_holding_the_text(tmp_path):
    out = _build(tmp_path)
    dashboard = json.loads((out / "grafana/esc.json").read_text(encoding="utf-8"))
    strings = []

    def walk(x):
        if isinstance(x, dict):
            [walk(v) for v in x.values()]
        elif isinstance(x, list):
            [walk(v) for v in x]
        elif isinstance(x, str):
            strings.append(x)
    walk(dashboard)
    assert any(NASTY in s for s in strings), "the service description is not in the dashboard"


def _structure(md: str) -> list[str]:
    """What must not move: headings, the notes marker, fences."""
    return [line for line in md.splitlines() if re.match(r"^(#{1,6} |<!-- slogen|```)", line)]


def test_runbook_markdown_keeps_its_structure(tmp_path):
    plain = _build(tmp_path / "plain", description="A plain sentence.", label="plain")
    nasty = _build(tmp_path / "nasty")
    runbooks = sorted(p.relative_to(plain) for p in (plain / "runbooks").rglob("*.md"))
    assert runbooks
    for rel in runbooks:
        a, b = (plain / rel).read_text(encoding="utf-8"), (nasty / rel).read_text(encoding="utf-8")
        assert _structure(a) == _structure(b), rel
        assert b.count("<!-- slogen: keep below -->") == a.count("<!-- slogen: keep below -->")
