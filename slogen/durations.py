"""Prometheus-style durations (`5m`, `1h30m`, `30d`) as whole seconds."""
from __future__ import annotations

import re
from functools import lru_cache

UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
_ORDER = ["y", "w", "d", "h", "m", "s", "ms"]
_WHOLE = re.compile(r"^(?:\d+(?:ms|s|m|h|d|w|y))+$")


def parse_duration(text: str) -> float:
    """Seconds in `text`; raises ValueError with a readable reason."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a duration; write it like 30s, 5m, 1h30m or 30d")
    return _parse(text)


@lru_cache(maxsize=1024)  # a fleet's specs spell the same few durations 200,000 times
def _parse(text: str) -> float:
    if not _WHOLE.match(text):
        raise ValueError(f"{text!r} is not a duration; write it like 30s, 5m, 1h30m or 30d")
    ranks = [_ORDER.index(u) for _, u in _PART.findall(text)]
    if ranks != sorted(set(ranks)):
        raise ValueError(f"{text!r}: units must go from largest to smallest, each once")
    return sum(int(n) * UNITS[u] for n, u in _PART.findall(text))


@lru_cache(maxsize=4096)  # the unit tests and rules of a fleet spell the same few windows 100,000 times
def format_duration(seconds: float) -> str:
    """The shortest Prometheus spelling: 3600 → `1h`, 5400 → `1h30m`, 2592000 → `30d`."""
    if seconds <= 0:
        return "0s"
    ms = round(seconds * 1000)
    out = []
    for unit, size in (("d", 86400000), ("h", 3600000), ("m", 60000), ("s", 1000), ("ms", 1)):
        if ms >= size:
            out.append(f"{ms // size}{unit}")
            ms %= size
    return "".join(out)


def scaled(seconds: float, scale: float) -> float:
    """A duration at `--time-scale` (drills): whole seconds, at least 1s."""
    return max(round(seconds * scale), 1) if scale != 1 else seconds


def humanize_duration(seconds: float) -> str:
    """For prose: `50 hours`, `3 days`, `43 minutes`."""
    for unit, size, from_ in (("day", 86400, 3 * 86400), ("hour", 3600, 2 * 3600), ("minute", 60, 60)):
        if seconds >= from_ or (seconds >= size and seconds % size == 0):
            value = seconds / size
            text = f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"
            return f"{text} {unit}{'' if text == '1' else 's'}"
    return f"{seconds:.0f} seconds"
