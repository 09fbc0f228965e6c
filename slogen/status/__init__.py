"""`slogen status`: where every SLO of the specs stands now, read from a live Prometheus.

    specs → model → catalogue (what to ask, filtered) → queries (batched) → report → a format

Nothing is written to Prometheus; between runs only the checked model of the specs is kept
(slogen.status.model_cache)."""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ContextManager

from slogen import conventions as C
from slogen.diagnostics import Diagnostics
from slogen.live.client import Connection, Prometheus, PrometheusError
from slogen.live.options import report as report_error
from slogen.status.catalogue import Filters, catalogue
from slogen.status.queries import collect
from slogen.status.report import Report, assemble

FORMATS = ("table", "markdown", "json", "html")


@dataclass
class Outcome:
    diagnostics: Diagnostics
    report: Report | None = None
    unreachable: bool = False  # the specs were fine; Prometheus could not be read


def run(paths: list[Path], connection: Connection, at: float | None = None, filters: Filters = Filters(),
        plots: bool = False, time_scale: float = 1.0, use_cache: bool = True) -> Outcome:
    diags = Diagnostics()
    when = float(int(time.time())) if at is None else at
    with contextlib.ExitStack() as finally_:  # waits for the writing of the kept model (load)
        prometheus = _early(connection, filters, time_scale, when, plots, finally_)
        bundle = load(paths, diags, time_scale, use_cache, finally_.enter_context)
        if bundle is None or diags.has_errors:
            return Outcome(diags)
        cat = catalogue(bundle, filters)
        if not cat.slos and not cat.thresholds:
            diags.error("status/no-match", "no SLO or threshold alert of the specs matches the filters",
                        hint="check --service, --team and --label against the specs")
            return Outcome(diags)
        try:
            prometheus = prometheus or Prometheus(connection)
            readings = collect(prometheus, cat, when, plots)
        except PrometheusError as exc:
            report_error(exc, diags)
            return Outcome(diags, unreachable=True)
        return Outcome(diags, assemble(cat, readings, when, connection.base, prometheus.warnings))


def _early(connection: Connection, filters: Filters, time_scale: float, when: float, plots: bool,
           finally_: contextlib.ExitStack):
    """A Prometheus already asked the fleet-wide queries (slogen.status.prefetch), answered while the
    specs load: only for a whole bundle (filters change the queries' text), and not if the connection
    is wrong (that is reported after the specs, as without this)."""
    if filters.active:
        return None
    from slogen.status.prefetch import prefetch

    try:
        early = prefetch(Prometheus(connection), time_scale, when, plots)
    except PrometheusError:
        return None
    finally_.callback(early.close)
    return early


def load(paths: list[Path], diags: Diagnostics, time_scale: float = 1.0, use_cache: bool = True,
         defer: Callable[[ContextManager], object] | None = None):
    """The model of the specs, every check included: from the cache of an earlier run on the same
    bytes (slogen.status.model_cache), else loaded and then kept there; with `defer`, by a child
    process while the caller goes on (the queries; slogen.parallel.aside, pickling the model takes
    ~0.2 s at 1,000 services): `defer` enters the context that waits for it."""
    from slogen import api, parallel
    from slogen.status import model_cache

    files, folder = api.find_inputs(paths, None, diags)
    if diags.has_errors or not use_cache:
        return api.load_files(files, folder, diags, time_scale)
    try:
        digest = model_cache.key(files, time_scale, folder)
    except OSError:  # a spec file unreadable: the load reports it
        return api.load_files(files, folder, diags, time_scale)
    hit = model_cache.read(digest)
    if hit is not None:
        bundle, items = hit
        diags.items.extend(items)
        return bundle
    before = len(diags.items)
    bundle = api.load_files(files, folder, diags, time_scale)
    if bundle is not None and not diags.has_errors:
        if defer is None:
            model_cache.write(digest, bundle, diags.items[before:])
        else:
            defer(parallel.aside(model_cache.write, digest, bundle, diags.items[before:]))
    return bundle


def render(report: Report, fmt: str) -> str:
    from slogen.status import render_html, render_json, render_markdown, render_table

    return {"table": render_table, "markdown": render_markdown, "json": render_json,
            "html": render_html}[fmt].render(report)


FAIL_WHEN = {
    "budget-exhausted": lambda r: any(s.state == "exhausted" for s in r.slos),
    "firing": lambda r: bool(r.firing),
    "paging": lambda r: any(f.severity in C.PAGING_SEVERITIES for f in r.firing),
    "not-deployed": lambda r: any(s.state == "not-deployed" for s in r.slos),
    "no-data": lambda r: any(s.state in ("no-data", "not-deployed") for s in r.slos),
}


def failed(report: Report, conditions: list[str]) -> list[str]:
    """The --fail-when conditions that hold."""
    return [c for c in conditions if FAIL_WHEN[c](report)]
