"""The pipeline, in one place: load → spec → model → targets → write.

Library callers (the CLI, tests, benchmarks) use `build`, `validate` and `check`; none of them
print. Problems come back as diagnostics; nothing is written when there is an error."""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from slogen import checks, load, parallel, spec, write
from slogen.checks import lost, silences
from slogen.spec.service import ServiceSpec
from slogen.write import record, sinks
from slogen.diagnostics import Diagnostics, relative
from slogen.model import Bundle, build_model
from slogen.model.types import RuleOutput
from slogen.targets import AFTER_RENDER, TARGETS


@dataclass
class Result:
    diagnostics: Diagnostics
    bundle: Bundle | None = None
    check: write.CheckResult | None = None
    timings: dict[str, float] = field(default_factory=dict)
    cached: bool = False  # out/ was already what this build makes (slogen.write.record)
    file_count: int = 0
    reused: int = 0  # files an incremental build kept as they were in out/ (slogen.write.record)

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


def model_of(by_file: dict[str, list], diags: Diagnostics, time_scale: float = 1.0,
             user_dashboards: str | None = None, partial: bool = False, connection=None,
             output: RuleOutput | None = None) -> Bundle | None:
    """The model of the parsed specs, after every check (slogen.checks) has looked at them, and
    with a `connection` (slogen.live.client.Connection) the online checks too. `partial`: only
    some spec files were parsed (an incremental build), so "no service" means nothing.
    `user_dashboards`: the team's dashboards folder (slogen.load.dashboards_folder); `output`: how
    rule files are packaged (`--format`)."""
    parsed = spec.link([p for docs in by_file.values() for p in docs], diags)  # cross-document references
    found = silences.collect({p.source.file: p.source.text for p in parsed if p.source.text})
    # A large bundle is checked in a child process while the model is built here; the model is
    # kept only if the checks (and the online ones) find no error, as if it were built after them.
    ahead = not diags.has_errors and len(parsed) >= parallel.ASIDE_FROM and parallel.processes() > 1
    modelled = Diagnostics()
    with parallel.aside(_checked, parsed, when=ahead) as checked:
        if ahead:
            bundle, failure = _built(parsed, modelled, time_scale, output, user_dashboards)
        diags.items.extend(checked())
    if connection is not None:
        from slogen.checks import live

        live.run(parsed, connection, diags)
    silences.apply(found, diags)
    if diags.has_errors:
        bundle = None
    elif ahead:
        if failure is not None:
            raise failure
        diags.items.extend(modelled.items)
    else:
        bundle = build_model(parsed, diags, time_scale, output, user_dashboards)
    silences.apply(found, diags)  # the model's own checks (alerts/unreachable)
    if not partial:
        lost.no_rules(len(bundle.services) if bundle else -1, sorted(by_file), diags)
    silences.finish(found, diags)
    return None if diags.has_errors else bundle


def _checked(parsed: list) -> list:
    """The diagnostics of every check over `parsed` (slogen.checks)."""
    diags = Diagnostics()
    checks.run(parsed, diags)
    return diags.items


def _built(parsed: list, diags: Diagnostics, *options) -> tuple[Bundle | None, Exception | None]:
    """build_model before the checks have passed: a failure matters only if they do pass."""
    try:
        return build_model(parsed, diags, *options), None
    except Exception as exc:
        return None, exc


def find_inputs(paths: list[Path], dashboards: Path | None, diags: Diagnostics) -> tuple[list[Path], str | None]:
    """The spec files and the team's dashboards folder: found once per build."""
    files = load.discover(paths, diags)
    if not files and not diags.has_errors:
        diags.error("input/empty", f"no *.yaml or *.yml spec files under {', '.join(map(str, paths))}")
    return files, load.dashboards_folder(paths, dashboards, diags)


def load_bundle(paths: list[Path], diags: Diagnostics, time_scale: float = 1.0,
                dashboards: Path | None = None, connection=None) -> Bundle | None:
    files, folder = find_inputs(paths, dashboards, diags)
    return load_files(files, folder, diags, time_scale, connection)


def load_files(files: list[Path], folder: str | None, diags: Diagnostics, time_scale: float = 1.0,
               connection=None) -> Bundle | None:
    """The model of the spec files `find_inputs` found, every check included. The files are parsed
    over the build's pool (slogen.parallel.parse); the model is built here. At 1,000 specs on a
    quiet 2-core machine that is 3.8 s instead of 4.1-4.4 s in one process, although the parsed
    documents are pickled back (docs/performance.md)."""
    return model_of(parallel.parse(parse_files, [(p, relative(p)) for p in files], diags), diags, time_scale,
                    folder, connection=connection)


def render_bundle(bundle: Bundle, previous: Mapping[str, bytes], diags: Diagnostics,
                  progress: parallel.Progress | None = None, events: Diagnostics | None = None) -> dict[str, bytes]:
    """Every target rendered to bytes (over a pool of processes for a large fleet: slogen.parallel). Steps that
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
        for path, data in step(write.Overlay(sink, kept or {}, previous), previous, events).items():
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
    files: list[Path]  # the spec files
    found: Diagnostics  # what finding them reported
    out_dir: Path
    check: bool
    time_scale: float
    dashboards: str | None  # the team's dashboards folder
    output: RuleOutput | None
    progress: parallel.Progress | None
    jobs: int | None  # rendering processes (None: slogen.parallel.processes)
    inputs: record.Inputs | None  # the spec files, options and dashboards as the build record keys them
    use_cache: bool  # False: neither read nor write the local stat cache (slogen.write.record)
    t0: float
    strict: bool = False  # warnings are errors (--strict): nothing is written
    connection: object = None  # a live Prometheus for the online checks (slogen.checks.live)


def build(paths: list[Path], out_dir: Path, check: bool = False, time_scale: float = 1.0,
          dashboards: Path | None = None, output: RuleOutput | None = None, use_cache: bool = True,
          progress: parallel.Progress | None = None, jobs: int | None = None, strict: bool = False,
          connection=None) -> Result:
    """Build (or `check`) out_dir from the specs under `paths`, redoing only what changed since the
    build recorded in out_dir (slogen.write.record); `use_cache=False` renders everything."""
    t0 = time.perf_counter()
    use_cache = use_cache and connection is None  # what a live server says is not in any record
    if not check:
        write.clean_dead_scratch(out_dir)
    found = Diagnostics()
    files, folder = find_inputs(paths, dashboards, found)
    options = {"time_scale": time_scale, "output": output or RuleOutput()}  # None: the default packaging
    inputs = None if found.has_errors else record.read_inputs(files, options, folder)
    job = Job(files, found, out_dir, check, time_scale, folder, output, progress, jobs, inputs, use_cache, t0, strict,
              connection)
    plan = record.plan(out_dir, inputs) if use_cache else None
    if plan is not None and plan.unchanged:  # nothing changed since the last build
        result = Result(Diagnostics(plan.all_warnings()), cached=True, file_count=plan.file_count() + 1)
        if strict:
            result.diagnostics.strict()
            if result.diagnostics.has_errors:
                return _timed(Result(result.diagnostics), t0)
        result.check = write.CheckResult([], [], []) if check else None
        if plan.hashed:
            record.remember(out_dir, plan.manifest_bytes, plan.stats)
        previous_tree = record.previous_tree(out_dir)
        if not check and not previous_tree.exists():  # e.g. a fresh checkout: ready the next edit
            sinks.prepare_previous(out_dir, previous_tree, sorted(plan.stats))
        return _timed(result, t0)
    if plan is not None and plan.clean:
        try:
            result = _run(job, plan)  # only the changed spec files
        except write.Moved:
            result = None
        if result is not None:
            return result
    return _run(job, None)  # every spec file


def _run(job: Job, plan: record.Plan | None) -> Result | None:
    """The pipeline over the spec files `plan` did not find clean (every one without a plan).
    None when that cannot give what a full build gives (the caller then runs one)."""
    diags = Diagnostics(job.found.items + (plan.warnings() if plan else []))
    by_file = parallel.parse(parse_files, plan.parse if plan else [(p, relative(p)) for p in job.files], diags,
                             job.jobs)
    units = record.units_of(by_file, ServiceSpec)
    if plan and sorted(set(by_file) - set(units)) != sorted(plan.globals):
        return None  # a spec file stopped or started being self-contained (or has errors)
    bundle = model_of(by_file, diags, job.time_scale, job.dashboards, partial=bool(plan and plan.clean),
                      connection=job.connection, output=job.output)
    if job.strict:
        diags.strict()
        bundle = None if diags.has_errors else bundle
    del by_file  # the parsed documents and their position maps: ~60 MB per 1,000 services, not needed now
    if plan and bundle is not None and {s.name for s in bundle.services} & plan.clean_services():
        return None  # a service name in two files: let a full build report it
    result = Result(diags, bundle)
    result.timings["model"] = time.perf_counter() - job.t0
    if bundle is None:
        return result
    previous = write.Tree(job.out_dir, plan.stats if plan else None)  # the plan has just listed out/
    try:
        sink = sinks.for_build(job.check, job.out_dir, previous,
                               reuse=record.previous_tree(job.out_dir) if job.use_cache else None)
    except OSError as exc:
        diags.error("output/write", f"cannot write next to {job.out_dir}: {exc.strerror or exc}")
        return result
    try:
        # the tree a build reuses is surveyed beside the render, in a child (~0.07 s at 1,000 services)
        with (parallel.aside(write.survey, sink.root) if getattr(sink, "reused", False)
              else contextlib.nullcontext(lambda: None)) as surveyed:
            return _render_and_write(job, result, plan, units, previous, sink, surveyed)
    finally:
        sinks.discard(sink)  # a scratch tree that was not swapped in


def _render_and_write(job: Job, result: Result, plan: record.Plan | None, units: dict[str, list[str]],
                      previous: write.Tree, sink: sinks.Sink, surveyed: Callable[[], Any]) -> Result:
    diags, bundle, events = result.diagnostics, result.bundle, Diagnostics()
    cached = plan.cached_summaries() if plan else {}
    rendered = parallel.render(TARGETS, bundle, bundle.services, cached, previous, diags, sink,
                               job.progress, memo=plan.memo() if plan else None, jobs=job.jobs)
    keep = plan.kept_files(rendered.kept) if plan else {}  # path → identity, checked again at the swap
    after_render(sink, previous, events, keep)
    if job.strict:
        diags.strict()
    replayable = list(diags.items)
    diags.extend(events)
    result.reused = len(keep.keys() - sink.digests.keys())
    result.timings["render"] = time.perf_counter() - job.t0 - result.timings["model"]
    if diags.has_errors or job.inputs is None:
        return result
    clean = plan.clean if plan else {}
    manifest = record.manifest(job.inputs, {name: u["services"] for name, u in clean.items()} | units,
                               {p: s for name, u in clean.items() for p in u["files"] for s in u["services"][:1]}
                               | rendered.owners,
                               {p: plan.digests[p] for p in keep} | sink.digests,
                               cached | rendered.summaries, rendered.shared, replayable)
    sink.put(record.MANIFEST, manifest)
    result.file_count = len(sink) + result.reused
    if job.check:
        removed = sorted(p for p in previous if p not in sink.digests and p not in keep)
        result.check = write.CheckResult(sorted(sink.changed), sorted(sink.added), removed)
        if not result.check.stale and job.use_cache:
            record.remember(job.out_dir, manifest)
        return _timed(result, job.t0)
    try:
        identities = sink.commit(keep, surveyed=surveyed())
    except write.Busy as exc:
        diags.error("output/busy", str(exc), hint="wait for the other build, or build into another folder")
    except OSError as exc:
        diags.error("output/write", f"cannot write {job.out_dir}: {exc.strerror or exc}")
    if not diags.has_errors and job.use_cache:
        record.remember(job.out_dir, manifest, identities)
    return _timed(result, job.t0)


def _timed(result: Result, t0: float) -> Result:
    result.timings["total"] = time.perf_counter() - t0
    return result


def convert(paths: list[Path]) -> tuple[Diagnostics, str | None]:
    """Native `slogen/v1` YAML for Sloth / OpenSLO files (see slogen.formats.convert)."""
    from slogen.formats.convert import convert as _convert

    diags = Diagnostics()
    return diags, _convert(paths, diags)
