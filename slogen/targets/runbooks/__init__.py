"""Runbooks: one Markdown file per alert name (`runbooks/<service>/<Alert>.md`, the path every
alert's `runbook_url` ends with) and an index, `runbooks/README.md`.

Each runbook is a generated top and a human bottom after the keep-below marker. The writer's
`merge` hook hands us the previous bytes of the same path, so the bottom survives rebuilds and
`--check` compares like with like. Runbooks whose alert disappeared are handled after rendering,
in `carry_over` (see `retire.py`), the one step that looks at the whole previous tree."""
from __future__ import annotations

from functools import lru_cache

from slogen import conventions as C
from slogen.durations import humanize_duration
from slogen.model import Bundle, Service
from slogen.model.alerts import Alert, runbook_path, service_alerts
from slogen.targets.runbooks import sections
from slogen.targets.runbooks.context import identity, percent, runbook_context
from slogen.targets.runbooks.retire import ROOT, carry_over  # noqa: F401  (carry_over: the after-render step)
from slogen.targets.runbooks.templates import render, template_bottom
from slogen.thresholds import KINDS as THRESHOLD_KINDS
from slogen.files import File

INDEX = f"{ROOT}/README.md"


@lru_cache(maxsize=None)
def path_of(service: str, alert: str) -> str:
    return f"{ROOT}/{runbook_path(service, alert)}"


def grouped(service: Service, bundle: Bundle) -> dict[str, list[Alert]]:
    """Alerts by name, in rule order: an SLO's page and ticket alerts share one name."""
    out: dict[str, list[Alert]] = {}
    for a in service_alerts(service, bundle):
        out.setdefault(a.name, []).append(a)
    return out


def _merger(top: str):
    def merge(previous: bytes | None) -> bytes:
        bottom = sections.bottom_of(previous)
        return sections.join(top, template_bottom() if bottom is None else bottom)
    return merge


def runbook_file(service: Service, alerts: list[Alert], bundle: Bundle) -> File:
    ctx = runbook_context(service, alerts, bundle)
    top = render("runbook.md.j2", identity=sections.identity_line(service.name, identity(alerts[0], service)), **ctx)
    return File(path_of(service.name, ctx["alert"]), top, "markdown", service.source, service=service.name,
                merge=_merger(top))


def service_files(bundle: Bundle, services) -> list[File]:
    return [runbook_file(s, alerts, bundle) for s in services for alerts in grouped(s, bundle).values()]


def summary(service: Service, bundle: Bundle) -> dict:
    """The service's entry in the index (JSON data, see slogen.targets)."""
    rows = []
    for name, alerts in grouped(service, bundle).items():
        for a in alerts:
            rows.append(dict(severity=a.severity, alert=name, path=runbook_path(service.name, name),
                             what=_what(a, alerts)))
    return dict(name=service.name, team=service.team, description=service.description, rows=_index_rows(rows))


def shared_files(bundle: Bundle, summaries: dict[str, dict]) -> list[File]:
    body = render("index.md.j2", services=list(summaries.values()), base_url=bundle.settings.runbook_base_url)
    return [File(INDEX, body.rstrip("\n") + "\n", "markdown", bundle.settings.source)]


def _what(a: Alert, alerts: list[Alert]) -> str:
    """The index's one-line description of an alert at one severity."""
    if a.slo is not None:
        windows = [C.window_label(x.window.long, x.window.short) for x in alerts if x.severity == a.severity]
        return f"SLO `{a.slo.name}` ({percent(a.slo.objective)}) burning its budget over {' or '.join(windows)}"
    value = "value " if THRESHOLD_KINDS[a.threshold.kind].shows_value else ""
    return f"{value}{a.level.condition}" + (f" for {humanize_duration(a.for_seconds)}" if a.for_seconds else "")


_ORDER = (C.SEVERITY_PAGE, C.SEVERITY_CRITICAL, C.SEVERITY_TICKET, C.SEVERITY_WARNING)


def _index_rows(rows: list[dict]) -> list[dict]:
    """One row per (severity, alert): most urgent first, then by name."""
    seen, out = set(), []
    for r in sorted(rows, key=lambda r: (_ORDER.index(r["severity"]) if r["severity"] in _ORDER else 9,
                                         r["alert"])):
        if (r["severity"], r["alert"]) not in seen:
            seen.add((r["severity"], r["alert"]))
            out.append(r)
    return out
