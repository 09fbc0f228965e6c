"""Golden output trees: a few small spec folders and the exact bundle slogen must build from them.
Rewritten only on purpose: `python -m pytest tests/core/test_golden.py --update-golden`."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import compared_bytewise

from slogen import api

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "specs").is_dir())


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES)
def test_build_matches_the_golden_tree(case, tmp_path, monkeypatch, request):
    case_dir = GOLDEN / case
    monkeypatch.chdir(case_dir)  # headers name the spec relative to the working directory
    out = tmp_path / "out"
    result = api.build([Path("specs")], out)
    assert result.ok, [f"{d.position}: {d.message}" for d in result.diagnostics]
    expected_dir = case_dir / "out"
    if request.config.getoption("--update-golden"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(out, expected_dir)
    got, expected = _tree(out), _tree(expected_dir)
    assert sorted(got) == sorted(expected), "files differ; run with --update-golden if intended"
    for path in filter(compared_bytewise, sorted(got)):
        assert got[path] == expected[path], f"{case}/out/{path} differs; run with --update-golden if intended"


GOLDEN_TESTS = sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.glob("*/out/prometheus/tests/*.yml"))


@pytest.mark.parametrize("test_file", GOLDEN_TESTS)
def test_golden_bundles_pass_promtool(test_file):
    from helpers import require, run

    promtool = require("promtool")
    rules = sorted((GOLDEN / test_file).parent.parent.glob("rules/*.yml"))
    check = run([promtool, "check", "rules", "--lint=all", "--lint-fatal", *map(str, rules)])
    assert check.returncode == 0, check.stdout + check.stderr
    proc = run([promtool, "test", "rules", str(GOLDEN / test_file)])
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
