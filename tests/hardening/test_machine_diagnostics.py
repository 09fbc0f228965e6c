"""Machine-readable diagnostics through the real CLI: `--diagnostics json` is one JSON array on
stderr, `--diagnostics github` is one GitHub Actions workflow command per problem (`::error
file=…,line=…,col=…,title=code::message`, with `%`, CR and LF escaped so a multi-line message stays
one annotation); and the pre-commit hooks run `slogen build --check` / `slogen build` with GitHub
annotations under GitHub Actions and the human format elsewhere, as they promise."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

BAD = """\
apiVersion: slogen/v1
service: api
teem: platform
slos:
  - name: availability
    objective: 199.9
    sli: {kind: availability, total: 'x_total{job="api"}', bad: 'x_total{job="api",code=~"5.."}'}
"""


def _cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "slogen", *args], capture_output=True, text=True, cwd=cwd,
                          env=env or ENV, timeout=120)


def _specs(tmp: Path, text: str = BAD) -> Path:
    (tmp / "specs").mkdir()
    (tmp / "specs" / "api.yaml").write_text(text)
    return tmp / "specs"


def test_json_diagnostics_are_one_array_with_positions(tmp_path):
    _specs(tmp_path)
    for cmd in (["validate"], ["build", "-o", "out"], ["build", "--check", "-o", "out"]):
        proc = _cli(*cmd, "--diagnostics", "json", "specs", cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        diags = json.loads(proc.stderr)  # nothing else on stderr
        assert {(d["code"], d["file"], d["line"], d["col"]) for d in diags} >= {
            ("spec/unknown-field", "specs/api.yaml", 3, 1), ("spec/objective-range", "specs/api.yaml", 6, 16)}, diags
        assert all(set(d) == {"code", "severity", "message", "hint", "file", "line", "col"} for d in diags)
    assert not (tmp_path / "out").exists()


def test_github_diagnostics_are_workflow_commands(tmp_path):
    _specs(tmp_path)
    proc = _cli("validate", "--diagnostics", "github", "specs", cwd=tmp_path)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.startswith("::")]
    assert "::error file=specs/api.yaml,line=3,col=1,title=spec/unknown-field::" in "\n".join(lines)
    assert any(line.startswith("::error file=specs/api.yaml,line=6,col=16,title=spec/objective-range::")
               for line in lines), lines


def test_github_format_keeps_a_multiline_message_in_one_annotation():
    from slogen.diagnostics import Diagnostic, Position, Severity, render_github

    d = Diagnostic("x/y", Severity.WARNING, "100% sure\nsecond line\r", Position("a.yaml", 2, 3), hint="h")
    assert render_github(d) == "::warning file=a.yaml,line=2,col=3,title=x/y::100%25 sure%0Asecond line%0D (hint: h)"


def test_pre_commit_hook_runs_build_check(tmp_path):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    check = next(h for h in hooks if h["id"] == "slogen-check")
    assert check["entry"].startswith("slogen build --check") and check["pass_filenames"] is False
    # what pre-commit would run, in a team repo: fresh out/ passes, a spec change fails
    good = BAD.replace("teem", "team").replace("199.9", "99.9")
    _specs(tmp_path, good)
    assert _cli("build", *check["args"], cwd=tmp_path).returncode == 0
    args = check["entry"].split()[1:] + check["args"]
    assert _cli(*args, cwd=tmp_path).returncode == 0
    (tmp_path / "specs" / "api.yaml").write_text(good.replace("99.9", "99.5"))
    proc = _cli(*args, cwd=tmp_path)
    assert proc.returncode == 1 and "stale" in proc.stderr, proc.stderr


def test_pre_commit_hooks_print_github_annotations_under_github_actions(tmp_path):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    _specs(tmp_path)
    local = {k: v for k, v in ENV.items() if k not in ("GITHUB_ACTIONS", "SLOGEN_DIAGNOSTICS")}
    for hook in hooks:
        args = hook["entry"].split()[1:] + hook["args"]
        ci = _cli(*args, cwd=tmp_path, env={**local, "GITHUB_ACTIONS": "true"})
        assert ci.returncode == 2, (hook["id"], ci.stderr)
        assert "::error file=specs/api.yaml,line=6,col=16,title=spec/objective-range::" in ci.stderr, hook["id"]
        human = _cli(*args, cwd=tmp_path, env=local)
        assert human.returncode == 2
        assert "specs/api.yaml:6:16: error[spec/objective-range]" in human.stderr and "::error" not in human.stderr
    assert not (tmp_path / "out").exists()


def test_diagnostics_format_can_come_from_the_environment(tmp_path):
    _specs(tmp_path)
    proc = _cli("validate", "specs", cwd=tmp_path, env={**ENV, "SLOGEN_DIAGNOSTICS": "json"})
    assert proc.returncode == 2
    assert {d["code"] for d in json.loads(proc.stderr)} >= {"spec/unknown-field", "spec/objective-range"}
