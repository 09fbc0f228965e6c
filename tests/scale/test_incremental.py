"""Incremental builds (slogen.write.record) write exactly what a full build writes.

Every case below changes something, builds incrementally into `out/`, and compares with a full
build (no cache, one process) of the same specs into a copy of the previous `out/` (so runbook
notes carried over from it count on both sides): same files, same bytes, same diagnostics."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from slogen import api, parallel, write as writer

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import fleetgen  # noqa: E402

N = 6  # services; the pool threshold is lowered to 4 below, so the render runs in a pool of processes


@pytest.fixture(autouse=True)
def small_fork_threshold(monkeypatch):
    monkeypatch.setattr(parallel, "THRESHOLD", 4)


@pytest.fixture
def fleet(tmp_path) -> Path:
    fleetgen.write_fleet(tmp_path / "repo", N)
    specs = tmp_path / "repo" / "specs"
    result = api.build([specs], tmp_path / "repo" / "out")
    assert result.ok and result.reused == 0
    return specs


def _diagnostics(result) -> list[tuple]:
    return sorted((d.code, d.severity.value, d.message, str(d.position), d.hint) for d in result.diagnostics.items)


def build_and_compare(specs: Path, monkeypatch, reused: bool = True) -> api.Result:
    """Incremental build into out/ versus a full build into a copy of the previous out/."""
    out = specs.parent / "out"
    reference = specs.parent / "reference"
    shutil.rmtree(reference, ignore_errors=True)
    if out.exists():
        shutil.copytree(out, reference, symlinks=True)
    before = writer.read_tree(out)
    result = api.build([specs], out)
    monkeypatch.setenv("SLOGEN_JOBS", "1")
    expected = api.build([specs], reference, use_cache=False)
    monkeypatch.delenv("SLOGEN_JOBS")
    assert _diagnostics(result) == _diagnostics(expected)
    assert result.ok == expected.ok
    if result.ok:
        assert writer.read_tree(out) == writer.read_tree(reference)
        assert (result.reused > 0) == reused, result.reused
    else:
        assert writer.read_tree(out) == before, "a failed build leaves out/ as it was"
    return result


def _service(specs: Path, i: int) -> Path:
    return specs / f"{fleetgen.service_name(i)}.yaml"


def test_an_edited_spec_rebuilds_only_its_service(fleet, monkeypatch):
    _service(fleet, 3).write_text(fleetgen.service_yaml(3, revision=1))
    result = build_and_compare(fleet, monkeypatch)
    assert result.reused >= (N - 1) * 13  # rules, 2 tests, a dashboard, 9+ runbooks per other service
    assert not result.cached


def test_an_edit_and_its_undo_round_trip(fleet, monkeypatch):
    original = _service(fleet, 2).read_text()
    _service(fleet, 2).write_text(fleetgen.service_yaml(2, revision=1))
    build_and_compare(fleet, monkeypatch)
    _service(fleet, 2).write_text(original)
    build_and_compare(fleet, monkeypatch)


def test_added_removed_and_renamed_spec_files(fleet, monkeypatch):
    (fleet / "svc-new.yaml").write_text(fleetgen.service_yaml(N + 10))
    build_and_compare(fleet, monkeypatch)
    _service(fleet, 1).unlink()
    build_and_compare(fleet, monkeypatch)
    _service(fleet, 4).rename(fleet / "renamed.yaml")
    build_and_compare(fleet, monkeypatch)


def test_a_renamed_service_retires_its_runbooks_with_notes_as_a_full_build_does(fleet, monkeypatch):
    out = fleet.parent / "out"
    runbook = sorted((out / "runbooks" / fleetgen.service_name(0)).glob("*.md"))[0]
    runbook.write_bytes(runbook.read_bytes() + b"\nNotes from the last incident.\n")
    text = fleetgen.service_yaml(0).replace(f"service: {fleetgen.service_name(0)}", "service: svc-moved")
    assert "svc-moved" in text
    _service(fleet, 0).write_text(text)
    result = build_and_compare(fleet, monkeypatch)
    assert any(d.code == "runbook/retired" for d in result.diagnostics.items)


def test_hand_edited_output_files_are_rebuilt(fleet, monkeypatch):
    out = fleet.parent / "out"
    rules = out / "prometheus/rules" / f"{fleetgen.service_name(1)}.rules.yml"
    rules.write_bytes(rules.read_bytes() + b"# hand edit\n")
    (out / "grafana" / f"{fleetgen.service_name(2)}.json").unlink()
    (out / "alertmanager/alertmanager.yml").write_text("route: {}\n")
    _service(fleet, 3).write_text(fleetgen.service_yaml(3, revision=1))  # so the whole-build cache misses
    build_and_compare(fleet, monkeypatch)


def test_runbook_notes_of_unchanged_services_are_kept(fleet, monkeypatch):
    out = fleet.parent / "out"
    runbook = sorted((out / "runbooks" / fleetgen.service_name(5)).glob("*.md"))[0]
    noted = runbook.read_bytes() + b"\nCheck the queue consumer first.\n"
    runbook.write_bytes(noted)
    _service(fleet, 3).write_text(fleetgen.service_yaml(3, revision=1))
    build_and_compare(fleet, monkeypatch)
    assert runbook.read_bytes() == noted


def test_changed_bundle_settings_rebuild_everything(fleet, monkeypatch):
    settings = fleet / "bundle.yaml"
    settings.write_text(settings.read_text().replace("https://grafana.example.com", "https://grafana.other.example"))
    build_and_compare(fleet, monkeypatch, reused=False)


def test_warnings_of_unchanged_specs_are_reported_again(fleet, monkeypatch):
    _service(fleet, 2).write_text(fleetgen.service_yaml(2).replace("threshold: 2s", "threshold: 120"))
    first = build_and_compare(fleet, monkeypatch)
    assert [d.code for d in first.diagnostics.items] == ["units/latency-range"]
    _service(fleet, 3).write_text(fleetgen.service_yaml(3, revision=1))
    again = build_and_compare(fleet, monkeypatch)
    assert [d.code for d in again.diagnostics.items] == ["units/latency-range"]


def test_a_service_defined_twice_is_reported_as_a_full_build_reports_it(fleet, monkeypatch):
    shutil.copy(_service(fleet, 1), fleet / "copy.yaml")
    result = build_and_compare(fleet, monkeypatch)
    assert not result.ok and [d.code for d in result.diagnostics.items] == ["spec/duplicate-service"]


def test_an_invalid_edit_is_reported_and_out_is_untouched(fleet, monkeypatch):
    _service(fleet, 3).write_text(fleetgen.service_yaml(3).replace("objective: 99.9", "objective: 101"))
    result = build_and_compare(fleet, monkeypatch)
    assert not result.ok


def test_a_new_file_that_is_not_a_service_means_a_full_build(fleet, monkeypatch):
    (fleet / "more-settings.yaml").write_text("apiVersion: slogen/v1\nkind: Bundle\n")
    result = build_and_compare(fleet, monkeypatch, reused=False)
    assert not result.ok  # a second Bundle file


def test_changed_options_rebuild_everything(fleet, monkeypatch):
    out = fleet.parent / "out"
    scaled = api.build([fleet], out, time_scale=0.01)
    assert scaled.ok and scaled.reused == 0
    back = api.build([fleet], out)
    assert back.ok and back.reused == 0


def test_a_corrupt_record_means_a_full_build(fleet, monkeypatch):
    record = fleet.parent / "out" / "slogen-manifest.json"
    assert record.is_file()
    record.write_text("{not json")
    _service(fleet, 3).write_text(fleetgen.service_yaml(3, revision=1))
    build_and_compare(fleet, monkeypatch, reused=False)
    assert record.read_bytes().startswith(b"{"), "replaced by a good record"
    _service(fleet, 3).write_text(fleetgen.service_yaml(3))
    build_and_compare(fleet, monkeypatch)


def test_a_kept_file_edited_during_the_build_means_a_full_build(fleet, monkeypatch):
    """An editor saving a generated file while an incremental build renders: the build does not
    take the edited file as the one it meant to keep (tree.swap_in raises Moved), it builds everything."""
    from slogen.write import record

    out = fleet.parent / "out"
    rules = out / "prometheus/rules" / f"{fleetgen.service_name(1)}.rules.yml"
    plan = record.plan

    def plan_then_edit(*args, **kwargs):
        found = plan(*args, **kwargs)
        rules.write_bytes(rules.read_bytes() + b"# saved by an editor mid-build\n")
        return found

    monkeypatch.setattr(record, "plan", plan_then_edit)
    _service(fleet, 3).write_text(fleetgen.service_yaml(3, revision=1))
    build_and_compare(fleet, monkeypatch, reused=False)
    assert b"mid-build" not in rules.read_bytes()


def test_the_stat_cache_records_what_is_on_disk(fleet, monkeypatch):
    """After an incremental build the stat cache (taken from the swap, not from walking out/ again)
    holds the identity of every file of out/, as a walk finds them."""
    import orjson

    from slogen.write import record

    _service(fleet, 3).write_text(fleetgen.service_yaml(3, revision=1))
    out = fleet.parent / "out"
    assert api.build([fleet], out).reused > 0
    cached = orjson.loads(record._stat_path(out).read_bytes())["stat"]
    assert cached == record._walk(out)
