"""Synthetic input series for generated promtool tests: one value per step, or None (no sample)."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate

from slogen import promql


class Untestable(ValueError):
    """slogen cannot derive test inputs for this SLI or alert; the message says why and what to do."""


@dataclass(frozen=True)
class Series:
    metric: str
    labels: tuple[tuple[str, str], ...]
    values: tuple[float | None, ...]

    @property
    def label_dict(self) -> dict[str, str]:
        return dict(self.labels)

    def selector(self) -> str:
        body = ",".join(f"{k}={promql.quote(v)}" for k, v in self.labels)
        return f"{self.metric}{{{body}}}"


def series(metric: str, labels: dict[str, str], values) -> Series:
    return Series(metric, tuple(sorted(labels.items())), tuple(values))


def with_labels(s: Series, labels: dict[str, str], start: int = 0) -> Series:
    """`s` with extra labels (a test group's), its samples starting at step `start`."""
    if not labels and not start:
        return s
    return series(s.metric, s.label_dict | labels, (None,) * start + s.values)


def counter(increments: list[float], start: float = 0.0) -> list[float]:
    """Counter samples from per-step increments; the first sample is `start`."""
    return [start] + list(accumulate(increments, initial=start))[1:]


def expanding(values: tuple[float | None, ...]) -> str:
    """promtool's compact notation: runs of equal steps become `a+bxn`, gaps become `_`."""
    parts: list[str] = []
    i, n = 0, len(values)
    while i < n:
        v = values[i]
        if v is None:
            j = i
            while j < n and values[j] is None:
                j += 1
            parts.append("_" if j - i == 1 else f"_x{j - i}")
            i = j
            continue
        j = i + 1
        if j < n and values[j] is not None:
            step = values[j] - v
            while j + 1 < n and values[j + 1] is not None and values[j + 1] - values[j] == step:
                j += 1
            count = j - i
            if count >= 2:
                parts.append(f"{_num(v)}{'+' if step >= 0 else '-'}{_num(abs(step))}x{count}")
                i = j + 1
                continue
        parts.append(_num(v))
        i += 1
    return " ".join(parts)


def _num(v: float) -> str:
    return promql.format_number(v)
