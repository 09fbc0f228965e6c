"""Render the targets, on two cores for large bundles.

Every target has a per-service half and a bundle-wide half (see slogen.targets). The per-service
half is split by services: for a big fleet a forked child renders the files and summaries of one
half of the services while this process renders the other half; then this process renders the
bundle-wide files from every summary. Fork, not spawn: the child inherits the model and the
previous out/ tree without pickling them. The files go straight into the sink (slogen.sinks;
with a DiskSink both processes write into the scratch tree); only summaries and digests come
back through a pipe. Below THRESHOLD services the ~20 ms of fork and the pipe cost more than they
save, and with one core there is nothing to gain. Output is the same either way: each file is
rendered by the same code."""
from __future__ import annotations

import hashlib
import multiprocessing
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import orjson

from slogen import writer
from slogen.sinks import Sink
from slogen.diagnostics import Diagnostics, TargetError

THRESHOLD = 50  # services
CHUNK = 100  # services rendered together (one jsonnet evaluation each, ~30 ms)

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
                    sink: Sink, step: Callable[[str], None] = lambda _name: None) -> Rendered:
    """The per-service files and the summaries of `services`, CHUNK services at a time: a target's
    documents (and the jsonnet output) for a whole fleet at once would double the peak memory."""
    out = Rendered(summaries={s.name: {} for s in services})
    for target in targets:
        for start in range(0, len(services), CHUNK):
            for f in _guarded(diags, target.service_files, bundle, services[start:start + CHUNK]) or []:
                sink.put(f.path, writer.render(f, previous.get(f.path)))
                out.owners[f.path] = f.service
        if target.summary is not None:
            for s in services:
                out.summaries[s.name][target.name] = _guarded(diags, target.summary, s, bundle)
        step(target.name)
    return out


def summaries_digest(of_target: Mapping[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(of_target)).hexdigest()


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
            sink.put(f.path, writer.render(f, previous.get(f.path)))
        out.shared[target.name] = (digest, [f.path for f in files])


def _die_with(parent: int) -> None:
    """A child renders into its parent's scratch tree: if the parent is killed, the child must not
    keep writing there (the next build removes that tree, and a late write would leave a piece of
    it behind). Linux only; elsewhere the parent's timeout and kill below are what remain."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _child(conn, parent: int, targets, bundle, services, previous, sink: Sink) -> None:
    _die_with(parent)
    try:
        diags = Diagnostics()
        out = render_services(targets, bundle, services, previous, diags, sink)
        conn.send(("ok", (out, sink.export()), diags.items))
    except BaseException as exc:  # the parent renders these services again and reports properly
        conn.send(("failed", repr(exc), []))
    finally:
        conn.close()


def use_child(services: Sequence) -> bool:
    return (len(services) >= THRESHOLD and (os.cpu_count() or 1) >= 2
            and "fork" in multiprocessing.get_all_start_methods() and not os.environ.get("SLOGEN_NO_FORK"))


def render(targets, bundle, services: Sequence, cached: Mapping[str, dict[str, Any]],
           previous: Mapping[str, bytes], diags: Diagnostics, sink: Sink, progress: Progress | None = None,
           memo: Mapping[str, tuple[str, list[str]]] | None = None) -> Rendered:
    """Per-service files of `services`, then the bundle-wide files from their summaries and the
    `cached` summaries of services not rendered this time (slogen.incremental; `memo`: see
    render_shared)."""
    total, done = len(targets) + 1, [0]

    def step(name: str) -> None:
        done[0] += 1
        if progress:
            progress(done[0], total, name)

    services = sorted(services, key=lambda s: s.name)
    if not use_child(services):
        out = render_services(targets, bundle, services, previous, diags, sink, step)
    else:
        half = len(services) // 2
        out = _render_forked(targets, bundle, services[:half], services[half:], previous, diags, sink, step)
    render_shared(targets, bundle, {**cached, **out.summaries}, previous, diags, sink, out, memo)
    step("bundle")
    return out


def _render_forked(targets, bundle, theirs, mine, previous, diags: Diagnostics, sink: Sink, step) -> Rendered:
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, os.getpid(), targets, bundle, theirs, previous, sink), daemon=True)
    child.start()
    send.close()
    try:
        out = render_services(targets, bundle, mine, previous, diags, sink, step)
        try:
            status, payload, items = receive.recv()
        except EOFError:  # the child died (killed, out of memory): do its share here
            status, payload, items = "failed", "no answer", []
    finally:
        receive.close()
        child.join(timeout=10)
        if child.is_alive():
            child.kill()
            child.join()
    if status == "ok":
        out.update(payload[0])
        sink.absorb(payload[1])
        diags.items.extend(d for d in items if d not in diags.items)  # a target error is met by both halves
    else:
        out.update(render_services(targets, bundle, theirs, previous, diags, sink))
    return out
