"""The build cache and the N-process render never change a byte: every build below is compared with
a clean build (no cache, one process) of the same inputs into another folder."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from slogen import api, parallel, write as writer
from slogen.write import record

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import fleetgen  # noqa: E402

N = 6  # services; the pool threshold is lowered to 4 below, so both code paths run


@pytest.fixture(autouse=True)
def small_fork_threshold(monkeypatch):
    monkeypatch.setattr(parallel, "THRESHOLD", 4)
    monkeypatch.setattr(parallel, "ASIDE_FROM", 4)  # the specs are checked in a child too


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
    assert not (out.parent / record.FOLDER).exists(), "--no-cache must not write a cache"
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


def _rewrite(path: Path, change) -> None:
    path.write_text(json.dumps(change(json.loads(path.read_text())), indent=2, sort_keys=True) + "\n")


@pytest.mark.parametrize("damage", [
    pytest.param(lambda p: p.write_text("{not json"), id="truncated or corrupt file"),
    pytest.param(lambda p: p.write_bytes(b"\xff\xfe\x00binary"), id="binary garbage"),
    pytest.param(lambda p: _rewrite(p, lambda m: dict(m, format=99)), id="another format version"),
    pytest.param(lambda p: _rewrite(p, lambda m: dict(m, files=[1])), id="right version, wrong shape"),
    pytest.param(lambda p: _rewrite(p, lambda m: dict(m, units={k: dict(u, files={f: "0" * 64 for f in u["files"]})
                                                                for k, u in m["units"].items()})),
                 id="digests of other bytes (a foreign out/)"),
    pytest.param(lambda p: p.write_text(json.dumps(json.loads(p.read_text()))), id="the same record on one line"),
])
def test_a_damaged_manifest_is_caught_and_rebuilt(fleet, tmp_path, monkeypatch, damage):
    out = tmp_path / "out"
    api.build([fleet], out)
    damage(out / record.MANIFEST)
    check = api.build([fleet], out, check=True)
    assert check.ok and not check.cached and check.check.stale
    assert check.check.changed == [record.MANIFEST]
    result = api.build([fleet], out)
    assert result.ok and not result.cached
    assert writer.read_tree(out) == clean(fleet, tmp_path, monkeypatch)
    assert api.build([fleet], out).cached, "the damaged manifest is replaced by a good one"


@pytest.mark.parametrize("damage", [
    pytest.param(lambda p: p.write_text("{not json"), id="truncated or corrupt file"),
    pytest.param(lambda p: p.write_bytes(b"\xff\xfe\x00binary"), id="binary garbage"),
    pytest.param(lambda p: p.write_text(json.dumps({"format": 99})), id="another format version"),
    pytest.param(lambda p: p.write_text(json.dumps(dict(json.loads(p.read_text()), stat=[1]))), id="wrong shape"),
    pytest.param(lambda p: p.unlink(), id="deleted (a fresh checkout)"),
])
def test_a_damaged_local_stat_cache_only_costs_hashing(fleet, tmp_path, monkeypatch, damage):
    """The local cache beside out/ only says which files are untouched; without it every file of
    out/ is hashed against the manifest, and the build is still a no-op."""
    out = tmp_path / "out"
    api.build([fleet], out)
    damage(tmp_path / record.FOLDER / "out.json")
    check = api.build([fleet], out, check=True)
    assert check.ok and check.cached and not check.check.stale
    assert api.build([fleet], out).cached
    assert writer.read_tree(out) == clean(fleet, tmp_path, monkeypatch)


def test_a_fresh_checkout_checks_by_hashing_and_renders_only_what_changed(fleet, tmp_path, monkeypatch):
    """What CI sees: out/ and its manifest committed, no local cache. A hand edit of an output file
    and a spec edit are both caught; the check renders only the edited spec's services."""
    out = tmp_path / "out"
    api.build([fleet], out)
    (tmp_path / record.FOLDER / "out.json").unlink()
    target = out / "prometheus/rules" / f"{fleetgen.service_name(1)}.rules.yml"
    target.write_bytes(target.read_bytes() + b"# hand edit\n")
    check = api.build([fleet], out, check=True)
    assert check.check.stale and check.check.changed == [f"prometheus/rules/{fleetgen.service_name(1)}.rules.yml"]
    assert check.reused > 0, "only the spec whose output was edited is rendered again"
    api.build([fleet], out)
    (tmp_path / record.FOLDER / "out.json").unlink()
    edited = fleet / f"{fleetgen.service_name(2)}.yaml"
    edited.write_text(fleetgen.service_yaml(2, revision=1))
    try:
        check = api.build([fleet], out, check=True)
        assert check.check.stale and record.MANIFEST in check.check.changed and check.reused > 0
    finally:
        edited.write_text(fleetgen.service_yaml(2))


def test_changed_slogen_code_renders_everything(fleet, tmp_path, monkeypatch):
    out = tmp_path / "out"
    api.build([fleet], out)
    monkeypatch.setattr(record, "_code_digest", "0" * 64)
    again = api.build([fleet], out)
    assert again.ok and not again.cached and again.reused == 0
    assert writer.read_tree(out) == clean(fleet, tmp_path, monkeypatch)


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
