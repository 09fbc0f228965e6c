"""Threshold-alert kinds. Adding one: a new module with a `KIND`, and one line in this table."""
from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field

from slogen import promql
from slogen.sli.events import Events
from slogen.thresholds import absent, cpu, disk, disk_fill, expression, gauge, latency, memory, ratio, state, up
from slogen.thresholds.kind import Measured, ThresholdKind

KINDS: dict[str, ThresholdKind] = {k.name: k for k in (
    disk.KIND, disk_fill.KIND, memory.KIND, cpu.KIND, gauge.KIND, state.KIND, up.KIND, absent.KIND,
    ratio.KIND, latency.KIND, expression.KIND,
)}

ThresholdSpec = Annotated[Union[tuple(k.spec for k in KINDS.values())], Field(discriminator="kind")]
# A threshold's series in the model (`measure` of its kind): a selector (absent, gauge, state, up,
# disk_fill), a Measured (cpu, disk, memory), a Quantile (latency), Events (ratio) or the
# expression's text (expression)
Measure = Union[promql.Selector, Measured, latency.Quantile, Events, str]
