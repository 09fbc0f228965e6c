"""The model `slogen status` keeps between runs (slogen.status.model_cache): a second run on the
same specs reads it instead of loading and checking the specs again, and gives the same report;
any change to a spec file is a miss, so a wrong spec is refused every time."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from e2e.stack import HOST, free_port
from history import SCALE, SPECS
from slogen import status
from slogen.diagnostics import Diagnostics
from slogen.status import model_cache

pytestmark = pytest.mark.e2e


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("SLOGEN_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def specs(tmp_path):
    copy = tmp_path / "specs"
    shutil.copytree(SPECS, copy)
    return copy


def test_a_second_load_reads_the_kept_model_and_it_is_the_same(cache, specs, monkeypatch):
    from slogen import api

    first = status.load([specs], Diagnostics(), SCALE)
    [entry] = list(cache.glob("status-model-*.pickle"))
    assert (cache.stat().st_mode & 0o777) == 0o700
    monkeypatch.setattr(api, "load_files", lambda *a, **k: pytest.fail("the specs were loaded again"))
    again = status.load([specs], Diagnostics(), SCALE)
    assert again is not first and _same(again, first)
    assert list(cache.glob("status-model-*.pickle")) == [entry]


def _same(a, b) -> bool:
    """Equal but for the threshold levels' test functions, which are rebuilt (compared by behaviour)."""
    assert [s.name for s in a.services] == [s.name for s in b.services] and a.settings == b.settings
    for sa, sb in zip(a.services, b.services):
        assert sa.slos == sb.slos
        for ta, tb in zip(sa.thresholds, sb.thresholds):
            assert [(r.severity, r.expr, r.for_seconds, r.condition) for r in ta.rules] == \
                   [(r.severity, r.expr, r.for_seconds, r.condition) for r in tb.rules]
            for value in (0.0, 99.0, 101.0, 499.0, 501.0, 1e9):
                assert [r.holds(value) for r in ta.rules] == [r.holds(value) for r in tb.rules]
    return True


def test_a_changed_spec_is_loaded_and_checked_again(cache, specs):
    status.load([specs], Diagnostics(), SCALE)
    shop = specs / "shop.yaml"
    shop.write_text(shop.read_text().replace("objective: 99\n", "objective: 99.5\n"))
    bundle = status.load([specs], Diagnostics(), SCALE)
    assert next(s for s in bundle.services if s.name == "shop").slos[0].objective == pytest.approx(0.995)
    assert len(list(cache.glob("status-model-*.pickle"))) == 2


def test_a_wrong_spec_is_refused_after_a_cached_run(cache, specs):
    url = f"http://{HOST}:{free_port()}"  # nothing listens: the specs are refused before any query
    cmd = [sys.executable, "-m", "slogen", "status", str(specs), "--prometheus", url, "--time-scale", str(SCALE),
           "--timeout", "2"]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert first.returncode == 4  # the specs were fine (and kept); Prometheus is down
    assert list(cache.glob("status-model-*.pickle"))
    shop = specs / "shop.yaml"
    shop.write_text(shop.read_text().replace("objective: 99\n", "objective: 150\n"))
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "shop.yaml:" in done.stderr and "Traceback" not in done.stderr


def test_an_unreadable_entry_is_a_miss(cache, specs):
    status.load([specs], Diagnostics(), SCALE)
    [entry] = list(cache.glob("status-model-*.pickle"))
    entry.write_bytes(b"not a pickle")
    assert status.load([specs], Diagnostics(), SCALE) is not None
    assert model_cache.read(entry.name[len(model_cache.PREFIX):-len(".pickle")]) is not None  # written again


def test_no_cache_neither_reads_nor_writes(cache, specs):
    assert status.load([specs], Diagnostics(), SCALE, use_cache=False) is not None
    assert not cache.exists() or not list(cache.glob("*"))


def test_a_run_keeps_the_model_from_a_child_process_and_waits_for_it(cache, specs, monkeypatch):
    """`slogen status` writes the kept model in a forked child while it queries Prometheus (here
    unreachable: the model is kept all the same), and the run ends only after that child did."""
    from slogen import api
    from slogen.live.client import Connection

    children = []
    fork = model_cache.os.fork

    def counted_fork():
        pid = fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(model_cache.os, "fork", counted_fork)
    outcome = status.run([specs], Connection(f"http://{HOST}:{free_port()}", timeout=2), time_scale=SCALE)
    assert outcome.unreachable and len(children) == 1
    with pytest.raises(ChildProcessError):  # already waited for: reaped by run()
        model_cache.os.waitpid(children[0], model_cache.os.WNOHANG)
    [entry] = list(cache.glob("status-model-*.pickle"))
    assert not list(cache.glob("*.tmp"))
    monkeypatch.setattr(api, "load_files", lambda *a, **k: pytest.fail("the specs were loaded again"))
    assert status.load([specs], Diagnostics(), SCALE) is not None
