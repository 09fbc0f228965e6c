"""The bundle file: a team listed twice, URLs that are not URLs, an SMTP smarthost Alertmanager
refuses (then it loads no config at all, and every team's change is lost)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from slogen.checks.base import ERROR, Context, check, declare

declare("bundle/duplicate-team", ERROR, "a team listed twice in the bundle file (the second would silently win)")
declare("bundle/url", ERROR, "a runbook, Grafana or PagerDuty URL that is not an absolute http(s) URL")
declare("bundle/smarthost", ERROR, "an e-mail smarthost without `:port`, which Alertmanager refuses")

_HOST_PORT = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[^\s:\[\]]+):([0-9]{1,5})$")


def is_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in text)


def has_port(hostport: str) -> bool:
    m = _HOST_PORT.match(hostport.strip())
    return bool(m) and 0 < int(m.group(2)) < 65536


@check
def teams(ctx: Context) -> None:
    if ctx.bundle is None:
        return
    first: dict[str, int] = {}
    for i, t in enumerate(ctx.bundle.spec.teams):
        if t.name in first:
            line = ctx.bundle.source.at(("teams", first[t.name], "name")).line
            ctx.report("bundle/duplicate-team", f"team `{t.name}` is already listed (line {line}); only one of the "
                       "two would route its alerts", ctx.bundle.source, ("teams", i, "name"),
                       hint="merge the two entries")
        else:
            first[t.name] = i


@check
def urls(ctx: Context) -> None:
    if ctx.bundle is None:
        return
    spec, src = ctx.bundle.spec, ctx.bundle.source
    for field in ("runbook_base_url", "grafana_url"):
        if field in spec.model_fields_set and not is_url(getattr(spec, field)):
            ctx.report("bundle/url", f"`{getattr(spec, field)}` is not an absolute http(s) URL: every alert's link "
                       "made from it is broken", src, (field,), hint="e.g. https://git.example.com/monitoring/out/runbooks")
    for i, r in enumerate(spec.receivers):
        if r.pagerduty is not None and r.pagerduty.url is not None and not is_url(r.pagerduty.url):
            ctx.report("bundle/url", f"`{r.pagerduty.url}` is not an absolute http(s) URL: Alertmanager refuses "
                       "the whole configuration", src, ("receivers", i, "pagerduty", "url"))
        if r.email is not None and not has_port(r.email.smarthost):
            ctx.report("bundle/smarthost", f"smarthost `{r.email.smarthost}` needs a port (`host:port`): "
                       "Alertmanager refuses the whole configuration, so no team's change would load",
                       src, ("receivers", i, "email", "smarthost"), hint="e.g. smtp.example.com:587")
