"""The status of every selected SLO and threshold alert, from the catalogue and what Prometheus
answered: plain data that every output format renders.

States of an SLO, in the order the report sorts them after the budgets it can state:
  ok / exhausted  the budget left over the period is known (exhausted: none left)
  partial         its data covers less than the period ("covers 3 of 30 days"): no budget is
                  stated, since the rest of the period is not in it
  no-data         the rules are loaded but there are no events in the period
  not-deployed    Prometheus has no slogen:slo_objective:ratio for it: its rules are not loaded

When the budget runs out: at a burn rate b (the error ratio over a window divided by the error
budget), a fraction f of the budget left lasts f × period / b. It is a projection of the current
rate, not a forecast: errors that leave the period window give budget back.

A grouped SLO (`group_by`) is one objective per group value: it has one status per group found in
the answers (`availability {provider="stripe"}`), each with its own state, numbers and firing
alerts, sorted and filtered (`--label provider=stripe`) like any other. A grouped SLO whose rules
are loaded but that no group has data for yet is one `no-data` status without a group.

A grouped threshold alert (latency and ratio kinds) is one alert per group value in the same way:
one status per group its value expression answers for, with that group's value, state and firing
alerts; none answering yet is one `no-data` status without a group."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from slogen import conventions as C
from slogen import groups as G
from slogen.live.client import Sample
from slogen.status.catalogue import Catalogue, SloEntry, ThresholdEntry
from slogen.status.queries import Key, Points, Readings

OK, EXHAUSTED, PARTIAL, NO_DATA, NOT_DEPLOYED = "ok", "exhausted", "partial", "no-data", "not-deployed"
WARNING, CRITICAL, NO_VALUE = "warning", "critical", "no-value"
_RANK = {EXHAUSTED: 0, OK: 0, PARTIAL: 1, NO_DATA: 2, NOT_DEPLOYED: 3}


@dataclass(frozen=True)
class Firing:
    alert: str
    service: str
    severity: str
    slo: str | None
    window: str | None
    labels: dict[str, str]
    runbook_url: str | None     # None: not an alert of the selected specs
    group: dict[str, str] | None = None  # the group of a grouped SLO's or threshold's alert


@dataclass
class SloStatus:
    entry: SloEntry
    state: str
    sli: float | None                 # over the period (the part covered, when partial)
    remaining: float | None           # share of the error budget left; negative: overspent
    burn: dict[float, float | None]   # window (seconds) → burn rate; None: no events in it
    exhausted_in: dict[float, float | None]  # 1h / 6h window → seconds until no budget is left; None: never;
    # a window is left out when its burn rate is not known
    coverage: float | None            # seconds of the period with data
    deployed_objective: float | None
    firing: list[Firing] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    budget_points: Points = field(default_factory=list)
    burn_points: dict[float, Points] = field(default_factory=dict)
    group: dict[str, str] | None = None  # a grouped SLO's group (label → value); None: ungrouped, or no group yet

    @property
    def slo(self):
        return self.entry.slo

    @property
    def name(self) -> str:
        """The SLO's name, with its group: `availability {provider="stripe"}`."""
        return G.named(self.slo.name, self.entry.group_by, self.group)


@dataclass
class ThresholdStatus:
    entry: ThresholdEntry
    state: str                        # ok | warning | critical | no-data | no-value
    value: float | None
    firing: list[Firing] = field(default_factory=list)
    group: dict[str, str] | None = None  # as SloStatus.group

    @property
    def name(self) -> str:
        """The alert's name, with its group: `PaymentErrorsHigh {provider="stripe"}`."""
        return G.named(self.entry.threshold.name, self.entry.group_by, self.group)


@dataclass
class Report:
    at: float
    prometheus: str
    slos: list[SloStatus]
    thresholds: list[ThresholdStatus]
    firing: list[Firing]
    warnings: list[str]
    queries: int

    def count(self, state: str) -> int:
        return sum(1 for s in self.slos if s.state == state)


def assemble(cat: Catalogue, r: Readings, at: float, prometheus: str, warnings: list[str]) -> Report:
    runbooks = {("slo", e.slo.service, e.slo.name, e.slo.alert_name): e.runbook_url for e in cat.slos}
    runbooks |= {("threshold", *e.key): e.runbook_url for e in cat.thresholds}
    entries = [*cat.slos, *cat.thresholds]
    grouping = {_owner(e): e.group_by for e in entries if e.group_by}
    group_filters = {_owner(e): e.group_filter for e in entries if e.group_filter}
    firing = [_firing(s, runbooks, grouping) for s in r.firing]
    # --label on a grouping label: the alerts of the other groups are not part of the report either
    firing = [f for f in firing if f.group is None or _selected(f.group, group_filters.get(_owner(f), ()))]
    by_slo: dict[Key, list[Firing]] = defaultdict(list)
    by_threshold: dict[Key, list[Firing]] = defaultdict(list)
    for f in firing:
        group = tuple((f.group or {}).values())
        if f.slo:
            by_slo[(f.service, f.slo, group)].append(f)
        else:
            by_threshold[(f.service, f.alert, group)].append(f)
    found = r.groups()
    slos, warnings = [], list(warnings)
    for e in cat.slos:
        if not e.group_by:
            slos.append(_slo_status(e, r, (*e.key, ()), by_slo.get((*e.key, ()), [])))
            continue
        groups = sorted(found.get(e.key, ()))
        if len(groups) > e.slo.max_groups:
            warnings.append(_too_many(e, len(groups)))
        groups = [g for g in groups if _selected(dict(zip(e.group_by, g)), e.group_filter)]
        slos += [_slo_status(e, r, (*e.key, g), by_slo.get((*e.key, g), [])) for g in groups]
        if not groups:
            slos.append(_no_group(e, r, by_slo))
    slos.sort(key=lambda s: (_RANK[s.state], s.remaining if s.remaining is not None else 0.0,
                             s.slo.service, s.slo.name, tuple((s.group or {}).values())))
    thresholds = [t for e in cat.thresholds for t in _threshold_statuses(e, r, by_threshold, warnings)]
    # the groups of one alert (in one state): nearest to firing first
    thresholds.sort(key=lambda t: ({CRITICAL: 0, WARNING: 1}.get(t.state, 2), t.entry.threshold.service,
                                   t.entry.threshold.name, -_toward_firing(t.entry, t.value)))
    firing.sort(key=lambda f: (f.severity not in C.PAGING_SEVERITIES, f.service, f.alert, f.window or ""))
    return Report(at, prometheus, slos, thresholds, firing, sorted(set(warnings)), r.queries)


def _owner(x: SloEntry | ThresholdEntry | Firing) -> tuple[str, str, str]:
    """Whose a firing alert is, and the entry it belongs to: ("slo", service, slo) or
    ("threshold", service, alert)."""
    if isinstance(x, SloEntry):
        return ("slo", *x.key)
    if isinstance(x, ThresholdEntry):
        return ("threshold", *x.key)
    return ("slo", x.service, x.slo) if x.slo else ("threshold", x.service, x.alert)


def _selected(group: dict[str, str], group_filter: tuple[tuple[str, str], ...]) -> bool:
    """Whether a group passes the --label filters on its grouping labels."""
    return all(group.get(k) == v for k, v in group_filter)


def _too_many(e: SloEntry | ThresholdEntry, count: int) -> str:
    owner = e.slo if isinstance(e, SloEntry) else e.threshold
    each = "an objective with its own alerts" if isinstance(e, SloEntry) else "an alert of its own"
    return (f"{owner.service} {owner.name}: {count} groups of {', '.join(e.group_by)}, more than its max_groups "
            f"{owner.max_groups}; each is {each}, so every one is shown. Group by a label "
            "with few values, or raise max_groups if they are all expected (docs/group-by.md)")


def _no_group(e: SloEntry, r: Readings, by_slo: dict[Key, list[Firing]]) -> SloStatus:
    """A grouped SLO without a group to show: not deployed, or deployed without events yet (or
    none of its groups passes --label)."""
    deployed = (*e.key, ()) in r.objective
    firing = [f for k, fs in by_slo.items() if k[:2] == e.key for f in fs]
    notes = []
    if deployed:
        what = ", ".join(f"{k}={v}" for k, v in e.group_filter)
        notes.append(f"no group of {', '.join(e.group_by)}{' with ' + what if what else ''} has events in the "
                     "period yet")
    return SloStatus(e, NO_DATA if deployed else NOT_DEPLOYED, None, None, {}, {}, None,
                     r.objective.get((*e.key, ())), firing, notes)


def _slo_status(e: SloEntry, r: Readings, key: Key, firing: list[Firing]) -> SloStatus:
    slo = e.slo
    objective = r.objective.get((*e.key, ()))
    burn = {w: _burn(r.ratio.get(w, {}).get(key), slo.budget) for w in sorted(e.recorded | set(e.exhaustion))}
    coverage = r.coverage.get(key)
    error = r.period_error.get(key)
    remaining = r.remaining.get(key)
    h = slo.period / 720
    if objective is None:
        state = NOT_DEPLOYED
    elif coverage is None or error is None:
        state = NO_DATA
    elif coverage < slo.period - 2 * h:
        state = PARTIAL
    else:
        state = EXHAUSTED if remaining is not None and remaining <= 0 else OK
    notes = []
    if objective is not None and abs(objective - slo.objective) > 1e-9:
        notes.append(f"the deployed rules have objective {objective * 100:g}%, the spec {slo.objective * 100:g}%: "
                     "deploy the rules built from these specs")
    # A window whose error ratio Prometheus did not return at all is unknown: left out, not "never".
    exhausted_in = {w: _exhaustion(remaining, burn.get(w), slo.period) for w in e.exhaustion
                    if state in (OK, EXHAUSTED) and (key in r.ratio.get(w, {}) or (remaining or 0) <= 0)}
    burn_points = {w: _burn_points(pts, slo.budget) for w, pts in r.ratio_points.get(key, {}).items()}
    return SloStatus(e, state, None if error is None else 1 - error, remaining if state != NOT_DEPLOYED else None,
                     burn if state != NOT_DEPLOYED else {}, exhausted_in, coverage, objective, firing, notes,
                     r.budget_points.get(key, []), burn_points,
                     dict(zip(e.group_by, key[2])) if e.group_by else None)


def _burn(ratio: float | None, budget: float) -> float | None:
    return None if ratio is None or budget <= 0 else ratio / budget


def _burn_points(points: Points, budget: float) -> Points:
    """`_burn` of every point, inlined: 2 million points per HTML page at 1,000 services."""
    if budget <= 0:
        return [(t, None) for t, _ in points]
    return [(t, None if v is None else v / budget) for t, v in points]


def _exhaustion(remaining: float | None, burn: float | None, period: float) -> float | None:
    if remaining is None:
        return None
    if remaining <= 0:
        return 0.0
    if burn is None or burn <= 0:
        return None
    return remaining * period / burn


def _threshold_statuses(e: ThresholdEntry, r: Readings, by_threshold: dict[Key, list[Firing]],
                        warnings: list[str]) -> list[ThresholdStatus]:
    """One status per group of a grouped alert (only the groups --label selects), else one."""
    answers = r.threshold_values.get(e.key, [])
    if not e.group_by or not e.threshold.value_expr:
        return [_threshold_status(e, [v for _, v in answers], by_threshold.get((*e.key, ()), []))]
    values: dict[tuple[str, ...], list[float]] = defaultdict(list)
    for group, v in answers:
        values[group].append(v)
    if len(values) > e.threshold.max_groups:
        warnings.append(_too_many(e, len(values)))
    groups = [dict(zip(e.group_by, g)) for g in sorted(values)]
    shown = [_threshold_status(e, values[tuple(g.values())], by_threshold.get((*e.key, tuple(g.values())), []), g)
             for g in groups if _selected(g, e.group_filter)]
    if shown:
        return shown
    # no group yet (or none selected): one row, with whatever of its alerts still fires
    return [ThresholdStatus(e, NO_DATA, None, [f for k, fs in by_threshold.items() if k[:2] == e.key for f in fs])]


def _threshold_status(e: ThresholdEntry, values: list[float], firing: list[Firing],
                      group: dict[str, str] | None = None) -> ThresholdStatus:
    if not e.threshold.value_expr:
        return ThresholdStatus(e, CRITICAL if any(f.severity == C.SEVERITY_CRITICAL for f in firing)
                               else WARNING if firing else NO_VALUE, None, firing)
    if not values:
        return ThresholdStatus(e, NO_DATA, None, firing, group)
    # Several series (instances, disks): show the one nearest to firing.
    worst = max(values, key=lambda v: (_severity(e, v), _toward_firing(e, v)))
    state = {2: CRITICAL, 1: WARNING, 0: OK}[_severity(e, worst)]
    return ThresholdStatus(e, state, worst, firing, group)


def _severity(e: ThresholdEntry, v: float) -> int:
    held = {lvl.severity for lvl in e.levels if lvl.holds(v)}
    return 2 if C.SEVERITY_CRITICAL in held else 1 if C.SEVERITY_WARNING in held else 0


def _toward_firing(e: ThresholdEntry, v: float | None) -> float:
    """Larger the nearer `v` is to firing: the value itself, negated when only `below` levels fire."""
    if v is None:
        return float("-inf")
    return -v if {lvl.op for lvl in e.threshold.levels} == {"<"} else v


def _firing(s: Sample, runbooks: dict[tuple, str], grouping: dict[tuple[str, str, str], tuple[str, ...]]) -> Firing:
    labels = s.labels
    service, alert = labels.get(C.LABEL_SERVICE, ""), labels.get("alertname", "")
    slo = labels.get(C.LABEL_SLO) if labels.get(C.LABEL_ALERT_KIND) == "slo" else None
    owner = ("slo", service, slo) if slo else ("threshold", service, alert)  # as _owner() of the Firing
    runbook = runbooks.get((*owner, alert) if slo else owner)
    by = grouping.get(owner)
    return Firing(alert, service, labels.get(C.LABEL_SEVERITY, ""), slo, labels.get(C.LABEL_WINDOW),
                  {k: v for k, v in labels.items() if k not in ("__name__", "alertstate")}, runbook,
                  {l: labels.get(l, "") for l in by} if by else None)
