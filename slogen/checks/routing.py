"""Routing: every page and ticket must reach a receiver that notifies someone."""
from __future__ import annotations

from slogen import conventions as C
from slogen.checks.base import ERROR, WARNING, Context, check, declare

declare("routing/no-integration", ERROR, "a team or tier routed to a receiver with no integration: it notifies nobody")
declare("routing/unrouted", ERROR, "a team with no receivers while the catch-all notifies nobody: pages go nowhere")
declare("spec/unknown-team", WARNING, "a team with no receivers in the bundle file: its alerts go to the catch-all")

INTEGRATIONS = ("pagerduty", "slack", "webhook", "email")


def _silent(receiver) -> bool:
    return receiver is not None and not any(getattr(receiver, f) is not None for f in INTEGRATIONS)


@check
def receivers(ctx: Context) -> None:
    bundle = ctx.bundle
    if bundle is None:
        return
    by_name = {r.name: r for r in bundle.spec.receivers}
    for i, t in enumerate(bundle.spec.teams):
        for tier in ("page", "ticket"):
            name = getattr(t, tier)
            if _silent(by_name.get(name)):
                ctx.report("routing/no-integration", f"team `{t.name}`'s {tier}s go to `{name}`, which has no "
                           "pagerduty, slack, webhook or email: they notify nobody", bundle.source,
                           ("teams", i, tier), hint="give the receiver an integration")
    for p in ctx.services:
        tiers = [(("alerting", tier), getattr(p.spec.alerting, tier)) for tier in ("page", "ticket")]
        tiers += [(("slos", i, "alerting", tier), getattr(s.alerting, tier))
                  for i, s in enumerate(p.spec.slos) for tier in ("page", "ticket")]
        for path, tier in tiers:
            if tier.receiver and not tier.disabled and _silent(by_name.get(tier.receiver)):
                ctx.report("routing/no-integration", f"`{tier.receiver}` has no pagerduty, slack, webhook or email: "
                           "these alerts notify nobody", p.source, path + ("receiver",),
                           hint="give the receiver an integration")


@check
def teams(ctx: Context) -> None:
    bundle = ctx.bundle
    if bundle is None or not bundle.spec.teams:
        return
    known = {t.name for t in bundle.spec.teams}
    catch_all = bundle.spec.default_receiver or C.RECEIVER_CATCH_ALL
    by_name = {r.name: r for r in bundle.spec.receivers}
    nobody = catch_all not in by_name or _silent(by_name[catch_all])
    for p in ctx.services:
        if p.spec.team in known:
            continue
        if nobody:
            ctx.report("routing/unrouted", f"team `{p.spec.team}` has no receivers in {bundle.source.file}, and the "
                       f"catch-all `{catch_all}` notifies nobody: this service's pages go nowhere", p.source, ("team",),
                       hint="add the team under `teams` in the Bundle file (or fix the spelling)")
        else:
            ctx.report("spec/unknown-team", f"team `{p.spec.team}` has no receivers in {bundle.source.file}; its "
                       f"alerts go to the catch-all receiver `{catch_all}`", p.source, ("team",),
                       hint="add the team under `teams` in the Bundle file")
