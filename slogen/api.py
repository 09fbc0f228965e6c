"""The pipeline, in one place: load → spec → model → targets → writer.

Library callers (the CLI, tests, benchmarks) use `build`, `validate` and `check`; none of them
print. Problems come back as diagnostics; nothing is written when there is an error."""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

from slogen import cache, checks, incremental, load, parallel, sinks, spec, writer
from slogen.checks import lost, silences
from slogen.diagnostics import Diagnostics, relative
from slogen.model import Bundle, build_model
from slogen.model.types import RuleOutput
from slogen.targets import AFTER_RENDER, TARGETS, grafana


@dataclass
class Result:
    diagnostics: Diagnostics
    bundle: Bundle | None = None
    check: writer.CheckResult | None = None
    timings: dict[str, float] = field(default_factory=dict)
    cached: bool = False  # out/ was already what this build makes (slogen.cache)
    file_count: int = 0
    reused: int = 0  # files an incremental build kept as they were in out/ (slogen.incremental)

    @property
    def ok(self) -> bool:
        return not self.diagnostics.has_errors


def parse_files(files: list[tuple[Path, str]], diags: Diagnostics) -> dict[str, list]:
    """Spec files (path, name as reported) → their parsed documents, before linking."""
    by_file: dict[str, list] = {}
    for path, name in files:
        docs = by_file.setdefault(name, [])
        before = len(diags)
        sources = load.load_file(path, name, diags)
        if not sources and len(diags) == before:
            lost.empty_file(name, diags)
        for source in sources:
            docs.extend(spec.parse(source, diags))
    return by_file


def model_of(by_file: dict[str, list], paths: list[Path], diags: Diagnostics, time_scale: float = 1.0,
             dashboards: Path | None = None, partial: bool = False, connection=None) -> Bundle | None:
    """The model of the parsed specs, after every check (slogen.checks) has looked at them, and
    with a `connection` (slogen.live.client.Connection) the online checks too. `partial`: only
    some spec files were parsed (an incremental build), so "no service" means nothing."""
    parsed = spec.link([p for docs in by_file.values() for p in docs], diags)  # cross-document references
    found = silences.collect({p.source.file: p.source.text for p in parsed if p.source.text})
    checks.run(parsed, diags)
    if connection is not None:
        from slogen.checks import live

        live.run(parsed, connection, diags)
    silences.apply(found, diags)
    user_dashboards = grafana.locate(paths, dashboards, diags)
    bundle = None if diags.has_errors else build_model(parsed, diags, time_scale)
    silences.apply(found, diags)  # the model's own checks (alerts/unreachable)
    if not partial:
        lost.no_rules(len(bundle.services) if bundle else -1, sorted(by_file), diags)
    silences.finish(found, diags)
    if bundle is None or diags.has_errors:
        return None
    return replace(bundle, dashboards=user_dashboards)


def load_bundle(paths: list[Path], diags: Diagnostics, time_scale: float = 1.0,
                dashboards: Path | None = None, connection=None) -> Bundle | None:
    files = load.discover(paths, diags)
    if not files and not diags.has_errors:
        diags.error("input/empty", f"no *.yaml or *.yml spec files under {', '.join(map(str, paths))}")
    return model_of(parse_files([(p, relative(p)) for p in files], diags), paths, diags, time_scale, dashboards,
                    connection=connection)


def render_bundle(bundle: Bundle, previous: Mapping[str, bytes], diags: Diagnostics,
                  progress: parallel.Progress | None = None, events: Diagnostics | None = None) -> dict[str, bytes]:
    """Every target rendered to bytes (on two cores for a large fleet: slogen.parallel). Steps that
    compare with the previous out/ (runbook notes of removed alerts) report into `events`: what
    they say is about this change of out/, not about the specs, so it is not replayed from cache."""
    sink = sinks.MemorySink()
    parallel.render(TARGETS, bundle, bundle.services, {}, previous, diags, sink, progress)
    after_render(sink, previous, diags if events is None else events)
    return dict(sorted(sink.files.items()))


def after_render(sink: sinks.Sink, previous: Mapping[str, bytes], events: Diagnostics,
                 kept: Mapping[str, str] | None = None) -> None:
    """The AFTER_RENDER steps over the new bundle: what `sink` holds plus the `kept` files."""
    for _name, step in AFTER_RENDER:
        for path, data in step(writer.Overlay(sink, kept or {}, previous), previous, events).items():
            sink.put(path, data)


def validate(paths: list[Path], time_scale: float = 1.0, dashboards: Path | None = None,
             strict: bool = False, connection=None) -> Result:
    """What `build` checks, without writing: the same checks, and every target rendered (targets
    may find problems only they can see, e.g. a generated expression that does not parse)."""
    diags = Diagnostics()
    bundle = load_bundle(paths, diags, time_scale, dashboards, connection)
    result = Result(diags, bundle)
    if bundle is not None:
        render_bundle(bundle, {}, diags)
    if strict:
        diags.strict()
    return result


@dataclass(frozen=True)
class Job:
    """One `slogen build` (or `--check`): what it reads, where it writes, and how."""
    paths: list[Path]
    out_dir: Path
    check: bool
    time_scale: float
    dashboards: Path | None
    output: RuleOutput | None
    progress: parallel.Progress | None
    inputs: cache.Inputs | None  # the spec files as read for the cache keys (None: --no-cache)
    t0: float
    strict: bool = False  # warnings are errors (--strict): nothing is written
    connection: object = None  # a live Prometheus for the online checks (slogen.checks.live)


def build(paths: list[Path], out_dir: Path, check: bool = False, time_scale: float = 1.0,
          dashboards: Path | None = None, output: RuleOutput | None = None, use_cache: bool = True,
          progress: parallel.Progress | None = None, strict: bool = False, connection=None) -> Result:
    t0 = time.perf_counter()
    use_cache = use_cache and connection is None  # what a live server says is not in any cache key
    if not check:
        writer.clean_dead_scratch(out_dir)
    options = {"time_scale": time_scale, "output": output}
    inputs = cache.read_inputs(paths, options, dashboards) if use_cache else None
    hit = cache.load(out_dir, inputs.key) if inputs else None
    if hit is not None and cache.tree_matches(out_dir, hit.files):  # nothing changed since the last build
        result = Result(Diagnostics(list(hit.warnings)), cached=True, file_count=len(hit.files))
        if strict:
            result.diagnostics.strict()
            if result.diagnostics.has_errors:
                return _timed(Result(result.diagnostics), t0)
        result.check = writer.CheckResult([], [], []) if check else None
        return _timed(result, t0)
    job = Job(paths, out_dir, check, time_scale, dashboards, output, progress, inputs, t0, strict, connection)
    if not check and inputs is not None:  # (--check never uses the unit record, so it stays valid)
        plan = incremental.plan(out_dir, inputs.specs, options, inputs.dashboards)
        if plan.incremental:
            try:
                result = _run(job, plan, plan.parse)  # only the changed spec files
            except writer.Moved:
                result = None
            if result is not None:
                return result
    return _run(job, incremental.Plan({}), None)  # every spec file


def _run(job: Job, plan: incremental.Plan, files: list[tuple[Path, str]] | None) -> Result | None:
    """The pipeline over `files` (None: every spec file under job.paths), reusing what `plan`
    found clean. None when that cannot give what a full build gives (the caller then runs one)."""
    diags = Diagnostics(plan.warnings())
    if files is None:
        found = load.discover(job.paths, diags)
        if not found and not diags.has_errors:
            diags.error("input/empty", f"no *.yaml or *.yml spec files under {', '.join(map(str, job.paths))}")
        files = [(p, relative(p)) for p in found]
    by_file = parse_files(files, diags)
    units = incremental.units_of(by_file)
    if plan.clean and sorted(set(by_file) - set(units)) != sorted(plan.globals):
        return None  # a spec file stopped or started being self-contained (or has errors)
    bundle = model_of(by_file, job.paths, diags, job.time_scale, job.dashboards, partial=bool(plan.clean),
                      connection=job.connection)
    if job.strict:
        diags.strict()
        bundle = None if diags.has_errors else bundle
    del by_file  # the parsed documents and their position maps: ~60 MB per 1,000 services, not needed now
    if plan.clean and bundle is not None and {s.name for s in bundle.services} & plan.clean_services():
        return None  # a service name in two files: let a full build report it
    result = Result(diags, bundle)
    result.timings["model"] = time.perf_counter() - job.t0
    if bundle is None:
        return result
    if job.output is not None:  # how rule files are packaged (--format): a build option, not a spec
        result.bundle = replace(bundle, output=job.output)
    previous = writer.Tree(job.out_dir)
    try:
        sink = sinks.for_build(job.check, job.out_dir, previous)
    except OSError as exc:
        diags.error("output/write", f"cannot write next to {job.out_dir}: {exc.strerror or exc}")
        return result
    try:
        return _render_and_write(job, result, plan, units, previous, sink)
    finally:
        sinks.discard(sink)  # a scratch tree that was not swapped in


def _render_and_write(job: Job, result: Result, plan: incremental.Plan, units: dict[str, list[str]],
                      previous: writer.Tree, sink: sinks.Sink) -> Result:
    diags, bundle, events = result.diagnostics, result.bundle, Diagnostics()
    rendered = parallel.render(TARGETS, bundle, bundle.services, plan.cached_summaries(), previous, diags, sink,
                               job.progress, memo=plan.memo())
    records = plan.kept_files(rendered.kept)
    kept = {p: rec[0] for p, rec in records.items()}   # path → sha256
    keep = {p: rec[1:] for p, rec in records.items()}  # path → identity, checked again at the swap
    after_render(sink, previous, events, kept)
    if job.strict:
        diags.strict()
    replayable = Diagnostics(list(diags.items))
    diags.extend(events)
    result.reused = len(kept.keys() - sink.digests.keys())
    result.file_count = len(sink) + result.reused
    result.timings["render"] = time.perf_counter() - job.t0 - result.timings["model"]
    if diags.has_errors:
        return result
    files = kept | sink.digests
    if job.check:
        result.check = sink.result()
        if not result.check.stale and job.inputs:
            cache.store(job.out_dir, job.inputs.key, files, replayable)
        return _timed(result, job.t0)
    try:
        sink.commit(keep)
    except writer.Busy as exc:
        diags.error("output/busy", str(exc), hint="wait for the other build, or build into another folder")
    except OSError as exc:
        diags.error("output/write", f"cannot write {job.out_dir}: {exc.strerror or exc}")
    if job.inputs and not diags.has_errors:
        cache.store(job.out_dir, job.inputs.key, files, replayable)
        known = {p: ident for p, ident in keep.items() if p not in sink.digests}
        _record_units(job, plan, units, replayable, rendered, sink.digests, kept, known)
    return _timed(result, job.t0)


def _record_units(job: Job, plan: incremental.Plan, units: dict[str, list[str]], replayable: Diagnostics,
                  rendered: parallel.Rendered, digests: dict[str, str], kept: dict[str, str],
                  known: dict[str, list[int]]) -> None:
    """What the next build needs to redo only what changed (slogen.incremental)."""
    all_units = {name: u.services for name, u in plan.clean.items()} | units
    service_unit = {s: name for name, services in all_units.items() for s in services}
    unit_files: dict[str, dict[str, str]] = {name: {p: rec[0] for p, rec in u.files.items()}
                                             for name, u in plan.clean.items()}
    for path, service in rendered.owners.items():
        unit = service_unit.get(service)
        if unit is not None and path in digests:
            unit_files.setdefault(unit, {})[path] = digests[path]
    shared = {target: (digest, {p: digests.get(p) or kept[p] for p in paths})
              for target, (digest, paths) in rendered.shared.items()}
    incremental.store(job.out_dir, job.inputs.options, job.inputs.dashboards, incremental.Plan.of(job.inputs.specs),
                      all_units, replayable.items, plan.cached_summaries() | rendered.summaries, unit_files, shared,
                      known)


def _timed(result: Result, t0: float) -> Result:
    result.timings["total"] = time.perf_counter() - t0
    return result


def convert(paths: list[Path]) -> tuple[Diagnostics, str | None]:
    """Native `slogen/v1` YAML for Sloth / OpenSLO files (see slogen.formats.convert)."""
    from slogen.formats.convert import convert as _convert

    diags = Diagnostics()
    return diags, _convert(paths, diags)
