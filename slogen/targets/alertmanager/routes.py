"""The route tree: one node that claims every slogen alert, one child per team, and under it
pages → the team's page receiver and tickets → its ticket receiver. Alerts whose SLO or service
names another receiver get a more specific route first. Whatever no route claims stays at the
slogen node, whose receiver is the catch-all: nothing is dropped silently."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from slogen import conventions as C
from slogen.durations import format_duration
from slogen.model import Bundle
from slogen.model.alerts import Alert, service_alerts
from slogen.targets.alertmanager.receivers import catch_all

GROUP_BY = ["alertname", C.LABEL_SERVICE, C.LABEL_SLO]


def group_labels(summaries: dict[str, dict]) -> list[str]:
    """Every `group_by` label of the bundle's SLOs and thresholds. They join the routes' group_by
    and the inhibitions' `equal`, so two failing providers are two notifications and a page of one
    does not silence the ticket of another. An alert without such a label has it empty, which
    groups and matches exactly as before."""
    return sorted({label for facts in summaries.values() for label in facts.get("group_by", [])})


def group_by(summaries: dict[str, dict]) -> list[str]:
    return GROUP_BY + [l for l in group_labels(summaries) if l not in GROUP_BY]


@dataclass(frozen=True)
class Timing:
    """Seconds. Pages: notify fast, re-notify while unacknowledged. Tickets: batch, remind daily."""
    group_wait: float
    group_interval: float
    repeat_interval: float


PAGE = Timing(group_wait=30, group_interval=5 * 60, repeat_interval=4 * 3600)
TICKET = Timing(group_wait=5 * 60, group_interval=30 * 60, repeat_interval=24 * 3600)
DEFAULT = Timing(group_wait=60, group_interval=10 * 60, repeat_interval=12 * 3600)


def _d(seconds: float, bundle: Bundle) -> str:
    """Scaled with the rest of the bundle (`--time-scale`), so drills notify in seconds."""
    if bundle.time_scale != 1:
        seconds = max(round(seconds * bundle.time_scale), 1)
    return format_duration(seconds)


def timing(t: Timing, bundle: Bundle) -> dict:
    return {"group_wait": _d(t.group_wait, bundle), "group_interval": _d(t.group_interval, bundle),
            "repeat_interval": _d(t.repeat_interval, bundle)}


def matcher(label: str, value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{label}="{escaped}"'


def tier_matcher(paging: bool) -> str:
    """Routes follow the tier label, not `severity`, whose values a spec may choose."""
    return matcher(C.LABEL_TIER, C.TIER_PAGE if paging else C.TIER_TICKET)


SLOGEN_ALERTS = f'{C.LABEL_ALERT_KIND}=~".+"'  # every alert slogen writes carries slogen_kind


class Routed(NamedTuple):
    """What routing needs to know of an alert (its service's summary, see slogen.targets)."""
    service: str
    name: str
    paging: bool
    receiver: str | None


def summary(service, bundle: Bundle) -> dict:
    """JSON data: the team, per alert [name, paging, receiver], and the grouping labels."""
    labels = sorted({l for origin in (*service.slos, *service.thresholds) for l in origin.group_by})
    return {"team": service.team,
            "alerts": [[a.name, a.paging, a.receiver] for a in service_alerts(service, bundle)],
            "group_by": labels}


def expected_receiver(alert: Alert, bundle: Bundle) -> str:
    """Where an alert must end up: its tier's receiver, else the catch-all."""
    return alert.receiver or catch_all(bundle.settings)


def _class_route(paging: bool, receiver: str, bundle: Bundle, extra: list[str] = ()) -> dict:
    return {"matchers": [*extra, tier_matcher(paging)], "receiver": receiver,
            **timing(PAGE if paging else TICKET, bundle)}


def _team_routes(team: str, alerts: list[Routed], bundle: Bundle) -> dict | None:
    default = bundle.settings.teams.get(team)
    specific: list[dict] = []
    by_service: dict[tuple[str, bool], list[Routed]] = defaultdict(list)
    for a in alerts:
        by_service[(a.service, a.paging)].append(a)
    for (service, paging), group in sorted(by_service.items(), key=lambda kv: (kv[0][0], not kv[0][1])):
        team_default = default[0 if paging else 1] if default else None
        wanted = {a.receiver for a in group}
        if wanted == {team_default}:
            continue
        if len(wanted) == 1 and None not in wanted:  # the whole service's tier goes elsewhere
            specific.append(_class_route(paging, wanted.pop(), bundle, [matcher(C.LABEL_SERVICE, service)]))
            continue
        for name in sorted({a.name for a in group if a.receiver not in (team_default, None)}):
            receiver = next(a.receiver for a in group if a.name == name)
            specific.append(_class_route(paging, receiver, bundle,
                                         [matcher(C.LABEL_SERVICE, service), matcher("alertname", name)]))
        # alerts without any receiver (team not in the bundle file) fall through to the catch-all
    general = [_class_route(paging, default[0 if paging else 1], bundle) for paging in (True, False)] if default else []
    if not specific and not general:
        return None
    return {"matchers": [matcher(C.LABEL_TEAM, team)], "routes": specific + general}


def slogen_route(bundle: Bundle, summaries: dict[str, dict] | None = None) -> dict:
    """The sub-tree for slogen's alerts: the fragment's `route`, and the generated root's only child.
    `summaries`: service name → `summary()`, by default of every service of the bundle."""
    summaries = all_summaries(bundle, summaries)
    by_team: dict[str, list[Routed]] = defaultdict(list)
    for name, facts in summaries.items():
        by_team[facts["team"]].extend(Routed(name, *a) for a in facts["alerts"])
    routes = [r for team in sorted(by_team) if (r := _team_routes(team, by_team[team], bundle))]
    node = {"matchers": [SLOGEN_ALERTS], "receiver": catch_all(bundle.settings), "group_by": group_by(summaries),
            **timing(DEFAULT, bundle)}
    if routes:
        node["routes"] = routes
    return node


def root_route(bundle: Bundle, summaries: dict[str, dict] | None = None) -> dict:
    summaries = all_summaries(bundle, summaries)
    return {"receiver": catch_all(bundle.settings), "group_by": group_by(summaries), **timing(DEFAULT, bundle),
            "routes": [slogen_route(bundle, summaries)]}


def all_summaries(bundle: Bundle, summaries: dict[str, dict] | None) -> dict[str, dict]:
    return {s.name: summary(s, bundle) for s in bundle.services} if summaries is None else summaries
