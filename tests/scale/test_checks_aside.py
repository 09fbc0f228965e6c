"""A large bundle is checked in a forked child while its model is built (slogen.api.model_of,
slogen.parallel.aside): the diagnostics and the model are those of checking first and building
after, a check error still stops the build, and a failure of either side is not lost."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from slogen import api, checks, parallel
from slogen.checks import base
from slogen.diagnostics import Diagnostics

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import fleetgen  # noqa: E402

N = 6


@pytest.fixture
def fleet(tmp_path) -> Path:
    fleetgen.write_fleet(tmp_path, N)
    return tmp_path / "specs"


def edit(fleet: Path, old: str, new: str) -> None:
    spec = fleet / f"{fleetgen.service_name(2)}.yaml"
    text = spec.read_text()
    assert old in text
    spec.write_text(text.replace(old, new, 1))


def load(fleet: Path, monkeypatch, ahead: bool):
    monkeypatch.setattr(parallel, "ASIDE_FROM", 2 if ahead else 10 ** 9)
    monkeypatch.setenv("SLOGEN_JOBS", "2")
    diags = Diagnostics()
    return api.load_bundle([fleet], diags), [(d.code, d.severity, str(d.position), d.message) for d in diags]


def test_checked_aside_the_model_and_the_diagnostics_are_those_of_checking_first(fleet, monkeypatch):
    edit(fleet, 'metric: queue_depth{job="svc-00002"}', "metric: queue_depth")  # selectors/unscoped
    ahead, said = load(fleet, monkeypatch, True)
    serial, said_serial = load(fleet, monkeypatch, False)
    assert said == said_serial and "selectors/unscoped" in {code for code, *_ in said}
    assert ahead is not None and serial is not None
    assert [(s.name, s.slos, s.labels) for s in ahead.services] == [(s.name, s.slos, s.labels) for s in serial.services]
    assert [[t.value_expr for t in s.thresholds] for s in ahead.services] == \
           [[t.value_expr for t in s.thresholds] for s in serial.services]


def test_a_check_error_found_aside_still_stops_the_build(fleet, monkeypatch):
    edit(fleet, "warning: {above: 100, for: 5m}", "warning: {above: 100, for: 5m}\n    critical: {above: 50, for: 5m}")
    bundle, said = load(fleet, monkeypatch, True)
    assert bundle is None
    assert said == load(fleet, monkeypatch, False)[1]
    assert [code for code, *_ in said] == ["levels/order"]


def test_a_model_that_fails_on_specs_the_checks_refuse_is_only_their_error(fleet, monkeypatch):
    edit(fleet, "warning: {above: 100, for: 5m}", "warning: {above: 100, for: 5m}\n    critical: {above: 50, for: 5m}")
    monkeypatch.setattr(api, "build_model", lambda *a, **k: 1 / 0)
    bundle, said = load(fleet, monkeypatch, True)
    assert bundle is None and [code for code, *_ in said] == ["levels/order"]


def test_a_model_that_fails_on_specs_the_checks_accept_raises_as_before(fleet, monkeypatch):
    monkeypatch.setattr(api, "build_model", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        load(fleet, monkeypatch, True)


def test_a_check_that_fails_in_the_child_raises_here(fleet, monkeypatch):
    import os

    monkeypatch.setattr(checks, "RUNS", [*base.RUNS, lambda ctx: {}[f"a bug in a check, in {os.getpid()}"]])
    with pytest.raises(KeyError, match="a bug in a check") as raised:
        load(fleet, monkeypatch, True)
    assert f"in {os.getpid()}" not in str(raised.value)  # it ran in the child


def test_aside_without_a_fork_runs_in_this_process(monkeypatch):
    with parallel.aside(lambda x: x * 2, 21, when=False) as result:
        assert result() == 42
    with parallel.aside(lambda: 1 / 0, when=False) as result:
        with pytest.raises(ZeroDivisionError):
            result()


def test_a_child_that_dies_is_an_error_not_a_hang():
    import os

    with parallel.aside(lambda: os._exit(9)) as result:
        with pytest.raises(RuntimeError, match="died"):
            result()
