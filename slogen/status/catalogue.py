"""What `slogen status` asks Prometheus about, taken from the model: every SLO and threshold alert
the selected specs define, with the names of the series that hold their state, their alert
windows and their links. Filters (service, team, label) apply here, before anything is queried."""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from slogen import conventions as C
from slogen.model import Bundle, SLO, Threshold
from slogen.model.alerts import runbook_path
from slogen.targets.prometheus.rules import windows_of
from slogen.thresholds.kind import LevelRule

EXHAUSTION_WINDOWS = (3600, 6 * 3600)  # "when does the budget run out at the current 1h / 6h burn rate"


@dataclass(frozen=True)
class Window:
    long: float            # seconds
    short: float
    severity: str          # page | ticket
    factor: float          # the burn rate at which this window pair alerts


@dataclass(frozen=True)
class SloEntry:
    slo: SLO
    windows: tuple[Window, ...]
    recorded: frozenset[float]  # windows with a recorded error ratio (slogen:sli_error:ratio_rate<w>)
    exhaustion: tuple[float, ...]  # the 1h and 6h windows, scaled like the bundle
    labels: dict[str, str]      # service labels and the SLO's own
    runbook_url: str
    dashboard_url: str
    # --label filters on a grouping label (`--label provider=stripe`): they select groups, which
    # only the answers know, so they are applied to the report, not here
    group_filter: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.slo.service, self.slo.name)

    @property
    def group_by(self) -> tuple[str, ...]:
        return self.slo.group_by


@dataclass(frozen=True)
class ThresholdEntry:
    threshold: Threshold
    levels: tuple[LevelRule, ...]
    labels: dict[str, str]
    runbook_url: str
    dashboard_url: str
    group_filter: tuple[tuple[str, str], ...] = ()  # as for SloEntry: applied to the report

    @property
    def key(self) -> tuple[str, str]:
        return (self.threshold.service, self.threshold.name)

    @property
    def group_by(self) -> tuple[str, ...]:
        return self.threshold.group_by


@dataclass(frozen=True)
class Filters:
    services: tuple[str, ...] = ()   # names or shell patterns (`checkout-*`)
    teams: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()  # every pair must match a service or SLO label

    def match(self, service: str, team: str, labels: dict[str, str], group_by: tuple[str, ...] = ()) -> bool:
        """Whether an SLO or alert is selected; pairs on a grouping label select groups (`on_groups`)."""
        if self.services and not any(fnmatch.fnmatchcase(service, p) for p in self.services):
            return False
        if self.teams and team not in self.teams:
            return False
        return all(labels.get(k) == v for k, v in self.labels if k not in group_by)

    def on_groups(self, group_by: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        return tuple((k, v) for k, v in self.labels if k in group_by)

    @property
    def active(self) -> bool:
        return bool(self.services or self.teams or self.labels)


@dataclass(frozen=True)
class Catalogue:
    bundle: Bundle
    slos: tuple[SloEntry, ...]
    thresholds: tuple[ThresholdEntry, ...]
    filtered: bool

    @property
    def services(self) -> list[str]:
        return sorted({e.slo.service for e in self.slos} | {e.threshold.service for e in self.thresholds})


def catalogue(bundle: Bundle, filters: Filters) -> Catalogue:
    settings = bundle.settings
    slos, thresholds = [], []
    for service in bundle.services:
        dashboard = f"{settings.grafana_url}/d/{C.dashboard_uid(service.name)}"
        for slo in service.slos:
            labels = dict(service.labels) | dict(slo.labels)
            if not filters.match(service.name, slo.team, labels, slo.group_by):
                continue
            windows = tuple(Window(w.long, w.short, w.severity, w.factor) for w in slo.windows)
            recorded = frozenset(windows_of(slo, bundle.base_window)) | {bundle.base_window}
            exhaustion = tuple(w * bundle.time_scale for w in EXHAUSTION_WINDOWS)
            slos.append(SloEntry(slo, windows, recorded, exhaustion, labels,
                                 f"{settings.runbook_base_url}/{runbook_path(service.name, slo.alert_name)}",
                                 dashboard, filters.on_groups(slo.group_by)))
        for t in service.thresholds:
            labels = dict(service.labels) | dict(t.labels)
            if not filters.match(service.name, t.team, labels, t.group_by):
                continue
            thresholds.append(ThresholdEntry(t, t.rules, labels,
                                             f"{settings.runbook_base_url}/{runbook_path(service.name, t.name)}",
                                             dashboard, filters.on_groups(t.group_by)))
    return Catalogue(bundle, tuple(slos), tuple(thresholds), filters.active)
