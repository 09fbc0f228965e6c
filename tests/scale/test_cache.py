"""The build cache and the N-process render never change a byte: every build below is compared with
a clean build (no cache, one process) of the same inputs into another folder."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from slogen import api, parallel, write as writer
from slogen.write import cache

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import fleetgen  # noqa: E402

N = 6  # services; the pool threshold is lowered to 4 below, so both code paths run


@pytest.fixture(autouse=True)
def small_fork_threshold(monkeypatch):
    monkeypatch.setattr(parallel, "THRESHOLD", 4)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fleet")
    fleetgen.write_fleet(folder, N)
    return folder / "specs"


def clean(specs: Path, tmp: Path, monkeypatch, **options) -> dict[str, bytes]:
    monkeypatch.setenv("SLOGEN_JOBS", "1")
    out = tmp / "clean-side" / "clean"
    result = api.build([specs], out, use_cache=False, **options)
    monkeypatch.delenv("SLOGEN_JOBS")
    assert result.ok, list(result.diagnostics)
    assert not (out.parent / cache.FOLDER).exists(), "--no-cache must not write a cache"
    return writer.read_tree(out)


def test_two_cores_and_the_cache_reproduce_a_clean_single_process_build(fleet, tmp_path, monkeypatch):
    expected = clean(fleet, tmp_path, monkeypatch)
    out = tmp_path / "out"
    first = api.build([fleet], out)
    assert first.ok and not first.cached
    assert writer.read_tree(out) == expected
    again = api.build([fleet], out)
    assert again.cached and again.file_count == len(expected)
    assert writer.read_tree(out) == expected
    check = api.build([fleet], out, check=True)
    assert check.cached and not check.check.stale


def test_editing_a_spec_misses_the_cache_and_rebuilds_exactly(fleet, tmp_path, monkeypatch):
    out = tmp_path / "out"
    api.build([fleet], out)
    edited = fleet / f"{fleetgen.service_name(3)}.yaml"
    edited.write_text(fleetgen.service_yaml(3, revision=1))
    try:
        stale = api.build([fleet], out, check=True)
        assert not stale.cached and stale.check.stale
        rebuilt = api.build([fleet], out)
        assert not rebuilt.cached
        assert writer.read_tree(out) == clean(fleet, tmp_path, monkeypatch)
    finally:
        edited.write_text(fleetgen.service_yaml(3))


def test_changed_bundle_settings_and_build_options_miss_the_cache(fleet, tmp_path, monkeypatch):
    out = tmp_path / "out"
    api.build([fleet], out)
    scaled = api.build([fleet], out, time_scale=0.01)
    assert not scaled.cached
    assert writer.read_tree(out) == clean(fleet, tmp_path, monkeypatch, time_scale=0.01)
    settings = fleet / "bundle.yaml"
    original = settings.read_text()
    settings.write_text(original.replace("https://grafana.example.com", "https://grafana.other.example"))
    try:
        moved = api.build([fleet], out)
        assert not moved.cached
        assert writer.read_tree(out) == clean(fleet, tmp_path, monkeypatch)
    finally:
        settings.write_text(original)


def test_an_edited_output_file_is_not_hidden_by_the_cache(fleet, tmp_path):
    out = tmp_path / "out"
    api.build([fleet], out)
    target = out / "prometheus/rules" / f"{fleetgen.service_name(0)}.rules.yml"
    good = target.read_bytes()
    target.write_bytes(good + b"# hand edit\n")
    check = api.build([fleet], out, check=True)
    assert not check.cached and check.check.changed == [f"prometheus/rules/{fleetgen.service_name(0)}.rules.yml"]
    extra = out / "stray.yml"
    target.write_bytes(good)
    extra.write_text("x: 1\n")
    check = api.build([fleet], out, check=True)
    assert not check.cached and check.check.removed == ["stray.yml"]


@pytest.mark.parametrize("damage", [
    pytest.param(lambda p: p.write_text("{not json"), id="truncated or corrupt file"),
    pytest.param(lambda p: p.write_bytes(b"\xff\xfe\x00binary"), id="binary garbage"),
    pytest.param(lambda p: p.write_text(json.dumps({"format": 99, "key": "x"})), id="another format version"),
    pytest.param(lambda p: p.write_text(json.dumps(dict(json.loads(p.read_text()), files={"a": 1}))),
                 id="right key, wrong shape"),
    pytest.param(lambda p: p.write_text(json.dumps(dict(
        json.loads(p.read_text()), files={k: "0" * 64 for k in json.loads(p.read_text())["files"]}))),
        id="right key, digests of other bytes (a foreign out/)"),
])
def test_a_corrupt_or_foreign_cache_is_ignored_and_replaced(fleet, tmp_path, monkeypatch, damage):
    out = tmp_path / "out"
    api.build([fleet], out)
    damage(tmp_path / cache.FOLDER / "out.json")
    result = api.build([fleet], out)
    assert result.ok and not result.cached
    assert writer.read_tree(out) == clean(fleet, tmp_path, monkeypatch)
    assert api.build([fleet], out).cached, "the damaged entry is replaced by a good one"


@pytest.mark.parametrize("jobs", [2, 3])
def test_n_processes_build_and_check_what_one_process_builds(fleet, tmp_path, monkeypatch, jobs):
    expected = clean(fleet, tmp_path, monkeypatch)
    out = tmp_path / "out"
    result = api.build([fleet], out, use_cache=False, jobs=jobs)
    assert result.ok and writer.read_tree(out) == expected
    check = api.build([fleet], out, check=True, use_cache=False, jobs=jobs)
    assert check.ok and not check.check.stale


def test_the_pool_path_is_taken_with_this_fleet(fleet):
    """Guards the comparisons above: with this fleet the render is cut into several chunks, so a
    pool of processes really shares it."""
    assert len(parallel.chunks(len(api.load_bundle([fleet], api.Diagnostics()).services))) > 1
