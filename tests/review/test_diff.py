"""`slogen diff`: one case per kind of change, each a real edit of a shipped spec in a throwaway
git repository, compared with the commit before it; and the out/ path giving the same picture."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import SPECS
from slogen import api
from slogen.cli import main
from slogen.diagnostics import Diagnostics
from slogen.review import diff
from slogen.review.snapshot import from_out


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t", *args], cwd=repo,
                   check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path) -> Path:
    shutil.copytree(SPECS, tmp_path / "specs")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "specs")
    _git(tmp_path, "commit", "-q", "-m", "before")
    return tmp_path


def _edit(repo: Path, old: str, new: str, file: str = "ggen-mcp.yaml") -> None:
    p = repo / "specs" / file
    text = p.read_text()
    assert old in text, old
    p.write_text(text.replace(old, new, 1))


def _changes(repo: Path) -> list[tuple[str, str, list]]:
    d = Diagnostics()
    after = diff.snapshot_of_specs([repo / "specs"], "specs", d)
    before = diff.before_snapshot([repo / "specs"], "HEAD", d)
    assert after and before, [str(x) for x in d]
    return [(c.kind, c.subject, c.details) for s in diff.diff(before, after) for c in s.changes]


MEMORY = """  - kind: memory
    selector: '{job="node",instance=~"ggen-mcp.*"}'
    warning: {above: 80, for: 10m}
"""
QUEUE = """  - kind: gauge
    name: QueueDepthHigh
    metric: ggen_queue_depth{job="ggen-mcp"}
    critical: {above: 50, for: 5m}
"""


def test_unchanged_specs_show_no_change(repo):
    assert _changes(repo) == []


def test_an_added_threshold_is_listed_with_condition_for_and_route(repo):
    _edit(repo, MEMORY, MEMORY + QUEUE)
    assert _changes(repo) == [("added", "QueueDepthHigh [critical]",
                               [("fires when", "", "> 50"), ("for", "", "5m"), ("route", "", "ggen-pagerduty")])]


def test_a_removed_threshold_is_listed_with_what_it_was(repo):
    _edit(repo, MEMORY, "")
    assert _changes(repo) == [("removed", "MemoryUsageHigh [warning]",
                               [("fires when", "> 80", ""), ("for", "10m", ""), ("route", "ggen-slack", "")])]


def test_a_renamed_threshold_is_a_rename_not_add_and_remove(repo):
    _edit(repo, "name: HighErrorRate", "name: ErrorRateHigh")
    assert _changes(repo) == [("renamed", "HighErrorRate → ErrorRateHigh [critical]", [])]


def test_a_renamed_slo_alert_pairs_every_window(repo):
    _edit(repo, "  - name: availability\n", "  - name: availability\n    alerting: {name: AvailabilityBurn}\n")
    got = _changes(repo)
    assert [k for k, *_ in got] == ["renamed"] * 4
    assert got[0][1].startswith("AvailabilityBudgetBurn → AvailabilityBurn [page 1h/5m]")


def test_a_threshold_level_change_shows_before_and_after(repo):
    _edit(repo, "warning: {below: 60, for: 10m}", "warning: {below: 50, for: 15m}")
    assert _changes(repo) == [("changed", "CacheHitRateLow [warning]",
                               [("level", "< 60", "< 50"), ("for", "10m", "15m")])]


def test_an_objective_change_shows_on_the_slo_and_each_alert_threshold(repo):
    _edit(repo, "objective: 99.9\n", "objective: 99.95\n")
    got = _changes(repo)
    assert got[0] == ("changed", "SLO availability", [("objective", "99.9%", "99.95%")])
    assert got[1] == ("changed", "AvailabilityBudgetBurn [page 1h/5m]",
                      [("threshold", "burn rate > 14.4x (error ratio > 1.44%)", "burn rate > 14.4x (error ratio > 0.72%)")])
    assert len(got) == 5


def test_a_route_change_names_both_receivers(repo):
    _edit(repo, "threshold: 5s, percentile: 99}\n", "threshold: 5s, percentile: 99}\n    alerting: {page: {receiver: ggen-slack}}\n")
    assert _changes(repo) == [("changed", f"LatencyP99BudgetBurn [page {w}]", [("route", "ggen-pagerduty", "ggen-slack")])
                              for w in ("1h/5m", "6h/30m")]


def test_a_window_change_pairs_the_alert_and_shows_windows_and_for(repo):
    windows = """alerting:
  windows:
    - {severity: page, budget_percent: 2, long: 2h, short: 10m, for: 5m}
    - {severity: ticket, budget_percent: 10, long: 1d, short: 2h, for: 1h}
slos:
"""
    _edit(repo, "slos:\n", windows)
    got = {(k, s): d for k, s, d in _changes(repo) if "Availability" in s}
    assert got[("changed", "AvailabilityBudgetBurn [page 2h/10m]")] == [
        ("windows", "1h/5m", "2h/10m"), ("threshold", "burn rate > 14.4x (error ratio > 1.44%)",
                                         "burn rate > 7.2x (error ratio > 0.72%)"), ("for", "1m", "5m")]
    assert ("removed", "AvailabilityBudgetBurn [page 6h/30m]") in got


def test_the_built_out_folder_gives_the_same_snapshot_as_the_specs(tmp_path):
    result = api.build([SPECS], tmp_path / "out")
    assert result.ok
    d = Diagnostics()
    built, model = from_out(tmp_path / "out", d), diff.snapshot_of_specs([SPECS], "specs", d)
    assert not d.has_errors and built.routes_known
    assert sorted(built.alerts, key=repr) == sorted(model.alerts, key=repr)
    assert built.slos == model.slos and diff.diff(built, model) == []


def test_cli_markdown_against_a_revision_and_bad_refs(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    _edit(repo, "name: HighErrorRate", "name: ErrorRateHigh")
    with pytest.raises(SystemExit) as done:
        main(["diff", "specs", "--markdown"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("### slogen diff: `specs` against `HEAD (") and "| renamed | **HighErrorRate" in out
    with pytest.raises(SystemExit) as done:
        main(["diff", "specs", "--against", "no-such-ref"])
    assert done.value.code == 2 and "diff/unknown-ref" in capsys.readouterr().err
