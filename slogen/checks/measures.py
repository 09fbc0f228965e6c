"""What a threshold measures, in words the unit checks can reason with.

`unit`: "percent" (0-100), "cores" (percent of one core: 0 up, no upper bound), "bytes",
"seconds", "milliseconds", "state", or "" (unknown: a gauge or expression without `unit`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from slogen.thresholds.kind import CompareLevel

MILLI_SUFFIXES = ("_milliseconds", "_ms")
WORDS = {">": "above", "<": "below", "==": "equal to"}
KEYS = {">": "above", "<": "below", "==": "equals"}


@dataclass(frozen=True)
class Level:
    severity: str          # "warning" | "critical"
    level: CompareLevel
    path: tuple            # of the compared value, e.g. ("thresholds", 2, "warning", "above")

    @property
    def op(self) -> str:
        return self.level.op

    @property
    def value(self) -> float:
        return self.level.value

    @property
    def words(self) -> str:
        return f"{WORDS[self.op]} {self.level.value:g}"


def levels(spec, path: tuple) -> Iterator[Level]:
    for sev in ("warning", "critical"):
        lvl = getattr(spec, sev, None)
        if isinstance(lvl, CompareLevel):
            yield Level(sev, lvl, path + (sev, KEYS[lvl.op]))


def histogram_unit(name: str) -> str:
    return "milliseconds" if name.endswith(MILLI_SUFFIXES) else "seconds"


def unit_of(spec) -> str:
    kind = spec.kind
    if kind == "disk" or kind == "ratio":
        return "percent"
    if kind == "memory":
        return "bytes" if spec.measure == "used_bytes" else "percent"
    if kind == "cpu":
        return "cores" if spec.measure == "process_percent" else "percent"
    if kind == "latency":
        return histogram_unit(spec.histogram)
    if kind == "state":
        return "state"
    if kind in ("gauge", "expression"):
        return spec.unit
    return ""


def what(spec) -> str:
    """The measured value in a few words, for messages."""
    if spec.kind == "memory":
        return "process memory in bytes" if spec.measure == "used_bytes" else "host memory used, in percent"
    if spec.kind == "disk":
        return f"disk space {'free' if spec.measure == 'free_percent' else 'used'}, in percent"
    if spec.kind == "cpu":
        return "CPU use in percent" + (" of one core" if spec.measure == "process_percent" else "")
    if spec.kind == "ratio":
        return f"the {'good' if (spec.good or spec.good_query) else 'bad'} share of events, in percent"
    if spec.kind == "latency":
        return f"a latency percentile in {histogram_unit(spec.histogram)}"
    return f"the value{' in ' + spec.unit if getattr(spec, 'unit', '') else ''}"
