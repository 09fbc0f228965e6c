"""Fuzzed specs (tests/hardening/strategies.py) never crash slogen, every refusal is positioned in
the file, and every accepted spec builds a bundle the real tools accept.

CI runs a few hundred examples. The long run, before an input-handling issue is called resolved
(docs/fuzzing.md):

    python benchmarks/fuzz.py          # 10,000 examples; prints the counts, the time, the versions

Tool checks (promtool check rules, amtool check-config, the dashboard checks of tests/grafana) run
on one accepted example in `SLOGEN_FUZZ_TOOLS_EVERY` (default 20; chosen by a hash of the example),
and on the last accepted one if the hash chose none. `promtool test rules` is not
among them: a fuzzed `period: 1y` makes the generated unit tests evaluate a year of samples
(minutes per example); tests/core runs the generated tests on the shipped specs."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings

from helpers import require
from slogen import api
from slogen.diagnostics import Severity, render_github, render_human, render_json
from strategies import spec_files

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "grafana"))
from grafana_checks import layout_problems, query_problems, recorded, rule_problems  # noqa: E402

EXAMPLES = int(os.environ.get("SLOGEN_FUZZ_EXAMPLES", "200"))
TOOLS_EVERY = int(os.environ.get("SLOGEN_FUZZ_TOOLS_EVERY", "20"))
PROGRESS = int(os.environ.get("SLOGEN_FUZZ_PROGRESS", "0"))  # print the counts every N examples (long runs)
STATS: Counter = Counter()
STARTED = 0.0
LAST_ACCEPTED: list = []  # the last accepted example's documents (tool-checked at the end if none was)


def _write(folder: Path, docs: list[tuple[str, dict]]) -> dict[str, int]:
    """The documents as files; returns each file's number of lines."""
    lines = {}
    for name, data in docs:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
        (folder / name).write_text(text, encoding="utf-8")
        lines[str(folder / name)] = text.count("\n") + 1
    return lines


def _tool_checks(out: Path) -> None:
    promtool, amtool = require("promtool"), require("amtool")
    rules = sorted(map(str, (out / "prometheus" / "rules").glob("*.yml")))
    proc = subprocess.run([promtool, "check", "rules", *rules], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = subprocess.run([amtool, "check-config", str(out / "alertmanager" / "alertmanager.yml")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    recorded_rules = recorded(out / "prometheus" / "rules")
    for path in sorted((out / "grafana").glob("*.json")):
        dashboard = json.loads(path.read_text())
        problems = layout_problems(dashboard) + query_problems(dashboard)
        if path.name != "slo-overview.json":
            # KNOWN (left open, see the issue-8 report): the overview's SLO panels also query
            # services that have only thresholds, whose SLO series no rule records (empty cells)
            # KNOWN too: a service left with no alert rules (e.g. every window unreachable) still
            # gets a "Firing alerts" panel on ALERTS{service=...}, which stays empty
            problems += [p for p in rule_problems(dashboard, recorded_rules) if "records ALERTS{" not in p]
        assert not problems, (path.name, problems)
    STATS["tool-checked"] += 1


def _build_and_check(specs: Path, out: Path) -> None:
    built = api.build([specs], out)
    assert built.ok, [(d.code, d.message) for d in built.diagnostics]
    _tool_checks(out)


def _tool_check(docs) -> None:
    folder = Path(tempfile.mkdtemp(prefix="slogen-fuzz-"))
    try:
        (folder / "specs").mkdir()
        _write(folder / "specs", docs)
        _build_and_check(folder / "specs", folder / "out")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nthe accepted example: {docs!r}") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 200, print_blob=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(docs=spec_files())
def _one_example(docs):
    folder = Path(tempfile.mkdtemp(prefix="slogen-fuzz-"))
    try:
        specs = folder / "specs"
        specs.mkdir()
        lines = _write(specs, docs)
        result = api.validate([specs])  # must not raise: every problem is a diagnostic
        for d in result.diagnostics:  # the three renderers take whatever a diagnostic holds
            render_human(d), render_github(d)
        json.loads(render_json(result.diagnostics))
        STATS["examples"] += 1
        if PROGRESS and STATS["examples"] % PROGRESS == 0:
            print(f"fuzz: {dict(STATS)} after {time.monotonic() - STARTED:.0f}s", file=sys.stderr, flush=True)
        if not result.ok:
            STATS["refused"] += 1
            errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
            positioned = [d for d in errors if d.position and d.position.file in lines
                          and 1 <= d.position.line <= lines[d.position.file] and d.position.col >= 1]
            assert positioned, f"no error points into a spec file: {[(d.code, d.position) for d in errors]}"
            return
        STATS["accepted"] += 1
        LAST_ACCEPTED[:] = [docs]
        # which examples get the tool checks depends on the example itself, so hypothesis can replay a failure
        if zlib.crc32(repr(docs).encode()) % TOOLS_EVERY == 0:
            _build_and_check(specs, folder / "out")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_fuzzed_specs_never_crash_refusals_are_positioned_and_bundles_pass_the_tools():
    global STARTED
    STATS.clear()
    LAST_ACCEPTED.clear()
    STARTED = time.monotonic()
    _one_example()
    if not STATS["tool-checked"] and LAST_ACCEPTED:
        # Which examples hypothesis draws is not the same in every run, even derandomized (it
        # changed with the machine's load: 28 to 40 accepted of 200, and none picked by the hash
        # once). At least one accepted spec always goes through the real tools.
        _tool_check(LAST_ACCEPTED[0])
    print(f"\nfuzz: {dict(STATS)}")
    if os.environ.get("SLOGEN_FUZZ_STATS"):
        Path(os.environ["SLOGEN_FUZZ_STATS"]).write_text(json.dumps(dict(STATS)) + "\n")
    # a fuzzer that only produces refusals (or only valid specs) proves little
    assert STATS["accepted"] >= STATS["examples"] * 0.05, dict(STATS)
    assert STATS["refused"] >= STATS["examples"] * 0.1, dict(STATS)
    assert STATS["tool-checked"] >= 1, dict(STATS)
