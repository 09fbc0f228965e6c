"""The check layer through the CLI: each wrong spec of the corpus is reported under its code, at
the offending value, with the exit code CI sees; every code has its page and a triggering case."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus import CASES, GOOD, T
from helpers import ROOT

from slogen import checks
from slogen.cli import app

DOCS = ROOT / "docs" / "checks"


def validate(tmp_path: Path, monkeypatch, files: dict, *options: str):
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        path = tmp_path / "specs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    result = CliRunner().invoke(app, ["validate", "specs", "--diagnostics", "json", *options])
    assert "Traceback" not in result.output
    start = result.output.index("[")  # stderr and stdout are mixed: the JSON list comes first
    found, _ = json.JSONDecoder().raw_decode(result.output[start:])
    return result.exit_code, found


@pytest.mark.parametrize("files,code,file,line,col,exit_code", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_wrong_spec_is_reported_at_the_offending_value(tmp_path, monkeypatch, files, code, file, line, col, exit_code):
    got, found = validate(tmp_path, monkeypatch, files)
    where = [(d["file"], d["line"], d["col"]) for d in found if d["code"] == code]
    assert (f"specs/{file}", line, col) in where, found
    assert got == exit_code, found
    hit = next(d for d in found if d["code"] == code)
    if code != "checks/silenced":
        assert f"docs/checks/{code}.md" in hit["hint"]


OFFLINE = sorted(c for c in checks.CODES if not c.startswith("live/"))  # live/*: tests/checks/test_live.py


def test_every_code_is_triggered_by_a_case():
    assert {c[2] for c in CASES} >= set(OFFLINE)


def test_every_code_has_its_page_and_every_page_a_code():
    pages = {str(p.relative_to(DOCS))[:-3] for p in DOCS.rglob("*.md") if p.name != "README.md"}
    assert pages == set(checks.CODES)
    for code in checks.CODES:
        text = (DOCS / f"{code}.md").read_text()
        assert text.startswith(f"# {code}\n"), code
        for section in ("## Why it matters", "## How to fix", "## Example"):
            assert section in text, (code, section)


def test_the_index_lists_every_code():
    index = (DOCS / "README.md").read_text()
    assert set(re.findall(r"\[`([a-z-]+/[a-z-]+)`\]", index)) == set(checks.CODES)


def test_strict_turns_warnings_into_errors(tmp_path, monkeypatch):
    files = T("  - kind: cpu\n    selector: '{job=\"api\"}'\n    warning: {above: 0.9}\n")
    assert validate(tmp_path, monkeypatch, files)[0] == 0
    got, found = validate(tmp_path, monkeypatch, files, "--strict")
    assert got == 2 and [d["severity"] for d in found] == ["error"]


def test_strict_build_writes_nothing(tmp_path, monkeypatch):
    files = T("  - kind: cpu\n    selector: '{job=\"api\"}'\n    warning: {above: 0.9}\n")
    validate(tmp_path, monkeypatch, files)
    runner = CliRunner()
    assert runner.invoke(app, ["build", "specs", "-o", "out"]).exit_code == 0  # warned, written, cached
    (tmp_path / "out" / "keep").write_text("x")
    again = runner.invoke(app, ["build", "specs", "-o", "out", "--strict"])
    assert again.exit_code == 2 and "units/fraction-level" in again.output
    assert (tmp_path / "out" / "keep").read_text() == "x"


def test_list_checks_prints_every_code_with_its_severity():
    result = CliRunner().invoke(app, ["validate", "--list-checks"])
    assert result.exit_code == 0
    rows = {line.split()[0]: line.split()[1] for line in result.output.splitlines()}
    assert rows == {c.code: c.severity.value for c in checks.CODES.values()}


def test_the_shipped_specs_have_no_warning():
    result = CliRunner().invoke(app, ["validate", str(ROOT / "specs"), "--strict"])
    assert result.exit_code == 0, result.output


def test_the_minimal_spec_has_no_warning(tmp_path, monkeypatch):
    assert validate(tmp_path, monkeypatch, {"api.yaml": GOOD}) == (0, [])


@pytest.mark.parametrize("code", OFFLINE)
def test_the_example_of_each_page_triggers_its_code(tmp_path, monkeypatch, code):
    text = (DOCS / f"{code}.md").read_text()
    example = text.split("## Example\n\n```yaml\n", 1)[1].split("```", 1)[0]
    files = {"example.yaml": example}
    if "kind: Bundle" in example and "service:" not in example and code != "lost/no-rules":
        files["api.yaml"] = GOOD  # a bundle file alone has no rules
    _, found = validate(tmp_path, monkeypatch, files)
    assert code in {d["code"] for d in found}, found
