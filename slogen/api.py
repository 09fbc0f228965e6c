"""The pipeline, in one place: load → spec → model → targets → write.

Library callers (the CLI, tests, benchmarks) use `build`, `validate` and `check`; none of them
print. Problems come back as diagnostics; nothing is written when there is an error."""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

from slogen import load, parallel, spec, write
from slogen.write import cache, incremental, sinks
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
        for source in load.load_file(path, name, diags):
            docs.extend(spec.parse(source, diags))
    return by_file


def model_of(by_file: dict[str, list], diags: Diagnostics, time_scale: float = 1.0,
             user_dashboards: str | None = None) -> Bundle | None:
    parsed = spec.link([p for docs in by_file.values() for p in docs], diags)  # cross-document references
    if diags.has_errors:
        return None
    bundle = build_model(parsed, diags, time_scale)
    return replace(bundle, dashboards=user_dashboards) if bundle is not None else None


def find_inputs(paths: list[Path], dashboards: Path | None, diags: Diagnostics) -> tuple[list[Path], str | None]:
    """The spec files and the team's dashboards folder: found once per build."""
    files = load.discover(paths, diags)
    if not files and not diags.has_errors:
        diags.error("input/empty", f"no *.yaml or *.yml spec files under {', '.join(map(str, paths))}")
    return files, load.dashboards_folder(paths, dashboards, diags)


def load_bundle(paths: list[Path], diags: Diagnostics, time_scale: float = 1.0,
                dashboards: Path | None = None) -> Bundle | None:
    files, folder = find_inputs(paths, dashboards, diags)
    return model_of(parse_files([(p, relative(p)) for p in files], diags), diags, time_scale, folder)


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
        for path, data in step(write.Overlay(sink, kept or {}, previous), previous, events).items():
            sink.put(path, data)


def validate(paths: list[Path], time_scale: float = 1.0, dashboards: Path | None = None) -> Result:
    diags = Diagnostics()
    bundle = load_bundle(paths, diags, time_scale, dashboards)
    result = Result(diags, bundle)
    if bundle is not None:
        render_bundle(bundle, {}, diags)  # targets may find problems only they can see
        check_generated_promql(bundle, diags)
    return result


def check_generated_promql(bundle: Bundle, diags: Diagnostics) -> None:
    """Every expression slogen writes must parse (promtool checks them again in the tests)."""
    from slogen import promql
    from slogen.targets.prometheus.rules import rule_groups

    for service in bundle.services:
        for group in rule_groups(service, bundle):
            for rule in group["rules"]:
                try:
                    promql.parse(rule["expr"])
                except promql.PromQLError as exc:
                    name = rule.get("record") or rule.get("alert")
                    diags.error("promql/generated", f"slogen generated an expression for `{name}` that does not "
                                f"parse: {exc}", service.position, hint="please report this with the spec")


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
    inputs: cache.Inputs | None  # the spec files as read for the cache keys (None: --no-cache)
    t0: float


def build(paths: list[Path], out_dir: Path, check: bool = False, time_scale: float = 1.0,
          dashboards: Path | None = None, output: RuleOutput | None = None, use_cache: bool = True,
          progress: parallel.Progress | None = None, jobs: int | None = None) -> Result:
    t0 = time.perf_counter()
    if not check:
        write.clean_dead_scratch(out_dir)
    options = {"time_scale": time_scale, "output": output}
    found = Diagnostics()
    files, folder = find_inputs(paths, dashboards, found)
    inputs = cache.read_inputs(files, options, folder) if use_cache and not found.items else None
    hit = cache.load(out_dir, inputs.key) if inputs else None
    if hit is not None and cache.tree_matches(out_dir, hit.files):  # nothing changed since the last build
        result = Result(Diagnostics(list(hit.warnings)), cached=True, file_count=len(hit.files))
        result.check = write.CheckResult([], [], []) if check else None
        return _timed(result, t0)
    job = Job(files, found, out_dir, check, time_scale, folder, output, progress, jobs, inputs, t0)
    if not check and inputs is not None:  # (--check never uses the unit record, so it stays valid)
        plan = incremental.plan(out_dir, inputs.specs, options, inputs.dashboards)
        if plan.incremental:
            try:
                result = _run(job, plan, plan.parse)  # only the changed spec files
            except write.Moved:
                result = None
            if result is not None:
                return result
    return _run(job, incremental.Plan({}), None)  # every spec file


def _run(job: Job, plan: incremental.Plan, files: list[tuple[Path, str]] | None) -> Result | None:
    """The pipeline over `files` (None: every spec file of the job), reusing what `plan` found
    clean. None when that cannot give what a full build gives (the caller then runs one)."""
    diags = Diagnostics(job.found.items + plan.warnings())
    if files is None:
        files = [(p, relative(p)) for p in job.files]
    by_file = parse_files(files, diags)
    units = incremental.units_of(by_file)
    if plan.clean and sorted(set(by_file) - set(units)) != sorted(plan.globals):
        return None  # a spec file stopped or started being self-contained (or has errors)
    bundle = model_of(by_file, diags, job.time_scale, job.dashboards)
    del by_file  # the parsed documents and their position maps: ~60 MB per 1,000 services, not needed now
    if plan.clean and bundle is not None and {s.name for s in bundle.services} & plan.clean_services():
        return None  # a service name in two files: let a full build report it
    result = Result(diags, bundle)
    result.timings["model"] = time.perf_counter() - job.t0
    if bundle is None:
        return result
    if job.output is not None:  # how rule files are packaged (--format): a build option, not a spec
        result.bundle = replace(bundle, output=job.output)
    previous = write.Tree(job.out_dir)
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
                      previous: write.Tree, sink: sinks.Sink) -> Result:
    diags, bundle, events = result.diagnostics, result.bundle, Diagnostics()
    rendered = parallel.render(TARGETS, bundle, bundle.services, plan.cached_summaries(), previous, diags, sink,
                               job.progress, memo=plan.memo(), jobs=job.jobs)
    records = plan.kept_files(rendered.kept)
    kept = {p: rec[0] for p, rec in records.items()}   # path → sha256
    keep = {p: rec[1:] for p, rec in records.items()}  # path → identity, checked again at the swap
    after_render(sink, previous, events, kept)
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
    except write.Busy as exc:
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
