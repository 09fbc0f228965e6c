"""What every threshold-alert kind provides, and the level types they share.

A threshold alert has no error budget: it compares one measured value against a warning and/or
a critical level, each with its own `for`. Each kind module turns its spec into that value's
PromQL and knows how to synthesise input series that make the value what a test needs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from slogen import promql
from slogen.durations import parse_duration
from slogen.series import Series
from slogen.spec.common import AlertName, Duration, Labels, Number, Strict, doc


class CompareLevel(Strict):
    above: Number | None = doc("Fire when the value is above this.", default=None)
    below: Number | None = doc("Fire when the value is below this.", default=None)
    equals: Number | None = doc("Fire when the value equals this (state gauges).", default=None)
    for_: Duration = Field("5m", alias="for", description="How long the condition must hold before the alert fires.")

    @model_validator(mode="after")
    def _one(self):
        given = [x for x in (self.above, self.below, self.equals) if x is not None]
        if len(given) != 1:
            raise PydanticCustomError("level", "a level needs exactly one of `above`, `below` or `equals`")
        return self

    @property
    def op(self) -> str:
        return ">" if self.above is not None else "<" if self.below is not None else "=="

    @property
    def value(self) -> float:
        return next(x for x in (self.above, self.below, self.equals) if x is not None)

    def holds(self, measured: float | None) -> bool:
        if measured is None:
            return False
        return {">": measured > self.value, "<": measured < self.value, "==": measured == self.value}[self.op]


class ForLevel(Strict):
    for_: Duration = Field("1m", alias="for", description="How long the condition must hold before the alert fires.")


class ThresholdBase(Strict):
    name: AlertName | None = doc("Alert name (CamelCase). Each kind has a default; two alerts of a service "
                                 "cannot share a name.", default=None)
    description: str = doc("What this alert watches, in a sentence (goes into the runbook).", default="")
    labels: Labels = doc("Extra labels on this alert.", default_factory=dict)


@dataclass(frozen=True)
class Holds:
    """When a level holds for a measured value (None: no series): data, not a function, so the
    model stays plain values (it is pickled by `slogen status`'s cache)."""
    op: str                  # ">", "<", "==" against `value`; "absent": when there is no series
    value: float = 0.0
    scale: float = 1.0       # the measured value is multiplied by this first (disk_fill: hours → seconds)

    def __call__(self, measured: float | None) -> bool:
        if self.op == "absent":
            return measured is None
        if measured is None:
            return False
        m = measured * self.scale if self.scale != 1.0 else measured
        return {">": m > self.value, "<": m < self.value, "==": m == self.value}[self.op]


@dataclass(frozen=True)
class LevelRule:
    """One alerting rule: a level of a threshold alert."""
    severity: str           # "warning" | "critical"
    expr: str
    for_seconds: float
    condition: str          # prose: "above 85%", "equals 2", "absent"
    holds: Holds


@dataclass(frozen=True)
class Phase:
    minutes: int
    value: float | None     # the measured value during this phase (None: series absent)
    settle: int = 0         # minutes the value takes to reach `value` (rate windows etc.)


@dataclass(frozen=True)
class Fixture:
    series: list[Series]
    labels: dict[str, str]  # labels the alert carries from its input series


@dataclass(frozen=True)
class Measured:
    """The series of the kinds that measure a host or a process in several ways (cpu, disk, memory)."""
    measure: str        # the spec's `measure`: which metrics the value is computed from
    matchers: tuple[promql.Matcher, ...]


def measured(spec) -> Measured:
    return Measured(spec.measure, promql.parse_matchers(spec.selector))


@dataclass(frozen=True)
class ThresholdKind:
    """Functions of the spec run in the model stage; `fixture` (the generated tests) reads the
    model's value, `measure` of the spec, held in slogen.model.Threshold.measure."""
    name: str
    spec: type
    default_name: str | None
    # PromQL of the measured value (for dashboards and alerts); None where there is none to plot
    value_expr: Callable[[Any], str | None]
    rules: Callable[[Any], list[LevelRule]]
    # what the generated test's input series are made from: a frozen value (a promql.Selector, a
    # Measured, ...), kept in the model
    measure: Callable[[Any], Any]
    # input series making the measured value follow `values` (one per minute), from `measure`
    fixture: Callable[[Any, list[float | None]], Fixture]
    # the generated test's phases (quiet, then each level), kept in the model
    phases: Callable[[Any], list[Phase]]
    unit: str = ""          # "percent", "bytes", "seconds" or ""
    shows_value: bool = True  # whether the description quotes {{ $value }}
    topic: str = ""         # runbook checklist key


def severities(spec) -> list[tuple[str, Any]]:
    return [(sev, lvl) for sev, lvl in (("critical", getattr(spec, "critical", None)),
                                        ("warning", getattr(spec, "warning", None))) if lvl is not None]


def compare_rules(spec, value_expr: str, unit: str = "") -> list[LevelRule]:
    out = []
    for sev, lvl in severities(spec):
        number = promql.format_number(lvl.value)
        word = {">": "above", "<": "below", "==": "equal to"}[lvl.op]
        out.append(LevelRule(sev, f"{value_expr} {lvl.op} {number}", parse_duration(lvl.for_),
                             f"{word} {format_value(lvl.value, unit)}", Holds(lvl.op, lvl.value)))
    return out


def format_value(value: float, unit: str) -> str:
    if unit == "percent":
        return f"{promql.format_number(value)}%"
    if unit == "bytes":
        for suffix, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
            if value >= size and (value / size).is_integer():
                return f"{int(value / size)}{suffix}"
        for suffix, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
            if value >= size:
                return f"{promql.format_number(round(value / size, 3))}{suffix}"
        return f"{promql.format_number(value)}B"
    if unit == "seconds":
        return f"{promql.format_number(value)}s"
    return promql.format_number(value)


def compare_phases(spec, settle: int = 0) -> list[Phase]:
    """ok (just on the good side of the nearest level) → warning band → critical band."""
    levels = severities(spec)
    by = dict(levels)
    ref = by.get("warning") or by.get("critical")
    values = [lvl.value for _, lvl in levels]
    if ref.op == "==":
        ok = min(values) - 1 if min(values) - 1 not in values else max(values) + 1
        out = [Phase(30, ok)]
        if "warning" in by:
            out.append(Phase(settle + _for_min(by["warning"]) + 10, by["warning"].value, settle))
        if "critical" in by:
            out.append(Phase(settle + _for_min(by["critical"]) + 10, by["critical"].value, settle))
        return out
    sign = 1 if ref.op == ">" else -1
    gap = abs(values[0] - values[-1]) if len(values) > 1 else max(abs(ref.value) * 0.2, 1.0)
    ok = ref.value - sign * gap * 0.1  # just on the quiet side
    out = [Phase(30, ok)]
    if "warning" in by:
        w = by["warning"].value
        c = by["critical"].value if "critical" in by else w + sign * gap
        out.append(Phase(settle + _for_min(by["warning"]) + 10, (w + c) / 2, settle))
    if "critical" in by:
        out.append(Phase(settle + _for_min(by["critical"]) + 10, by["critical"].value + sign * gap * 0.5, settle))
    return out


def _for_min(level) -> int:
    return int(parse_duration(level.for_) // 60)


def steps(phases: list[Phase]) -> list[float | None]:
    out: list[float | None] = []
    for p in phases:
        out.extend([p.value] * p.minutes)
    return out
