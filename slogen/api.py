"""The pipeline, in one place: load → spec → model → targets → writer.

Library callers (the CLI, tests, benchmarks) use `build`, `validate` and `check`; none of them
print. Problems come back as diagnostics; nothing is written when there is an error."""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from slogen import cache, load, parallel, spec, writer
from slogen.diagnostics import Diagnostics, relative
from slogen.model import Bundle, build_model
from slogen.model.types import RuleOutput
from slogen.targets import AFTER_RENDER, TARGETS, grafana


@dataclass
class Result:
    diagnostics: Diagnostics
    bundle: Bundle | None = None
    rendered: dict[str, bytes] = field(default_factory=dict)
    check: writer.CheckResult | None = None
    timings: dict[str, float] = field(default_factory=dict)
    cached: bool = False  # out/ was already what this build makes (slogen.cache); `rendered` is then empty
    file_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.diagnostics.has_errors


def load_bundle(paths: list[Path], diags: Diagnostics, time_scale: float = 1.0,
                dashboards: Path | None = None) -> Bundle | None:
    files = load.discover(paths, diags)
    if not files and not diags.has_errors:
        diags.error("input/empty", f"no *.yaml or *.yml spec files under {', '.join(map(str, paths))}")
    parsed = []
    for path in files:
        name = relative(path)
        for source in load.load_file(path, name, diags):
            parsed.extend(spec.parse(source, diags))
    parsed = spec.link(parsed, diags)  # cross-document references (OpenSLO's indicatorRef, ...)
    user_dashboards = grafana.locate(paths, dashboards, diags)
    if diags.has_errors:
        return None
    bundle = build_model(parsed, diags, time_scale)
    return replace(bundle, dashboards=user_dashboards) if bundle is not None else None


def render_bundle(bundle: Bundle, previous: dict[str, bytes], diags: Diagnostics,
                  progress: parallel.Progress | None = None, events: Diagnostics | None = None) -> dict[str, bytes]:
    """Every target rendered to bytes (on two cores for a large fleet: slogen.parallel). Steps that
    compare with the previous out/ (runbook notes of removed alerts) report into `events`: what
    they say is about this change of out/, not about the specs, so it is not replayed from cache."""
    rendered = parallel.render_targets(TARGETS, bundle, previous, diags, progress)
    for _name, step in AFTER_RENDER:
        rendered.update(step(rendered, previous, diags if events is None else events))
    return dict(sorted(rendered.items()))


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


def build(paths: list[Path], out_dir: Path, check: bool = False, time_scale: float = 1.0,
          dashboards: Path | None = None, output: RuleOutput | None = None, use_cache: bool = True,
          progress: parallel.Progress | None = None) -> Result:
    diags = Diagnostics()
    t0 = time.perf_counter()
    key = cache.build_key(paths, {"time_scale": time_scale, "output": output}, dashboards) if use_cache else None
    hit = cache.load(out_dir, key) if key else None
    if hit is not None and cache.tree_matches(out_dir, hit.files):  # nothing changed since the last build
        diags.items.extend(hit.warnings)
        result = Result(diags, cached=True, file_count=len(hit.files))
        result.check = writer.CheckResult([], [], []) if check else None
        result.timings["total"] = time.perf_counter() - t0
        return result
    bundle = load_bundle(paths, diags, time_scale, dashboards)
    result = Result(diags, bundle)
    result.timings["model"] = time.perf_counter() - t0
    if bundle is None:
        return result
    if output is not None:  # how rule files are packaged (--format): a build option, not a spec
        bundle = result.bundle = replace(bundle, output=output)
    previous = writer.read_tree(out_dir)
    events = Diagnostics()
    result.rendered = render_bundle(bundle, previous, diags, progress, events)
    replayable = Diagnostics(list(diags.items))
    diags.extend(events)
    result.file_count = len(result.rendered)
    result.timings["render"] = time.perf_counter() - t0 - result.timings["model"]
    if diags.has_errors:
        return result
    if check:
        result.check = writer.compare(result.rendered, previous)
        if not result.check.stale and key:
            cache.store(out_dir, key, result.rendered, replayable)
    else:
        try:
            writer.write_tree(out_dir, result.rendered)
        except writer.Busy as exc:
            diags.error("output/busy", str(exc), hint="wait for the other build, or build into another folder")
        except OSError as exc:
            diags.error("output/write", f"cannot write {out_dir}: {exc.strerror or exc}")
        if key and not diags.has_errors:
            cache.store(out_dir, key, result.rendered, replayable)
    result.timings["total"] = time.perf_counter() - t0
    return result


def convert(paths: list[Path]) -> tuple[Diagnostics, str | None]:
    """Native `slogen/v1` YAML for Sloth / OpenSLO files (see slogen.formats.convert)."""
    from slogen.formats.convert import convert as _convert

    diags = Diagnostics()
    return diags, _convert(paths, diags)
