"""The command line: options in, one library call, diagnostics out, exit code from severity.

Exit codes: 0 ok · 1 `--check` found stale output (or a `status --fail-when` condition holds) ·
2 invalid input · 3 internal error · 4 Prometheus could not be read (down, refused, bad answer)."""
from __future__ import annotations

import atexit
import gc
import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import List, NoReturn, Optional

import typer

from slogen import GC_THRESHOLDS, __version__
from slogen.diagnostics import Diagnostics, render_github, render_human, render_json
from slogen.live.client import Connection
from slogen.live.options import connection_options, parse_time

EXIT_OK, EXIT_STALE, EXIT_INVALID, EXIT_INTERNAL, EXIT_UNREACHABLE = 0, 1, 2, 3, 4

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Turn SLO specs into a proven monitoring bundle.")


class DiagFormat(str, Enum):
    human = "human"
    json = "json"
    github = "github"
    auto = "auto"   # github under GitHub Actions, else human: what the pre-commit hooks use


def _report(diags: Diagnostics, fmt: DiagFormat) -> None:
    if fmt is DiagFormat.auto:
        fmt = DiagFormat.github if os.environ.get("GITHUB_ACTIONS") == "true" else DiagFormat.human
    if fmt is DiagFormat.json:
        print(render_json(diags), file=sys.stderr)
        return
    for d in diags:
        print(render_github(d) if fmt is DiagFormat.github else render_human(d), file=sys.stderr)
    errors = sum(1 for d in diags if d.severity.value == "error")
    if errors:
        print(f"slogen: {errors} error{'s' * (errors != 1)}; nothing was written", file=sys.stderr)


def _failed(diags: Diagnostics) -> int:
    """4 when the only errors are a live Prometheus that could not be read (`--prometheus`), as for
    `slogen status`: the specs themselves were fine. Otherwise 2."""
    errors = [d for d in diags if d.severity.value == "error"]
    live = errors and all(d.code.startswith("prometheus/") and d.code != "prometheus/config" for d in errors)
    return EXIT_UNREACHABLE if live else EXIT_INVALID


SPECS = typer.Argument(..., help="Spec files or folders (searched recursively for *.yaml, *.yml).")
DIAG = typer.Option(DiagFormat.human, "--diagnostics", envvar="SLOGEN_DIAGNOSTICS",
                    help="How to print problems: human, json, github, or auto (github under GitHub Actions, "
                    "else human).")
DASHBOARDS = typer.Option(None, "--dashboards", help="The team's dashboards folder (config.libsonnet, "
                          "custom/*.libsonnet); default: dashboards/ in or next to the specs folder.")
STRICT = typer.Option(False, "--strict", help="Treat warnings as errors (exit 2, nothing written): for CI.")
SCALE = typer.Option(1.0, "--time-scale", help="Multiply every window, period and `for` (e.g. 0.01 for "
                     "drills); production bundles use 1.", hidden=False)


class RuleFormat(str, Enum):
    prometheus = "prometheus"
    prometheus_operator = "prometheus-operator"
    mimir = "mimir"


FORMAT = typer.Option(RuleFormat.prometheus, "--format", help="Also package the rules as PrometheusRule objects "
                      "(prometheus-operator) or Mimir rule namespaces (mimir); plain rule files are always written.")
NAMESPACE = typer.Option("monitoring", "--namespace", help="Kubernetes namespace of the PrometheusRule objects.")
RULE_LABEL = typer.Option(None, "--rule-label", metavar="KEY=VALUE", help="Label on the PrometheusRule objects, "
                          "e.g. for the Prometheus ruleSelector (repeatable).")


def _rule_output(fmt: RuleFormat, namespace: str, labels: Optional[List[str]]):
    from slogen.model.types import RuleOutput

    pairs = {}
    for item in labels or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{item!r}: write KEY=VALUE", param_hint="--rule-label")
        pairs[key.strip()] = value.strip()
    return RuleOutput(fmt.value, namespace, pairs)


@app.command()
@connection_options(required=False, url_from_env=False)
def build(paths: List[Path] = SPECS,
          out: Path = typer.Option(Path("out"), "-o", "--out", help="Output folder."),
          check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if the output folder is stale."),
          rule_format: RuleFormat = FORMAT, namespace: str = NAMESPACE, rule_label: Optional[List[str]] = RULE_LABEL,
          diagnostics: DiagFormat = DIAG, time_scale: float = SCALE,
          dashboards: Optional[Path] = DASHBOARDS, strict: bool = STRICT,
          no_cache: bool = typer.Option(False, "--no-cache", help="Build from scratch even if nothing changed "
                                        "since the last build (see docs/performance.md)."),
          jobs: Optional[int] = typer.Option(None, "-j", "--jobs", min=1, help="Processes that render (default: "
                                             "$SLOGEN_JOBS, else the cores available); the output is the same."),
          connection: Optional[Connection] = None) -> None:
    """Build the bundle into the output folder (replaced atomically)."""
    from slogen import api
    from slogen.progress import bar

    output = _rule_output(rule_format, namespace, rule_label)
    with bar(sys.stderr) as progress:
        result = api.build(paths, out, check=check, output=output, time_scale=time_scale, dashboards=dashboards,
                           use_cache=not no_cache, progress=progress, jobs=jobs, strict=strict,
                           connection=connection)
    _report(result.diagnostics, diagnostics)
    if not result.ok:
        raise typer.Exit(_failed(result.diagnostics))
    if check:
        c = result.check
        if c.stale:
            for label, items in (("changed", c.changed), ("missing", c.added), ("not generated", c.removed)):
                for p in items:
                    print(f"stale: {out / p} ({label})", file=sys.stderr)
            print(f"slogen: {out} is stale; run `slogen build {' '.join(map(str, paths))}`", file=sys.stderr)
            raise typer.Exit(EXIT_STALE)
        print(f"slogen: {out} is up to date ({result.file_count} files)")
        return
    if result.cached:
        print(f"slogen: {out} is up to date ({result.file_count} files, nothing changed since the last build)")
        return
    if result.reused:
        print(f"slogen: wrote {result.file_count - result.reused} files to {out}, kept {result.reused} unchanged, "
              f"in {result.timings['total']:.2f}s")
    else:
        print(f"slogen: wrote {result.file_count} files to {out} in {result.timings['total']:.2f}s")


@app.command()
@connection_options(required=False, url_from_env=False)
def validate(paths: Optional[List[Path]] = typer.Argument(None, help="Spec files or folders (searched recursively "
                                                          "for *.yaml, *.yml)."),
             diagnostics: DiagFormat = DIAG, dashboards: Optional[Path] = DASHBOARDS, strict: bool = STRICT,
             list_checks: bool = typer.Option(False, "--list-checks", help="Print every check's code, severity "
                                              "and what it finds (pages: docs/checks/<code>.md), then exit."),
             connection: Optional[Connection] = None) -> None:
    """Run every check; write nothing."""
    from slogen import api

    if list_checks:
        from slogen.checks import listing

        sys.stdout.write(listing())
        return
    if not paths:
        raise typer.BadParameter("give spec files or folders", param_hint="PATHS")
    result = api.validate(paths, dashboards=dashboards, strict=strict, connection=connection)
    _report(result.diagnostics, diagnostics)
    if not result.ok:
        raise typer.Exit(_failed(result.diagnostics))
    n = len(result.bundle.services)
    print(f"slogen: {n} service{'s' * (n != 1)} valid")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the native spec (slogen/v1)."""
    from slogen.spec.schema import json_schema

    print(json.dumps(json_schema(), indent=2))


@app.command()
def convert(paths: List[Path] = typer.Argument(..., help="Sloth or OpenSLO spec files (or folders)."),
            diagnostics: DiagFormat = DIAG) -> None:
    """Print the native slogen/v1 equivalent of Sloth or OpenSLO specs (a migration aid)."""
    from slogen import api

    diags, text = api.convert(paths)
    _report(diags, diagnostics)
    if text is None:
        raise typer.Exit(EXIT_INVALID)
    sys.stdout.write(text)


@app.command()
def diff(paths: List[Path] = typer.Argument([Path("specs")], help="Spec files or folders (the change)."),
         against: str = typer.Option("HEAD", "--against", help="What to compare with: a git revision (the same "
                                     "spec paths there) or a folder slogen built, e.g. out/."),
         markdown: bool = typer.Option(False, "--markdown", help="Markdown for a pull-request comment."),
         diagnostics: DiagFormat = DIAG) -> None:
    """Summarise what a spec change does to alerts, thresholds, windows, objectives and routes."""
    from slogen.review import diff as review_diff

    diags = Diagnostics()
    text = review_diff.run(paths, against, markdown, diags)
    _report(diags, diagnostics)
    if text is None:
        raise typer.Exit(EXIT_INVALID)
    sys.stdout.write(text)


@app.command()
def explain(paths: List[Path] = typer.Argument(..., help="Spec file(s) or folder."),
            slo: Optional[str] = typer.Option(None, "--slo", help="Only this SLO (name)."),
            plot: Optional[Path] = typer.Option(None, "--plot", help="Also write a plot of detection time "
                                                "against burn rate (.png or .svg)."),
            diagnostics: DiagFormat = DIAG) -> None:
    """When each burn-rate alert fires, what it has cost by then, and when it stops."""
    from slogen import api
    from slogen.review import explain as review_explain

    diags = Diagnostics()
    bundle = api.load_bundle(paths, diags)
    found = review_explain.explain(bundle, slo, diags) if bundle else []
    if found and plot:
        from slogen.review.plot import write_plot

        write_plot(found, plot, diags)
    _report(diags, diagnostics)
    if diags.has_errors:
        raise typer.Exit(EXIT_INVALID)
    sys.stdout.write(review_explain.render_text(found))


@app.command()
def init(service: Optional[str] = typer.Option(None, help="Service name (lowercase, e.g. checkout-api)."),
         team: Optional[str] = typer.Option(None, help="Owning team."),
         kind: Optional[str] = typer.Option(None, help="Kind of service: http-api, grpc-api, worker-queue."),
         description: Optional[str] = typer.Option(None, help="What the service does, in a sentence."),
         job: Optional[str] = typer.Option(None, help="Prometheus job label (default: the service name)."),
         requests_metric: Optional[str] = typer.Option(None, help="Counter of all requests."),
         error_matchers: Optional[str] = typer.Option(None, help='Matchers for failed ones, e.g. code=~"5..".'),
         objective: Optional[float] = typer.Option(None, help="Availability objective, percent (99.9)."),
         histogram: Optional[str] = typer.Option(None, help="Latency histogram base name."),
         latency_threshold: Optional[str] = typer.Option(None, help="Latency threshold, a bucket bound (1s)."),
         latency_percentile: Optional[float] = typer.Option(None, help="Percent within it (95); 0: none."),
         queue_metric: Optional[str] = typer.Option(None, help="Queue depth gauge (worker-queue)."),
         out: Optional[Path] = typer.Option(None, "-o", "--out", help="Spec file to write "
                                            "(default: specs/<service>.yaml)."),
         force: bool = typer.Option(False, "--force", help="Replace an existing file."),
         no_input: bool = typer.Option(False, "--no-input", help="Never ask; take defaults for what is not "
                                       "given (also when stdin is not a terminal)."),
         diagnostics: DiagFormat = DIAG) -> None:
    """Scaffold a spec for a new service, from flags or questions; it builds first time."""
    from slogen.review import init as scaffold

    given = {k: v for k, v in locals().items() if k in scaffold.answer_fields()}
    answers = scaffold.Answers(**given)
    if not no_input and sys.stdin.isatty():
        answers = scaffold.fill(answers, typer.prompt)
    diags = Diagnostics()
    path = scaffold.create(answers, out, force, diags)
    _report(diags, diagnostics)
    if path is None:
        raise typer.Exit(EXIT_INVALID)
    print(f"slogen: wrote {path}; next: slogen build {path.parent}")


class StatusFormat(str, Enum):
    table = "table"
    markdown = "markdown"
    json = "json"
    html = "html"


class FailWhen(str, Enum):
    budget_exhausted = "budget-exhausted"
    firing = "firing"
    paging = "paging"
    not_deployed = "not-deployed"
    no_data = "no-data"


@app.command()
@connection_options(required=True)
def status(paths: List[Path] = SPECS,
           at: Optional[str] = typer.Option(None, "--at", metavar="TIME", help="Read the state at this time "
                                            "(RFC 3339, e.g. 2026-11-30T09:00:00Z, or unix seconds); default: now."),
           fmt: StatusFormat = typer.Option(StatusFormat.table, "--format", help="table (terminal), markdown "
                                            "(GitHub comment), json (docs/status.md), html (one file with plots)."),
           output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write to this file, not stdout."),
           service: Optional[List[str]] = typer.Option(None, "--service", help="Only this service (a name or a "
                                                       "pattern like 'checkout-*'; repeatable)."),
           team: Optional[List[str]] = typer.Option(None, "--team", help="Only this team's (repeatable)."),
           label: Optional[List[str]] = typer.Option(None, "--label", metavar="KEY=VALUE", help="Only SLOs and "
                                                     "alerts with this service or SLO label (repeatable: all)."),
           fail_when: Optional[List[FailWhen]] = typer.Option(None, "--fail-when", help="Exit 1 when this holds "
                                                              "(repeatable): budget-exhausted, firing, paging, "
                                                              "not-deployed, no-data."),
           time_scale: float = SCALE, diagnostics: DiagFormat = DIAG,
           no_cache: bool = typer.Option(False, "--no-cache", help="Load and check the specs again even if an "
                                         "earlier run kept their model (docs/status.md)."),
           connection: Optional[Connection] = None) -> None:
    """Where every SLO stands now, from a live Prometheus: budget, burn rates, firing alerts."""
    from slogen import status as live_status
    from slogen.status.catalogue import Filters

    pairs = []
    for item in label or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{item!r}: write KEY=VALUE", param_hint="--label")
        pairs.append((key.strip(), value.strip()))
    filters = Filters(tuple(service or ()), tuple(team or ()), tuple(pairs))
    when = parse_time(at) if at is not None else None
    outcome = live_status.run(paths, connection, when, filters, plots=fmt is StatusFormat.html,
                              time_scale=time_scale, use_cache=not no_cache)
    _report(outcome.diagnostics, diagnostics)
    if outcome.report is None:
        raise typer.Exit(EXIT_UNREACHABLE if outcome.unreachable else EXIT_INVALID)
    text = live_status.render(outcome.report, fmt.value)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    held = live_status.failed(outcome.report, [c.value for c in fail_when or []])
    for condition in held:
        print(f"slogen: --fail-when {condition} holds", file=sys.stderr)
    if held:
        raise typer.Exit(EXIT_STALE)


@app.command()
def version() -> None:
    """Print slogen's version."""
    print(__version__)


def main(argv: Optional[List[str]] = None) -> None:
    """The `slogen` command; `argv` for a caller in this process (tests), which it returns to."""
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        app(args=argv, standalone_mode=True)
    except SystemExit as done:
        if argv is None:
            _leave(done.code)
        raise
    except KeyboardInterrupt:
        print("slogen: interrupted", file=sys.stderr)
        sys.exit(130)
    except BaseException as exc:  # no traceback, ever: one line, exit 3
        if os.environ.get("SLOGEN_DEBUG"):
            raise
        print(f"slogen: internal error: {type(exc).__name__}: {exc} "
              "(please report this with the spec that caused it)", file=sys.stderr)
        sys.exit(EXIT_INTERNAL)


def _leave(code: int | str | None) -> NoReturn:
    """End the process now that the command is done: exit handlers run and the output is flushed,
    but the interpreter does not free the heap object by object on its way out (0.3 s after a
    1,000-service status; the system frees it at once)."""
    if isinstance(code, str):
        print(code, file=sys.stderr)
    status = 0 if code is None else code if isinstance(code, int) else 1
    atexit._run_exitfuncs()  # what a normal exit runs first (thread and process pools, logging)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`slogen status | head`): nothing more to say
            pass
    os._exit(status)
