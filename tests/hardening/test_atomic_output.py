"""`slogen build` killed with SIGKILL at any moment leaves `out/` as the previous bundle or the new
one, compared file by file over the whole tree, never a mix; human runbook notes survive every
kill. Two builds into the same `out/` at once are serialised (the writer's flock), and a build
that cannot get the lock says so clearly.

The spec set is the shipped specs plus generated services, so a build takes long enough for the
kill points to land in every stage: interpreter start, load, model, render (jsonnet), writing the
scratch tree, and the swap. Half the kill points are aimed at the last fifth of the run, where
the writer works. `SLOGEN_KILL_POINTS` sets how many (default 50)."""
from __future__ import annotations

import fcntl
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from slogen import write as writer

ROOT = Path(__file__).resolve().parents[2]
KILL_POINTS = int(os.environ.get("SLOGEN_KILL_POINTS", "50"))
EXTRA_SERVICES = 8
MARKER = b"<!-- slogen: keep below -->"
NOTES = b"\n### 2026-03-02 incident\n\nHuman notes: r\xc3\xa9start the worker, then `rm /tmp/core.*`.\n"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

pytestmark = pytest.mark.xdist_group("atomic")  # keeps the timing of the two cores predictable


def _service(i: int, objective: float) -> str:
    return f"""\
apiVersion: slogen/v1
service: gen-{i:03d}
team: mcp-platform
description: Generated service {i} for the kill test.
slos:
  - name: availability
    objective: {objective}
    sli:
      kind: availability
      total: http_requests_total{{job="gen-{i:03d}"}}
      bad: http_requests_total{{job="gen-{i:03d}",code=~"5.."}}
  - name: latency
    sli: {{kind: latency, histogram: http_request_duration_seconds, selector: '{{job="gen-{i:03d}"}}',
          threshold: 1s, percentile: 95}}
thresholds:
  - kind: up
    selector: '{{job="gen-{i:03d}"}}'
"""


def _specs(folder: Path, objective: float) -> Path:
    shutil.copytree(ROOT / "specs", folder)
    for i in range(EXTRA_SERVICES):
        (folder / f"gen-{i:03d}.yaml").write_text(_service(i, objective))
    return folder


def _build(specs: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "slogen", "build", str(specs), "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, cwd=out.parent)


def _tree(root: Path) -> dict[str, bytes]:
    return writer.read_tree(root)


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    """(specs A, tree A with notes, specs B, tree B built over A): the two states out/ may be in."""
    base = tmp_path_factory.mktemp("atomic")
    specs_a, specs_b = _specs(base / "specs-a", 99.9), _specs(base / "specs-b", 99.5)
    out = base / "ref" / "out"
    out.parent.mkdir()
    assert _build(specs_a, out).wait(timeout=300) == 0
    runbook = out / "runbooks" / "gen-000" / "AvailabilityBudgetBurn.md"
    assert runbook.read_bytes().count(MARKER) == 1, sorted(p.name for p in runbook.parent.iterdir())
    runbook.write_bytes(runbook.read_bytes() + NOTES)
    tree_a = _tree(out)
    t0 = time.monotonic()
    assert _build(specs_b, out).wait(timeout=300) == 0
    duration = time.monotonic() - t0
    tree_b = _tree(out)
    assert tree_a != tree_b and set(tree_a) == set(tree_b)
    assert tree_b["runbooks/gen-000/AvailabilityBudgetBurn.md"].endswith(NOTES)
    return base, specs_b, tree_a, tree_b, duration


def _restore(tree: dict[str, bytes], out: Path) -> None:
    for rel, data in tree.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)


def _kill_once(base: Path, specs_b: Path, tree_a: dict, tree_b: dict, k: int, delay: float) -> tuple[str, bool]:
    """Restore the old bundle, start the build of the new one, SIGKILL it after `delay` seconds:
    what out/ then is ("old" or "new"), and whether a scratch tree was left beside it."""
    parent = base / f"kill-{k}"
    out = parent / "out"
    out.mkdir(parents=True)
    _restore(tree_a, out)
    proc = _build(specs_b, out)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    mid_write = any(parent.glob(".out.slogen-*"))
    after = _tree(out)
    if after not in (tree_a, tree_b):
        mixed = sorted(p for p in set(after) | set(tree_a) if after.get(p) not in (tree_a.get(p), tree_b.get(p)))
        pytest.fail(f"kill {k} after {delay:.2f}s left a mix: {mixed[:5]} "
                    f"(old files: {sum(after.get(p) == tree_a[p] != tree_b[p] for p in tree_a)}, "
                    f"new files: {sum(after.get(p) == tree_b[p] != tree_a[p] for p in tree_b)})")
    assert after["runbooks/gen-000/AvailabilityBudgetBurn.md"].endswith(NOTES), f"kill {k} lost the notes"
    # and the next build cleans up after the killed one and completes
    if k % 25 == 0:
        assert _build(specs_b, out).wait(timeout=300) == 0
        assert _tree(out) == tree_b and not any(parent.glob(".out.slogen-*"))
    shutil.rmtree(parent)
    return ("old" if after == tree_a else "new"), mid_write


def test_sigkill_at_any_moment_leaves_the_old_or_the_new_bundle(bundles, capsys):
    base, specs_b, tree_a, tree_b, duration = bundles
    rng = random.Random(8)
    outcomes = {"old": 0, "new": 0, "mid-write": 0}
    for k in range(KILL_POINTS):
        delay = rng.uniform(0, duration * 1.05) if k % 2 else rng.uniform(duration * 0.8, duration * 1.05)
        state, mid_write = _kill_once(base, specs_b, tree_a, tree_b, k, delay)
        outcomes[state] += 1
        outcomes["mid-write"] += mid_write
    # The kills must really span the swap. The build's duration was measured once: on a machine
    # whose load changes, later builds may be slower (or faster), so move the kill point until
    # one lands on the missing side (a bounded number of tries).
    scale, k = 1.0, KILL_POINTS
    while not (outcomes["old"] and outcomes["new"]) and k < KILL_POINTS + 12:
        scale = scale * 1.5 if not outcomes["new"] else scale / 2
        state, mid_write = _kill_once(base, specs_b, tree_a, tree_b, k, duration * scale)
        outcomes[state] += 1
        outcomes["mid-write"] += mid_write
        k += 1
    with capsys.disabled():
        print(f"\natomic: {k} kill points over a {duration:.1f}s build: {outcomes}")
    assert outcomes["old"] and outcomes["new"], outcomes


def test_sigkill_while_a_build_reuses_the_previous_tree(bundles, capsys):
    """The same guarantee for incremental builds, which assemble their tree in the one the last
    build swapped out (hard links shared with out/; slogen.write.sinks): out/ stays the old or
    the new bundle at every kill, and the next build, through whatever the killed one left in
    that tree, completes to the exact bundle."""
    base, specs_b, tree_a, tree_b, _ = bundles
    specs_a = base / "specs-a"
    out = base / "reuse" / "out"
    out.mkdir(parents=True)
    _restore(tree_a, out)
    assert _build(specs_a, out).wait(timeout=300) == 0  # records the cache, makes the previous tree
    assert _tree(out) == tree_a and (out.parent / ".slogen-cache" / "out.previous").is_dir()
    t0 = time.monotonic()
    assert _build(specs_b, out).wait(timeout=300) == 0
    duration = time.monotonic() - t0
    assert _tree(out) == tree_b
    outcomes = {"old": 0, "new": 0}
    # half the kill points over the whole build, half over its last third, where it writes and swaps
    delays = [duration * (i + 0.5) / 6 for i in range(6)] + [duration * (0.7 + 0.4 * (i + 0.5) / 6) for i in range(6)]
    for k, delay in enumerate(delays):
        assert _build(specs_a, out).wait(timeout=300) == 0 and _tree(out) == tree_a, f"back to the old bundle ({k})"
        proc = _build(specs_b, out)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        after = _tree(out)
        assert after in (tree_a, tree_b), f"kill {k} left a mix"
        assert after["runbooks/gen-000/AvailabilityBudgetBurn.md"].endswith(NOTES), f"kill {k} lost the notes"
        outcomes["old" if after == tree_a else "new"] += 1
    assert _build(specs_b, out).wait(timeout=300) == 0 and _tree(out) == tree_b
    assert not any(out.parent.glob(".out.slogen-*"))
    with capsys.disabled():
        print(f"\natomic, reusing the previous tree: 12 kill points over a {duration:.1f}s build: {outcomes}")


def test_two_builds_into_the_same_out_are_serialised(bundles):
    base, specs_b, tree_a, tree_b, _ = bundles
    out = base / "concurrent" / "out"
    out.mkdir(parents=True)
    _restore(tree_a, out)
    procs = [_build(specs_b, out) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read().decode()) for p in procs]
    assert [rc for rc, _ in results] == [0, 0], results
    assert _tree(out) == tree_b
    assert not any(out.parent.glob(".out.slogen-*"))


def test_a_build_that_cannot_get_the_lock_says_so(tmp_path):
    out = tmp_path / "out"
    fd = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another build holds the parent folder
    try:
        with pytest.raises(writer.Busy, match=re.escape(f"another slogen build is writing into {tmp_path}")):
            writer.write_tree(out, {"a.txt": b"x"}, lock_wait=0.2)
        assert not out.exists()
    finally:
        os.close(fd)
    writer.write_tree(out, {"a.txt": b"x"}, lock_wait=0.2)
    assert (out / "a.txt").read_bytes() == b"x"


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_build_that_changes_nothing_still_removes_what_a_killed_build_left(bundles):
    """A build killed after its swap and cache record, while it removed the previous tree, leaves
    that tree in its scratch folder; the next build of the same specs is a cache hit that swaps
    nothing, and must still clean it up (seen in CI as a `.out.slogen-*` folder after a build)."""
    base, specs_b, tree_a, tree_b, _ = bundles
    out = base / "leftover" / "out"
    out.mkdir(parents=True)
    assert _build(specs_b, out).wait(timeout=300) == 0
    built = _tree(out)  # (headers name the specs relative to this folder)
    left = out.parent / f".out.slogen-new-{_dead_pid()}"
    (left / "runbooks").mkdir(parents=True)
    (left / "runbooks" / "README.md").write_bytes(b"the previous tree")
    proc = _build(specs_b, out)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    assert _tree(out) == built
    assert not any(out.parent.glob(".out.slogen-*"))
