"""The OpenSLO documents slogen reads (v1, and the v1alpha SLO shape Sloth reads), as typed
models. Only structure is checked here; meaning (queries, names, durations) is checked by the
native spec after mapping, at the user's line. Unknown fields are errors, as in native specs."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from slogen.formats.headers import OPENSLO_V1 as V1, OPENSLO_V1ALPHA as V1ALPHA
from slogen.spec.common import Strict


class Metadata(Strict):
    name: str
    displayName: str | None = None
    labels: dict[str, Any] = Field(default_factory=dict)
    annotations: dict[str, Any] = Field(default_factory=dict)
    namespace: str | None = None


class MetricSource(Strict):
    metricSourceRef: str | None = None
    type: str | None = None
    spec: dict[str, Any] = Field(default_factory=dict)


class Metric(Strict):
    metricSource: MetricSource


class RatioMetric(Strict):
    counter: bool | None = None
    good: Metric | None = None
    bad: Metric | None = None
    total: Metric | None = None
    rawType: Literal["success", "failure"] | None = None
    raw: Metric | None = None


class SLISpec(Strict):
    description: str = ""
    thresholdMetric: Metric | None = None
    ratioMetric: RatioMetric | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.thresholdMetric is None) == (self.ratioMetric is None):
            raise PydanticCustomError("sli-form", "give exactly one of `ratioMetric` and `thresholdMetric`")
        return self


class InlineSLI(Strict):
    metadata: Metadata
    spec: SLISpec


class TimeWindow(Strict):
    duration: str
    isRolling: bool | None = None
    calendar: dict[str, Any] | None = None


class Objective(Strict):
    displayName: str | None = None
    op: Literal["lte", "gte", "lt", "gt"] | None = None
    value: float | None = None
    target: float | None = None
    targetPercent: float | None = None
    timeSliceTarget: float | None = None
    timeSliceWindow: Any = None
    indicator: InlineSLI | None = None
    indicatorRef: str | None = None
    compositeWeight: float | None = None

    @model_validator(mode="after")
    def _target(self):
        if (self.target is None) == (self.targetPercent is None):
            raise PydanticCustomError("objective-form", "give exactly one of `target` (0.999) and "
                                      "`targetPercent` (99.9)")
        if self.target is not None and not 0 < self.target < 1:
            raise PydanticCustomError("objective-range", "`target` is a ratio between 0 and 1, e.g. 0.999")
        if self.targetPercent is not None and not 0 < self.targetPercent < 100:
            raise PydanticCustomError("objective-range", "`targetPercent` is between 0 and 100, e.g. 99.9")
        return self


class Condition(Strict):
    kind: str = "burnrate"
    op: Literal["lte", "gte", "lt", "gt"] | None = None
    threshold: float
    lookbackWindow: str
    alertAfter: str = "0m"


class ConditionSpec(Strict):
    description: str = ""
    severity: str
    condition: Condition


class ConditionItem(Strict):
    """An inline AlertCondition, or a `conditionRef` to one."""
    kind: Literal["AlertCondition"] | None = None
    metadata: Metadata | None = None
    spec: ConditionSpec | None = None
    conditionRef: str | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.conditionRef is None) == (self.spec is None):
            raise PydanticCustomError("ref-form", "give either `conditionRef` or an inline condition "
                                      "(`kind: AlertCondition`, `metadata`, `spec`)")
        return self


class TargetSpec(Strict):
    target: str
    description: str = ""


class TargetItem(Strict):
    """An inline AlertNotificationTarget, or a `targetRef` to one."""
    kind: Literal["AlertNotificationTarget"] | None = None
    metadata: Metadata | None = None
    spec: TargetSpec | None = None
    targetRef: str | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.targetRef is None) == (self.spec is None or self.metadata is None):
            raise PydanticCustomError("ref-form", "give either `targetRef` or an inline target "
                                      "(`kind: AlertNotificationTarget`, `metadata`, `spec`)")
        return self


class PolicySpec(Strict):
    description: str = ""
    alertWhenNoData: bool = False
    alertWhenResolved: bool = False
    alertWhenBreaching: bool = True
    conditions: list[ConditionItem]
    notificationTargets: list[TargetItem] = Field(default_factory=list)


class PolicyItem(Strict):
    """An inline AlertPolicy, or an `alertPolicyRef` to one."""
    kind: Literal["AlertPolicy"] | None = None
    metadata: Metadata | None = None
    spec: PolicySpec | None = None
    alertPolicyRef: str | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.alertPolicyRef is None) == (self.spec is None):
            raise PydanticCustomError("ref-form", "give either `alertPolicyRef` or an inline policy "
                                      "(`kind: AlertPolicy`, `metadata`, `spec`)")
        return self


class SLOSpec(Strict):
    description: str = ""
    service: str
    indicator: InlineSLI | None = None
    indicatorRef: str | None = None
    timeWindow: list[TimeWindow] = Field(default_factory=list)
    budgetingMethod: str = "Occurrences"
    objectives: list[Objective] = Field(min_length=1)
    alertPolicies: list[PolicyItem] = Field(default_factory=list)

    @model_validator(mode="after")
    def _indicator(self):
        if (self.indicator is None) == (self.indicatorRef is None):
            raise PydanticCustomError("sli-form", "give exactly one of `indicator` (inline) and `indicatorRef`")
        return self


class Doc(Strict):
    apiVersion: Literal["openslo/v1"]
    metadata: Metadata


class SLODoc(Doc):
    kind: Literal["SLO"]
    spec: SLOSpec


class SLIDoc(Doc):
    kind: Literal["SLI"]
    spec: SLISpec


class AlertPolicyDoc(Doc):
    kind: Literal["AlertPolicy"]
    spec: PolicySpec


class AlertConditionDoc(Doc):
    kind: Literal["AlertCondition"]
    spec: ConditionSpec


class AlertNotificationTargetDoc(Doc):
    kind: Literal["AlertNotificationTarget"]
    spec: TargetSpec


class ServiceDocSpec(Strict):
    description: str = ""


class ServiceDoc(Doc):
    kind: Literal["Service"]
    spec: ServiceDocSpec = Field(default_factory=ServiceDocSpec)


class DataSourceSpec(Strict):
    description: str = ""
    type: str
    connectionDetails: dict[str, Any] = Field(default_factory=dict)


class DataSourceDoc(Doc):
    kind: Literal["DataSource"]
    spec: DataSourceSpec


V1_KINDS = {d.model_fields["kind"].annotation.__args__[0]: d for d in (
    SLODoc, SLIDoc, AlertPolicyDoc, AlertConditionDoc, AlertNotificationTargetDoc, ServiceDoc, DataSourceDoc)}


# --- v1alpha: the SLO shape Sloth reads --------------------------------------------------------

class AlphaQuery(Strict):
    source: str = "prometheus"
    queryType: str = "promql"
    query: str
    metadata: dict[str, Any] = Field(default_factory=dict)


class AlphaRatio(Strict):
    good: AlphaQuery | None = None
    bad: AlphaQuery | None = None
    total: AlphaQuery
    incremental: bool | None = None


class AlphaObjective(Strict):
    displayName: str | None = None
    target: float
    value: float | None = None
    op: str | None = None
    ratioMetrics: AlphaRatio | None = None

    @model_validator(mode="after")
    def _target(self):
        if not 0 < self.target < 1:
            raise PydanticCustomError("objective-range", "`target` is a ratio between 0 and 1, e.g. 0.999")
        return self


class AlphaWindow(Strict):
    count: int
    unit: str
    isRolling: bool | None = None
    calendar: dict[str, Any] | None = None


class AlphaSLOSpec(Strict):
    description: str = ""
    service: str
    budgetingMethod: str = "Occurrences"
    indicator: dict[str, Any] | None = None
    objectives: list[AlphaObjective] = Field(min_length=1)
    timeWindows: list[AlphaWindow] = Field(default_factory=list)


class AlphaSLODoc(Strict):
    apiVersion: Literal["openslo/v1alpha"]
    kind: Literal["SLO"]
    metadata: Metadata
    spec: AlphaSLOSpec
