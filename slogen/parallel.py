"""Render the targets over a pool of N processes (default: the cores available).

Every target has a per-service half and a bundle-wide half (see slogen.targets). The services are
cut into chunks (at most CHUNK services: one jsonnet evaluation each); forked workers render the
per-service files and summaries of a chunk each, then this process renders the bundle-wide files
from every summary. Fork, not spawn: workers inherit the model and the previous out/ tree without
pickling them. The files go straight into the sink (slogen.write.sinks; with a DiskSink every
worker writes into the scratch tree); only summaries and digests come back. Below THRESHOLD
services a pool costs more than it saves. Output is the same for any N: each file is rendered by
the same code from the same service, and results are merged in chunk order (tests/scale)."""
from __future__ import annotations

import contextlib
import gc
import hashlib
import multiprocessing
import os
import pickle
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import orjson

from slogen.write.render import render as render_file
from slogen.write.sinks import Sink
from slogen.diagnostics import Diagnostics, TargetError

THRESHOLD = 50  # services
CHUNK = 100  # services rendered together (one jsonnet evaluation each, ~30 ms)
SPREAD = 8  # chunks at least, for a pool of up to that many processes

Progress = Callable[[int, int, str], None]


@dataclass
class Rendered:
    """What a render produced besides the files themselves (those went into the sink)."""
    owners: dict[str, str] = field(default_factory=dict)              # path → service, per-service files
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)  # service → target name → summary
    shared: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # target → (summaries digest, files)
    kept: list[str] = field(default_factory=list)  # bundle-wide files kept from the previous build (memo)

    def update(self, other: "Rendered") -> None:
        self.owners.update(other.owners)
        self.summaries.update(other.summaries)


def _guarded(diags: Diagnostics, call, *args):
    try:
        return call(*args)
    except TargetError as exc:
        if not any(d.code == exc.code and d.message == exc.message for d in diags.items):  # once, not per chunk
            diags.error(exc.code, exc.message, hint=exc.hint)
        return None


def render_services(targets, bundle, services: Sequence, previous: Mapping[str, bytes], diags: Diagnostics,
                    sink: Sink) -> Rendered:
    """The per-service files and the summaries of `services`, CHUNK services at a time: a target's
    documents (and the jsonnet output) for a whole fleet at once would double the peak memory."""
    out = Rendered(summaries={s.name: {} for s in services})
    for target in targets:
        for start in range(0, len(services), CHUNK):
            for f in _guarded(diags, target.service_files, bundle, services[start:start + CHUNK]) or []:
                sink.put(f.path, render_file(f, previous.get(f.path)))
                out.owners[f.path] = f.service
        if target.summary is not None:
            for s in services:
                out.summaries[s.name][target.name] = canonical(_guarded(diags, target.summary, s, bundle))
    return out


def canonical(summary: Any) -> Any:
    """A summary as the build record stores it (keys sorted, tuples as lists): the bundle-wide
    files are rendered from the same data whether a summary was just made or read back."""
    return orjson.loads(orjson.dumps(summary, option=orjson.OPT_SORT_KEYS))


def summaries_digest(of_target: Mapping[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(of_target, option=orjson.OPT_SORT_KEYS)).hexdigest()


def render_shared(targets, bundle, summaries: Mapping[str, dict[str, Any]], previous: Mapping[str, bytes],
                  diags: Diagnostics, sink: Sink, out: Rendered,
                  memo: Mapping[str, tuple[str, list[str]]] | None = None) -> None:
    """The bundle-wide files, from the summaries of every service (any order: sorted here), into
    `out`. A target's bundle-wide files depend on nothing but the bundle settings and its
    summaries, so where `memo` (target → (digest of its summaries, its files) of the previous
    build, settings unchanged) still matches, its files are kept as they are instead."""
    names = sorted(summaries)
    for target in targets:
        of_target = {n: summaries[n].get(target.name) for n in names} if target.summary else {}
        digest = summaries_digest(of_target)
        if memo and target.name in memo and memo[target.name][0] == digest:
            out.shared[target.name] = memo[target.name]
            out.kept.extend(memo[target.name][1])
            continue
        files = _guarded(diags, target.shared_files, bundle, of_target) or []
        for f in files:
            sink.put(f.path, render_file(f, previous.get(f.path)))
        out.shared[target.name] = (digest, [f.path for f in files])


def processes(requested: int | None = None) -> int:
    """How many processes render: `requested` (`slogen build --jobs N`), else $SLOGEN_JOBS, else
    the cores this process may run on."""
    if requested is None and os.environ.get("SLOGEN_JOBS", "").strip():
        requested = int(os.environ["SLOGEN_JOBS"])
    if requested is None:
        requested = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, requested)


def chunks(n: int) -> list[tuple[int, int]]:
    """[start, end) of the services each task renders: one chunk below THRESHOLD services, else
    at most CHUNK and at least SPREAD chunks so that every process gets work. The same for any
    number of processes, so diagnostics come out in the same order."""
    size = max(1, n if n < THRESHOLD else min(CHUNK, -(-n // SPREAD)))
    return [(start, min(start + size, n)) for start in range(0, n, size)]


def _die_with(parent: int) -> None:
    """A worker renders into its parent's scratch tree: if the parent is killed, the worker must
    not keep writing there (the next build removes that tree, and a late write would leave a piece
    of it behind). Linux only; elsewhere the pool's shutdown is what remains."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1


# What the workers render from: set before the pool forks them, so they inherit it instead of
# receiving a pickled copy of the model and the previous out/ tree.
_work: tuple | None = None


def _task(start: int, end: int):
    targets, bundle, services, previous, sink = _work
    try:
        diags = Diagnostics()
        out = render_services(targets, bundle, services[start:end], previous, diags, sink)
        return "ok", (out, sink.export()), diags.items
    except BaseException as exc:  # the parent renders these services again and reports properly
        return "failed", repr(exc), []


def render(targets, bundle, services: Sequence, cached: Mapping[str, dict[str, Any]],
           previous: Mapping[str, bytes], diags: Diagnostics, sink: Sink, progress: Progress | None = None,
           memo: Mapping[str, tuple[str, list[str]]] | None = None, jobs: int | None = None) -> Rendered:
    """Per-service files of `services`, then the bundle-wide files from their summaries and the
    `cached` summaries of services not rendered this time (slogen.write.record; `memo`: see
    render_shared). `jobs` processes render (see `processes`); the bytes are the same for any."""
    services = sorted(services, key=lambda s: s.name)
    parts = chunks(len(services))
    jobs = max(1, min(processes(jobs), len(parts)))
    if "fork" not in multiprocessing.get_all_start_methods():
        jobs = 1
    total = len(parts) + 1

    def step(done: int, name: str) -> None:
        if progress:
            progress(done, total, name)

    out = Rendered()
    if jobs == 1:
        for i, (start, end) in enumerate(parts):
            out.update(render_services(targets, bundle, services[start:end], previous, diags, sink))
            step(i + 1, "services")
    else:
        _render_pool(targets, bundle, services, parts, previous, diags, sink, out, jobs, step)
    render_shared(targets, bundle, {**cached, **out.summaries}, previous, diags, sink, out, memo)
    step(total, "bundle")
    return out


@contextlib.contextmanager
def _frozen():
    """Forked workers inherit the parent's objects (the model, the previous tree): frozen, the
    workers' collector never walks them (nor touches their pages, which stay shared). Unfrozen
    afterwards, so a long-lived caller (tests, a library user) does not keep garbage for ever."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


ASIDE_FROM = 200  # documents: below, checking them in a child costs more (the fork) than it saves


@contextlib.contextmanager
def aside(fn: Callable[..., Any], *args: Any, when: bool = True):
    """`fn(*args)` in a forked child while this process goes on with the `with` body, which is
    given a function that waits for the child and returns its result (pickled back through a
    pipe) or raises its exception. In this process, at once, when `when` is false or there is no
    fork. The collector stays frozen meanwhile, as for the pools (`_frozen`)."""
    if not when or "fork" not in multiprocessing.get_all_start_methods():
        try:
            done: tuple[bool, Any] = (True, fn(*args))
        except Exception as exc:  # raised where the result is asked for, as from a child
            done = (False, exc)
        yield lambda: _outcome(done)
        return
    with _frozen():
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: run, send the outcome, leave without the parent's exit handlers
            try:
                os.close(read_end)
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(_pickled(fn, args))
            finally:
                os._exit(0)
        os.close(write_end)
        waited: list[tuple[bool, Any]] = []

        def wait() -> None:
            if not waited:
                with os.fdopen(read_end, "rb") as pipe:
                    data = pipe.read()
                os.waitpid(pid, 0)
                waited.append(pickle.loads(data) if data else
                              (False, RuntimeError(f"the process running {fn.__qualname__} died")))
        try:
            yield lambda: (wait(), _outcome(waited[0]))[1]
        finally:
            wait()  # never leave the child behind


def _pickled(fn: Callable[..., Any], args: tuple) -> bytes:
    try:
        return pickle.dumps((True, fn(*args)), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:  # noqa: BLE001 (the parent raises it)
        try:
            return pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            return pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


def _outcome(done: tuple[bool, Any]) -> Any:
    ok, value = done
    if ok:
        return value
    raise value


def _parse_task(parse_files, files: list) -> tuple[dict[str, list], list]:
    diags = Diagnostics()
    return parse_files(files, diags), diags.items


def parse(parse_files: Callable[[list, Diagnostics], dict[str, list]], files: list, diags: Diagnostics,
          jobs: int | None = None) -> dict[str, list]:
    """`parse_files` (api.parse_files) over a pool: each worker reads and parses a chunk of spec
    files (YAML with positions, then the spec types) and sends the documents back (pickled: about
    a third of the cost of parsing them). Results and diagnostics are merged in file order, as
    one process makes them."""
    parts = chunks(len(files))
    jobs = max(1, min(processes(jobs), len(parts)))
    if jobs == 1 or "fork" not in multiprocessing.get_all_start_methods():
        return parse_files(files, diags)
    by_file: dict[str, list] = {}
    with _frozen(), ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                                        initializer=_die_with, initargs=(os.getpid(),)) as pool:
        for parsed, items in pool.map(_parse_task, [parse_files] * len(parts),
                                      [files[start:end] for start, end in parts]):
            by_file.update(parsed)
            diags.items.extend(items)
    return by_file


def _render_pool(targets, bundle, services, parts, previous, diags: Diagnostics, sink: Sink, out: Rendered,
                 jobs: int, step) -> None:
    """Each task renders one chunk of services in a forked worker; results are merged in chunk
    order, so diagnostics come out in the same order for any number of processes."""
    global _work
    _work = (targets, bundle, services, previous, sink)
    results: list = [None] * len(parts)
    try:
        with _frozen(), ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                                            initializer=_die_with, initargs=(os.getpid(),)) as pool:
            futures = {pool.submit(_task, start, end): i for i, (start, end) in enumerate(parts)}
            for done, future in enumerate(as_completed(futures), 1):
                try:
                    results[futures[future]] = future.result()
                except BrokenProcessPool:  # a worker died (killed, out of memory): its chunks are done here
                    pass
                step(done, "services")
    finally:
        _work = None
    for (start, end), result in zip(parts, results):
        if result is not None and result[0] == "ok":
            rendered, exported = result[1]
            out.update(rendered)
            sink.absorb(exported)
            diags.items.extend(d for d in result[2] if d not in diags.items)  # a target error is met by every chunk
        else:
            out.update(render_services(targets, bundle, services[start:end], previous, diags, sink))
