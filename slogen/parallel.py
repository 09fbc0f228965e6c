"""Run the targets on two cores for large bundles.

The targets are independent pure functions of the model, so for a big fleet a forked child runs
some of them (and renders their files) while this process runs the rest. Fork, not spawn: the
child inherits the model and the previous out/ tree without pickling them; only the rendered
bytes come back through a pipe. Below THRESHOLD services the ~20 ms of fork and the pipe cost
more than they save, and with one core there is nothing to gain. Output is the same either way:
each file is rendered by the same code, and the caller sorts the result.

The split is by measured cost (benchmarks/fleet.py profile of a 1,000-service fleet): grafana
(jsonnet plus JSON) and runbooks in the child, the Prometheus, Alertmanager and schema targets
here; roughly half each."""
from __future__ import annotations

import multiprocessing
import os
from typing import Callable

from slogen import writer
from slogen.diagnostics import Diagnostics, TargetError

THRESHOLD = 50  # services
CHILD = frozenset({"grafana", "runbooks"})

Progress = Callable[[int, int, str], None]


def _run(targets, bundle, previous, diags: Diagnostics, rendered: dict[str, bytes], step) -> None:
    for name, target in targets:
        try:
            produced = target(bundle)
        except TargetError as exc:
            diags.error(exc.code, exc.message, hint=exc.hint)
        else:
            for f in produced:
                rendered[f.path] = writer.render(f, previous.get(f.path))
        step(name)


def _child(conn, targets, bundle, previous) -> None:
    try:
        diags, rendered = Diagnostics(), {}
        _run(targets, bundle, previous, diags, rendered, lambda _name: None)
        conn.send(("ok", rendered, diags.items))
    except BaseException as exc:  # the parent runs these targets again and reports properly
        conn.send(("failed", repr(exc), []))
    finally:
        conn.close()


def use_child(bundle) -> bool:
    return (len(bundle.services) >= THRESHOLD and (os.cpu_count() or 1) >= 2
            and "fork" in multiprocessing.get_all_start_methods() and not os.environ.get("SLOGEN_NO_FORK"))


def render_targets(targets, bundle, previous: dict[str, bytes], diags: Diagnostics,
                   progress: Progress | None = None) -> dict[str, bytes]:
    total, done = len(targets), [0]

    def step(name: str) -> None:
        done[0] += 1
        if progress:
            progress(done[0], total, name)

    rendered: dict[str, bytes] = {}
    if not use_child(bundle):
        _run(targets, bundle, previous, diags, rendered, step)
        return rendered
    mine = [t for t in targets if t[0] not in CHILD]
    theirs = [t for t in targets if t[0] in CHILD]
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, theirs, bundle, previous), daemon=True)
    child.start()
    send.close()
    try:
        _run(mine, bundle, previous, diags, rendered, step)
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
        rendered.update(payload)
        diags.items.extend(items)
        for name, _t in theirs:
            step(name)
    else:
        _run(theirs, bundle, previous, diags, rendered, step)
    return rendered
