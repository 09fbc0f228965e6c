"""The optional jsonnet engine ($SLOGEN_JSONNET=rjsonnet, slogen.targets.grafana.engine) writes the
same bytes as the reference (the C++ jsonnet): the shipped specs, every golden input and a fleet
with team dashboard files, rendered by forked workers, built with each and compared file by file.
rjsonnet is in the `test` extra (requirements/ci.txt): these tests fail, never skip, without it."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import SPECS, run
from slogen import api, parallel, write as writer
from slogen.diagnostics import Severity

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import fleetgen  # noqa: E402

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
LIBRARY = Path(__file__).resolve().parents[2] / "dashboards"
FLEET = 20  # services; the pool threshold is lowered below so that forked workers evaluate

# A team's files as docs/dashboards.md describes them: imports of slogen's lib/ (jpathdir),
# panels as a function of the service, config and dashboard overrides, numbers with fractions.
TEAM_FILES = {
    "config.libsonnet": "{ refresh: '5m', time: { from: 'now-7d', to: 'now' }, budgetLow: 0.1 }",
    "custom/svc-00003.libsonnet": """
local panels = (import 'lib/panels.libsonnet')(import 'lib/config.libsonnet');
{
  config+: { panelHeight: 9 },
  panels(service): [
    panels.timeseries('Queue depth', 'Team panel for ' + service.name,
                      [panels.target('queue_depth{job="%s"}' % service.name, 'depth')], 'short',
                      panels.steps('green', [{ color: 'red', value: 99.95 }]), w=6, max=0.999),
    panels.stat('Cache size', 'Entries', panels.target('cache_entries', instant=true), 'short',
                panels.steps('green', []), decimals=2),
  ],
  dashboard+: { tags+: ['queues'], weekStart: 'monday' },
}
""",
    "custom/svc-00017.libsonnet": "{ panels: [(import 'lib/panels.libsonnet')({ datasourceVariable: 'ds', "
                                  "panelHeight: 3, colors: { ok: 'green' } }).text('Notes', '*on call*')] }",
    "custom/slo-overview.libsonnet": """
local common = import 'lib/common.libsonnet';
{ dashboard+: { links+: [common.link('Wiki', 'https://wiki.example.com/slo', 'Our SLO wiki')] } }
""",
}


@pytest.fixture(autouse=True)
def rjsonnet_installed():
    try:
        import rjsonnet  # noqa: F401
    except ImportError:
        pytest.fail("rjsonnet is not installed: pip install --require-hashes -r requirements/ci.txt")


def _build(specs: Path, out: Path, engine: str, monkeypatch, **options) -> dict[str, bytes]:
    monkeypatch.setenv("SLOGEN_JSONNET", engine)
    result = api.build([specs], out, use_cache=False, **options)
    assert result.ok, [str(d) for d in result.diagnostics]
    return writer.read_tree(out)


def _assert_same_bytes(reference: dict[str, bytes], other: dict[str, bytes]) -> None:
    assert sorted(other) == sorted(reference)
    differing = [path for path in sorted(reference) if other[path] != reference[path]]
    assert differing == [], f"rjsonnet wrote different bytes in {differing[:5]}"


def _fleet(tmp_path: Path) -> Path:
    fleetgen.write_fleet(tmp_path, FLEET)
    for rel, text in TEAM_FILES.items():
        (tmp_path / "specs" / "dashboards" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "specs" / "dashboards" / rel).write_text(text)
    return tmp_path / "specs"


CASES = ["shipped specs"] + [f"golden {p.name}" for p in sorted(GOLDEN.iterdir()) if (p / "specs").is_dir()] \
    + ["fleet with team files, forked workers"]


@pytest.mark.parametrize("case", CASES)
def test_rjsonnet_writes_the_same_bytes_as_jsonnet(case, tmp_path, monkeypatch):
    options = {}
    if case == "shipped specs":
        specs = SPECS
    elif case.startswith("golden "):
        monkeypatch.chdir(GOLDEN / case.removeprefix("golden "))  # as tests/core/test_golden.py builds them
        specs = Path("specs")
    else:
        specs = _fleet(tmp_path)
        monkeypatch.setattr(parallel, "THRESHOLD", 4)
        options["jobs"] = 2
    # A chunk a worker failed to render is rendered again in this process: none may be.
    in_parent, render_services = [], parallel.render_services
    monkeypatch.setattr(parallel, "render_services", lambda *args: in_parent.append(args) or render_services(*args))
    reference = _build(specs, tmp_path / "jsonnet" / "out", "jsonnet", monkeypatch, **options)
    assert any(path.startswith("grafana/") for path in reference)
    if "jobs" in options:
        assert b"Queue depth" in reference["grafana/svc-00003.json"] and b"Wiki" in reference["grafana/slo-overview.json"]
    _assert_same_bytes(reference, _build(specs, tmp_path / "rjsonnet" / "out", "rjsonnet", monkeypatch, **options))
    if "jobs" in options:
        assert in_parent == []


def test_switching_engines_leaves_the_build_fresh(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _build(SPECS, out, "jsonnet", monkeypatch)
    monkeypatch.setenv("SLOGEN_JSONNET", "rjsonnet")
    for use_cache in (True, False):  # the record does not name the engine; a full render agrees too
        check = api.build([SPECS], out, check=True, use_cache=use_cache)
        assert check.ok and check.cached == use_cache and not check.check.stale, (use_cache, check.check)


def test_auto_uses_jsonnet_when_rjsonnet_is_missing(tmp_path, monkeypatch):
    reference = _build(SPECS, tmp_path / "jsonnet" / "out", "jsonnet", monkeypatch)
    monkeypatch.setitem(sys.modules, "rjsonnet", None)  # what `import rjsonnet` sees when not installed
    _assert_same_bytes(reference, _build(SPECS, tmp_path / "auto" / "out", "auto", monkeypatch))


@pytest.mark.parametrize("engine,missing", [("rjsonnet", True), ("rjsnonet", False), ("c++", False)],
                         ids=["rjsonnet asked for, not installed", "a misspelt engine", "an unknown engine"])
def test_an_engine_that_cannot_run_is_a_diagnostic_and_nothing_is_written(tmp_path, monkeypatch, engine, missing):
    if missing:
        monkeypatch.setitem(sys.modules, "rjsonnet", None)
    monkeypatch.setenv("SLOGEN_JSONNET", engine)
    result = api.build([SPECS], tmp_path / "out", use_cache=False)
    assert not result.ok and "grafana/jsonnet-engine" in [d.code for d in result.diagnostics]
    assert not (tmp_path / "out").exists()


def test_the_cli_reports_an_unknown_engine_and_leaves_out_as_it_was(tmp_path):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "slogen", "build", str(SPECS), "-o", str(out)]
    assert run(cmd).returncode == 0
    before = writer.read_tree(out)
    env = {**os.environ, "SLOGEN_JSONNET": "fastest"}
    proc = subprocess.run(cmd + ["--no-cache"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2 and "error[grafana/jsonnet-engine]" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert writer.read_tree(out) == before


BROKEN = {
    "a syntax error": {"custom/ggen-mcp.libsonnet": "{ panels: [ }"},
    "an error in the team config": {"config.libsonnet": "error 'team config is broken'"},
    "an error in a panels function": {"custom/ggen-mcp.libsonnet": "{ panels(service): [service.nope] }"},
    "an import of no lib/ file": {"custom/slo-overview.libsonnet": "import 'lib/nope.libsonnet'"},
}


@pytest.mark.parametrize("engine", ["jsonnet", "rjsonnet"])
@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_broken_team_jsonnet_is_the_same_diagnostic_with_either_engine(tmp_path, monkeypatch, engine, broken):
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "ggen-mcp.yaml").write_bytes((SPECS / "ggen-mcp.yaml").read_bytes())
    for rel, text in BROKEN[broken].items():
        (specs / "dashboards" / rel).parent.mkdir(parents=True, exist_ok=True)
        (specs / "dashboards" / rel).write_text(text)
    monkeypatch.setenv("SLOGEN_JSONNET", engine)
    result = api.build([specs], tmp_path / "out", use_cache=False)
    assert not result.ok and {d.code for d in result.diagnostics if d.severity is Severity.ERROR} == {"grafana/jsonnet"}
    assert not (tmp_path / "out").exists()


def test_slogens_library_turns_no_number_into_text():
    """Where the engines differ: a number made text. jrsonnet prints 0.1 where the C++ jsonnet
    prints 0.10000000000000001, and rjsonnet 0.5.6's std.format rounds '%.1f' % 0.96 to "0.10"
    (docs/dashboards.md). The library's labels come formatted from the model instead."""
    code = {p.relative_to(LIBRARY).as_posix(): re.sub(r"//[^\n]*", "", p.read_text())
            for p in sorted(LIBRARY.rglob("*sonnet"))}
    assert len(code) >= 2
    found = {name: pattern for name, text in code.items()
             for pattern in (r"std\.format", r"std\.toString", r"std\.manifest", r"'\s*%\s", r"\s%\s*[\[\w(]")
             if re.search(pattern, text)}
    assert found == {}
