"""The native spec, `apiVersion: slogen/v1`, `kind: Service`: one file per service.

Every field is documented here; docs/reference.md and `slogen schema` are generated from
these descriptions, so this file is the user's contract."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from slogen.sli import SLISpec
from slogen.spec.common import (AlertName, Duration, LabelName, Labels, Name, Strict, WindowDuration, doc,
                                group_by_field, max_groups_field)
from slogen.thresholds import ThresholdSpec


class WindowSpec(Strict):
    """One burn-rate window pair of a tier (docs/rules.md, "The alert maths": factor = share × period / long)."""
    severity: Literal["page", "ticket"] = doc("Which tier this window pair alerts on.")
    budget_percent: float = doc("""Share of the period's error budget that may burn within `long` before the
        alert fires. The burn-rate factor is budget_percent/100 × period / long.""", gt=0, le=100)
    long: WindowDuration = doc("Long window, e.g. `1h`.")
    short: WindowDuration = doc("Short window, usually long/12, e.g. `5m`.")
    for_: Duration = Field("0s", alias="for", description="How long both windows must exceed the threshold.")

    @field_validator("for_", mode="before")
    @classmethod
    def _allow_zero(cls, v):
        return "0s" if v in ("0s", "0m", 0) else v


class TierSpec(Strict):
    """Options of one notification tier: pages (fast burns, critical levels) or tickets."""
    disabled: bool = doc("Do not generate alerts of this tier.", default=False)
    receiver: str | None = doc("""Receiver (from the bundle file) that gets this tier; default: the team's
        page or ticket receiver.""", default=None)
    labels: Labels = doc("""Extra labels on the alerts of this tier (e.g. for your own routing). A
        `severity` label here replaces slogen's page/ticket (critical/warning) value on these alerts, as
        Sloth's `page_alert.labels` do; Alertmanager routes must then match your values.""",
                         default_factory=dict)


class AlertingSpec(Strict):
    """Alerting options of a service; an SLO may override any of them."""
    page: TierSpec = doc("Options of page alerts (fast burns, and critical threshold levels).",
                         default_factory=TierSpec)
    ticket: TierSpec = doc("Options of ticket alerts (slow burns, and warning threshold levels).",
                           default_factory=TierSpec)
    min_events: int = doc("""Low-traffic guard: burn-rate alerts fire only when the long window saw at least
        this many events, so 1 failed request out of 3 does not page. 0 turns it off.""", default=0, ge=0)
    windows: list[WindowSpec] | None = doc("""Replace the shipped burn-rate windows (see
        `slogen/data/windows.yaml`).""", default=None)
    labels: Labels = doc("Extra labels on every alert.", default_factory=dict)


class SLOAlerting(AlertingSpec):
    """An SLO's alerting options: the service's, overridden field by field, plus the alert name."""
    name: AlertName | None = doc("""Alert name for this SLO's burn-rate alerts (page and ticket share it,
        told apart by `severity`). Default: the SLO name in CamelCase + `BudgetBurn`.""", default=None)


class SLOSpec(Strict):
    """A service level objective: an SLI, a target share of good events and a rolling period."""
    name: Name = doc("SLO name, unique within the service, e.g. `availability`, `latency-p95`.")
    description: str = doc("What the SLO promises, in a sentence.", default="")
    objective: float | None = doc("""Target in percent of good events, e.g. 99.9. For latency SLIs it
        defaults to the percentile.""", default=None)
    period: WindowDuration = doc("Rolling period of the error budget: `30d` (default), `28d`, `7d`.", default="30d")
    sli: SLISpec = doc("How good and bad events are measured; `kind` picks the SLI type.")
    group_by: list[LabelName] = group_by_field(
        "every LLM provider, route or tenant gets its own error budget, alerts and dashboard series, and "
        "`min_events` applies per group")
    max_groups: int = max_groups_field()
    labels: Labels = doc("Extra labels on this SLO's alerts.", default_factory=dict)
    alerting: SLOAlerting = doc("Alerting options for this SLO (override the service's).",
                                default_factory=SLOAlerting)

    @field_validator("objective")
    @classmethod
    def _range(cls, objective):
        if objective is not None and not 0 < objective < 100:
            raise PydanticCustomError("objective-range",
                                      "objective must be between 0 and 100 (exclusive), in percent; got {v}",
                                      {"v": objective})
        return objective

    @model_validator(mode="after")
    def _objective(self):
        pct = getattr(self.sli, "percentile", None)
        if self.objective is None and pct is None:
            raise PydanticCustomError("missing", "missing `objective` (percent of good events, e.g. 99.9)")
        if pct is not None and self.objective is not None and pct != self.objective:
            raise PydanticCustomError("objective-conflict",
                                      "objective {o} differs from the SLI's percentile {p}; give one of them",
                                      {"o": self.objective, "p": pct})
        return self

    @property
    def objective_percent(self) -> float:
        return self.objective if self.objective is not None else self.sli.percentile


class ServiceSpec(Strict):
    """A service file (`apiVersion: slogen/v1`, `kind: Service`): its SLOs and threshold alerts."""
    apiVersion: Literal["slogen/v1"] = doc("Spec format version.")
    kind: Literal["Service"] = doc("`Service` (the default) for a service spec.", default="Service")
    service: Name = doc("Service name, unique across the bundle; becomes the `service` label.")
    team: Name = doc("Owning team; becomes the `team` label and picks the default receivers.")
    description: str = doc("What the service does, in a sentence (runbooks, dashboards).", default="")
    labels: Labels = doc("Extra labels on every alert of this service.", default_factory=dict)
    alerting: AlertingSpec = doc("Alerting options for all SLOs of the service.", default_factory=AlertingSpec)
    slos: list[SLOSpec] = doc("Service level objectives with error budgets.", default_factory=list)
    thresholds: list[ThresholdSpec] = doc("Threshold alerts (no error budget), each with warning and/or "
                                          "critical levels.", default_factory=list)

    @model_validator(mode="after")
    def _something(self):
        if not self.slos and not self.thresholds:
            raise PydanticCustomError("empty", "the service defines no `slos` and no `thresholds`")
        return self
