"""Nothing lost: a spec file that defines nothing, a bundle without a single rule (every alert
of the team deleted on deploy), a service whose every alert is turned off."""
from __future__ import annotations

from slogen.checks.base import ERROR, WARNING, Context, check, declare, report
from slogen.diagnostics import Diagnostics, Position

declare("lost/empty-file", ERROR, "a spec file with no document in it (empty, or only comments)")
declare("lost/no-rules", ERROR, "the specs define no service: the bundle would delete every alert")
declare("lost/no-alerts", WARNING, "a service whose every alert is turned off")


def empty_file(file: str, diags: Diagnostics) -> None:
    """Reported by the loader: an empty file yields no document for any check to see."""
    report(diags, "lost/empty-file", "this spec file defines nothing: if it replaced a service's spec, that "
           "service's alerts would be deleted", Position(file, 1, 1),
           hint="write the spec, or delete the file")


def no_rules(services: int, files: list[str], diags: Diagnostics) -> None:
    if services == 0 and not diags.has_errors:
        where = Position(files[0], 1, 1) if files else None
        report(diags, "lost/no-rules", "these specs define no service: the bundle would have no rule, and deploying "
               "it would delete every alert", where, hint="add a service spec (`slogen init`)")


@check
def every_alert_off(ctx: Context) -> None:
    for p in ctx.services:
        spec = p.spec
        if spec.thresholds or not spec.slos:
            continue
        off = all(_off(spec.alerting, s.alerting, tier) for s in spec.slos for tier in ("page", "ticket"))
        if off:
            ctx.report("lost/no-alerts", f"every alert of `{spec.service}` is disabled: nobody hears of it when its "
                       "SLOs fail", p.source, ("service",), hint="enable at least the ticket tier")


def _off(service, slo, tier: str) -> bool:
    own = getattr(slo, tier)
    return own.disabled if "disabled" in own.model_fields_set else getattr(service, tier).disabled
