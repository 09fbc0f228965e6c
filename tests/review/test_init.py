"""`slogen init`: every kind of service scaffolds a spec that builds first time and whose rules
and generated tests pass promtool; bad answers are diagnostics, and nothing is written."""
from __future__ import annotations

import pytest

from helpers import require, run
from slogen import api
from slogen.cli import main
from slogen.review.init import KINDS


def _init(*args: str) -> int:
    with pytest.raises(SystemExit) as done:
        main(["init", "--no-input", *args])
    return done.value.code


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_init_then_build_then_promtool(kind, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _init("--service", "new-svc", "--team", "web", "--kind", kind) == 0
    spec = tmp_path / "specs" / "new-svc.yaml"
    assert spec.read_text().startswith("# new-svc: written by `slogen init`")
    result = api.build([tmp_path / "specs"], tmp_path / "out")
    assert result.ok, [str(d) for d in result.diagnostics]
    assert not list(result.diagnostics), [str(d) for d in result.diagnostics]
    promtool = require("promtool")
    rules = sorted((tmp_path / "out" / "prometheus" / "rules").glob("*.yml"))
    checked = run([promtool, "check", "rules", "--lint=all", "--lint-fatal", *map(str, rules)])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tests = sorted((tmp_path / "out" / "prometheus" / "tests").glob("*.yml"))
    tested = run([promtool, "test", "rules", *[t.name for t in tests]], cwd=tests[0].parent)
    assert tested.returncode == 0, tested.stdout[-3000:] + tested.stderr[-3000:]


def test_flags_override_the_kind_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _init("--service", "api", "--team", "web", "--requests-metric", "api_calls_total",
                 "--error-matchers", 'outcome="error"', "--objective", "99.5", "--latency-percentile", "0",
                 "-o", "x/api.yaml") == 0
    text = (tmp_path / "x" / "api.yaml").read_text()
    assert 'bad: api_calls_total{job="api",outcome="error"}' in text and "objective: 99.5" in text
    assert "kind: latency" not in text


@pytest.mark.parametrize("args, code", [
    pytest.param(["--team", "web"], "init/missing", id="no service name is refused"),
    pytest.param(["--service", "Bad_Name", "--team", "web"], "spec/name", id="an invalid service name is refused"),
    pytest.param(["--service", "a", "--team", "web", "--kind", "mainframe"], "init/kind", id="an unknown kind is refused"),
    pytest.param(["--service", "a", "--team", "web", "--latency-threshold", "soon"], "spec/duration",
                 id="an unparsable latency threshold is refused"),
])
def test_bad_answers_are_diagnostics_and_write_nothing(args, code, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert _init(*args) == 2
    assert f"[{code}]" in capsys.readouterr().err
    assert not (tmp_path / "specs").exists()


def test_an_existing_spec_is_not_replaced_without_force(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert _init("--service", "a", "--team", "web") == 0
    assert _init("--service", "a", "--team", "other") == 2
    assert "[init/exists]" in capsys.readouterr().err
    assert _init("--service", "a", "--team", "other", "--force") == 0
    assert "team: other" in (tmp_path / "specs" / "a.yaml").read_text()


def test_questions_ask_only_what_the_flags_left_open():
    from slogen.review.init import Answers, fill

    asked = []

    def ask(text, default=None, type=str):
        asked.append(text)
        return {"Owning team": "web"}.get(text, default)

    got = fill(Answers(service="q", kind="worker-queue"), ask)
    assert got.team == "web" and got.queue_metric == "queue_depth" and got.job == "q"
    assert not any(t.startswith("Service name") or t.startswith("Kind of service") for t in asked)
