"""`slogen init`: a first spec for a new service, from flags or questions, that builds first time.

Each kind of service brings the metric names its usual client library exposes and the SLOs and
threshold alerts such a service usually needs; every answer can override them. The spec is
validated through the whole pipeline (load, spec, model, rules) before it is written, so a
spec `init` writes is one `slogen build` accepts."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Callable

import yaml

from slogen.diagnostics import Diagnostics


@dataclass(frozen=True)
class Kind:
    title: str
    requests: str          # counter of all requests / jobs
    errors: str            # label matchers that pick the failed ones, added to `requests`
    histogram: str         # latency histogram, base name
    latency: str           # default latency threshold (a bucket bound)
    queue: str | None      # queue-depth gauge, for workers


KINDS: dict[str, Kind] = {
    "http-api": Kind("HTTP API", "http_requests_total", 'code=~"5.."', "http_request_duration_seconds", "1s", None),
    "grpc-api": Kind("gRPC API", "grpc_server_handled_total",
                     'grpc_code=~"Unknown|Internal|Unavailable|DeadlineExceeded|DataLoss"',
                     "grpc_server_handling_seconds", "1s", None),
    "worker-queue": Kind("queue worker", "jobs_processed_total", 'status="failed"', "job_duration_seconds", "30s",
                         "queue_depth"),
}


@dataclass(frozen=True)
class Answers:
    service: str | None = None
    team: str | None = None
    kind: str | None = None
    description: str | None = None
    job: str | None = None                  # the scrape job label; default: the service name
    requests_metric: str | None = None
    error_matchers: str | None = None
    objective: float | None = None          # availability, percent
    histogram: str | None = None
    latency_threshold: str | None = None
    latency_percentile: float | None = None  # 0: no latency SLO
    queue_metric: str | None = None


@dataclass(frozen=True)
class Question:
    field: str
    text: str
    default: Callable[[Answers], object]
    applies: Callable[[Answers], bool] = lambda a: True


def _kind(a: Answers) -> Kind:
    return KINDS[a.kind or "http-api"]


QUESTIONS = [
    Question("service", "Service name (lowercase, e.g. checkout-api)", lambda a: None),
    Question("team", "Owning team", lambda a: None),
    Question("kind", f"Kind of service ({', '.join(KINDS)})", lambda a: "http-api"),
    Question("description", "What the service does, in a sentence", lambda a: f"The {a.service} {_kind(a).title}."),
    Question("job", "Prometheus job label of its targets", lambda a: a.service),
    Question("requests_metric", "Counter of all requests", lambda a: _kind(a).requests),
    Question("error_matchers", "Label matchers that select the failed ones", lambda a: _kind(a).errors),
    Question("objective", "Availability objective, percent", lambda a: 99.9),
    Question("histogram", "Latency histogram (base name, without _bucket)", lambda a: _kind(a).histogram),
    Question("latency_threshold", "Latency threshold (a bucket bound, e.g. 1s or 250ms)", lambda a: _kind(a).latency),
    Question("latency_percentile", "Share of requests within it, percent (0: no latency SLO)", lambda a: 95.0),
    Question("queue_metric", "Queue depth gauge", lambda a: _kind(a).queue, lambda a: _kind(a).queue is not None),
]


def fill(answers: Answers, ask: Callable[..., object] | None) -> Answers:
    """Ask for what the flags left open (`ask` = typer.prompt), or take the defaults (ask=None)."""
    for q in QUESTIONS:
        if getattr(answers, q.field) is not None or not q.applies(answers):
            continue
        default = q.default(answers)
        if ask is not None:
            kind = float if q.field in ("objective", "latency_percentile") else str
            value = ask(q.text, default=default, type=kind) if default is not None else ask(q.text, type=kind)
        else:
            value = default
        answers = replace(answers, **{q.field: value})
    return answers


def spec(a: Answers) -> dict:
    """The spec as data: one availability SLO, an optional latency SLO, and the threshold alerts
    such a service needs on day one (down, error spike, and a queue backlog for workers)."""
    job = f'{{job="{a.job}"}}'
    total = f"{a.requests_metric}{job}"
    bad = f'{a.requests_metric}{{job="{a.job}",{a.error_matchers}}}'
    slos: list[dict] = [{"name": "availability",
                         "description": f"{a.objective:g}% of requests succeed over 30 days.",
                         "objective": a.objective,
                         "sli": {"kind": "availability", "total": total, "bad": bad}}]
    if a.latency_percentile:
        slos.append({"name": f"latency-p{a.latency_percentile:g}".replace(".", "-"),
                     "description": f"{a.latency_percentile:g}% of requests complete within {a.latency_threshold}.",
                     "sli": {"kind": "latency", "histogram": a.histogram, "selector": job,
                             "threshold": a.latency_threshold, "percentile": a.latency_percentile}})
    thresholds: list[dict] = [
        {"kind": "up", "selector": job, "critical": {"for": "1m"}},
        {"kind": "ratio", "name": "HighErrorRate", "description": "More than 5% of requests fail.",
         "total": total, "bad": bad, "critical": {"above": 5, "for": "5m"}},
    ]
    if a.queue_metric:
        thresholds.append({"kind": "gauge", "name": "QueueBacklog", "description": "Jobs are piling up.",
                           "metric": f"{a.queue_metric}{job}", "warning": {"above": 100, "for": "10m"},
                           "critical": {"above": 1000, "for": "10m"}})
    return {"apiVersion": "slogen/v1", "service": a.service, "team": a.team, "description": a.description,
            "slos": slos, "thresholds": thresholds}


HEADER = """\
# {service}: written by `slogen init` ({title}). Edit freely; `slogen build` reads it.
# Metrics it assumes (change them to what the service exports):
#   {requests}{{job="{job}"}}   counter of all requests, failed ones matching {errors}
{extra}# Reference: `slogen schema`, and docs/reference.md in slogen's repository.
"""


def render(a: Answers) -> str:
    extra = ""
    if a.latency_percentile:
        extra += f'#   {a.histogram}_bucket{{job="{a.job}",le}}   latency histogram\n'
    if a.queue_metric:
        extra += f'#   {a.queue_metric}{{job="{a.job}"}}   gauge of waiting jobs\n'
    head = HEADER.format(service=a.service, title=_kind(a).title, requests=a.requests_metric, job=a.job,
                         errors=a.error_matchers, extra=extra)
    return head + yaml.safe_dump(spec(a), sort_keys=False, width=120, allow_unicode=True)


def _missing(a: Answers, diags: Diagnostics) -> bool:
    for name in ("service", "team"):
        if not getattr(a, name):
            diags.error("init/missing", f"`--{name}` is needed", hint="give it as a flag, or run on a terminal to "
                        "be asked")
    if a.kind and a.kind not in KINDS:
        diags.error("init/kind", f"unknown kind `{a.kind}`", hint=f"one of: {', '.join(KINDS)}")
    return diags.has_errors


def create(answers: Answers, out: Path | None, force: bool, diags: Diagnostics) -> Path | None:
    """Validate the scaffold through the pipeline, then write it. Returns the file written."""
    if _missing(answers, diags):
        return None
    answers = fill(answers, None)   # anything still open takes its default
    path = out or Path("specs") / f"{answers.service}.yaml"
    if path.exists() and not force:
        diags.error("init/exists", f"{path} already exists", hint="choose another --out, or --force to replace it")
        return None
    text = render(answers)
    from slogen import api

    with tempfile.TemporaryDirectory(prefix="slogen-init-") as tmp:
        candidate = Path(tmp) / path.name
        candidate.write_text(text, encoding="utf-8")
        check = api.validate([candidate])
        for d in check.diagnostics:   # the user answered questions; the temp file means nothing to them
            (diags.error if d.severity.value == "error" else diags.warning)(
                d.code, f"the spec from these answers is not valid: {d.message}", hint=d.hint)
        if not check.ok:
            return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        diags.error("init/write", f"cannot write {path}: {exc.strerror or exc}")
        return None
    return path


def answer_fields() -> list[str]:
    return [f.name for f in fields(Answers)]
