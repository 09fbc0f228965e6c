"""The normalised model: durations in seconds, objectives as ratios, defaults applied, names final."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slogen.diagnostics import Position
from slogen.groups import DEFAULT_MAX_GROUPS
from slogen.thresholds.kind import LevelRule, Phase

if TYPE_CHECKING:  # annotations only
    from slogen.sli import SLI
    from slogen.thresholds import Measure


@dataclass(frozen=True)
class BurnWindow:
    severity: str          # "page" | "ticket"
    budget_share: float    # 0.02 = 2% of the period's budget burns within `long` before it fires
    long: float            # seconds
    short: float
    for_seconds: float
    factor: float          # burn-rate factor: share × period / long, rounded to 4 decimals


@dataclass(frozen=True)
class Tier:
    receiver: str | None
    labels: dict[str, str]


@dataclass(frozen=True)
class SLO:
    service: str
    team: str
    name: str
    description: str
    objective: float       # ratio, e.g. 0.999
    period: float          # seconds
    kind: str              # SLI kind (key of slogen.sli.KINDS)
    sli: SLI               # the kind's own value (its queries and test inputs: slogen.sli.KINDS[kind])
    sli_description: str   # "the share of requests that succeed"
    good_noun: str         # "successful requests"
    bad_noun: str          # "failed requests"
    as_written: str        # the `sli` of the spec as YAML, as the runbook quotes it
    errors_query: str      # bad events per second over the base window
    requests_query: str    # all events per second over the base window
    alert_name: str
    windows: tuple[BurnWindow, ...]
    min_events: int
    labels: dict[str, str]  # extra labels on every alert of this SLO
    page: Tier
    ticket: Tier
    position: Position
    group_by: tuple[str, ...] = ()  # one objective per value of these labels (slogen.groups)
    max_groups: int = DEFAULT_MAX_GROUPS
    # the label values of the generated tests' groups (a, b, c, d), when grouped
    test_groups: tuple[dict[str, str], ...] = ()
    # windows (seconds, besides the base window) whose error ratio is read from the raw counters:
    # window → (bad events per second, all events per second) over it. Other windows are summed
    # from the recorded base-window rates.
    raw_queries: dict[float, tuple[str, str]] = field(default_factory=dict)

    @property
    def budget(self) -> float:
        return round(1 - self.objective, 12)

    @property
    def objective_percent(self) -> float:
        return round(self.objective * 100, 10)


@dataclass(frozen=True)
class Level:
    """A level compared with the measured value (not the `for`-only levels of up and absent)."""
    severity: str           # "critical" | "warning"
    op: str                 # ">", "<" or "=="
    value: float


@dataclass(frozen=True)
class Threshold:
    service: str
    team: str
    name: str
    kind: str              # key of slogen.thresholds.KINDS
    measure: Measure        # the kind's own value: what its generated test's series are made from
    phases: tuple[Phase, ...]  # the generated test: quiet, then into each level
    as_written: str         # the spec as YAML, as the runbook quotes it
    description: str
    value_expr: str | None
    unit: str
    value_unit: str         # unit of the measured value: `unit`, or "bytes" for a process's memory
    metric: str | None      # the metric selector of gauge and absent thresholds
    levels: tuple[Level, ...]  # critical first
    states: dict[int, str]  # state gauges: value → state name
    rules: tuple[LevelRule, ...]
    labels: dict[str, str]
    page: Tier              # critical levels
    ticket: Tier            # warning levels
    position: Position
    group_by: tuple[str, ...] = ()  # ratio and latency kinds: one alert per value of these labels
    max_groups: int = DEFAULT_MAX_GROUPS
    test_groups: tuple[dict[str, str], ...] = ()  # as for SLO


@dataclass(frozen=True)
class Service:
    name: str
    team: str
    description: str
    labels: dict[str, str]
    slos: tuple[SLO, ...]
    thresholds: tuple[Threshold, ...]
    source: str             # spec file, relative, for headers
    position: Position


# Receivers: every secret is a file path, made absolute under the bundle's `secrets_dir`.

@dataclass(frozen=True)
class PagerDuty:
    routing_key_file: str
    url: str | None = None  # PagerDuty's own events API when None


@dataclass(frozen=True)
class Slack:
    channel: str
    api_url_file: str


@dataclass(frozen=True)
class Webhook:
    url_file: str


@dataclass(frozen=True)
class Email:
    to: str
    sender: str             # `from` in the spec
    smarthost: str
    auth_username: str | None = None
    auth_password_file: str | None = None


@dataclass(frozen=True)
class Receiver:
    name: str
    pagerduty: PagerDuty | None = None
    slack: Slack | None = None
    webhook: Webhook | None = None
    email: Email | None = None


@dataclass(frozen=True)
class Settings:
    runbook_base_url: str
    grafana_url: str
    secrets_dir: str
    receivers: tuple[Receiver, ...] = ()
    teams: dict[str, tuple[str, str]] = field(default_factory=dict)  # team → (page, ticket) receiver
    default_receiver: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class RuleOutput:
    """How rule files are packaged besides the plain files (`slogen build --format`)."""
    format: str = "prometheus"  # "prometheus" | "prometheus-operator" | "mimir"
    namespace: str = "monitoring"  # Kubernetes namespace of the PrometheusRule objects
    labels: dict[str, str] = field(default_factory=dict)  # on the PrometheusRule objects (ruleSelector)


@dataclass(frozen=True)
class Bundle:
    services: tuple[Service, ...]
    settings: Settings
    base_window: float      # seconds over which raw metrics are read (5m; scaled in drills)
    time_scale: float = 1.0
    output: RuleOutput = RuleOutput()
    dashboards: str | None = None  # the team's dashboards/ folder (custom panels), see targets/grafana

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)
