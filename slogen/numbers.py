"""Numbers in prose (annotations, runbooks, dashboard labels): short, yet never rounded to a
different meaning. An objective of 99.9999999% must not read "100%", nor a threshold of
0.0000043% "0%"; the rules themselves always carry the exact values."""
from __future__ import annotations

from slogen.durations import format_duration
from slogen.promql import format_number

TOLERANCE = 0.01  # how far rounding may move a value, as a share of its distance to 0 and to 100%


def format_percent(ratio: float, decimals: int = 6) -> str:
    """`ratio` in percent with at most `decimals` decimals, or more where fewer would move it by
    more than 1% of its distance to 0% or to 100%: 0.999 → `99.9%`, 0.999999999 → `99.9999999%`."""
    value = ratio * 100
    room = min(abs(value), abs(100 - value)) * TOLERANCE
    for places in range(decimals, 17):
        shown = round(value, places)
        if abs(shown - value) <= room:
            return f"{format_number(shown)}%"
    return f"{format_number(float(f'{value:.6g}'))}%"  # tiny values: six significant digits


def format_seconds(seconds: float) -> str:
    """A duration for prose: `250ms`, `1m30s`; `0.0001s` where milliseconds cannot spell it."""
    text = format_duration(seconds)
    return text if round(seconds * 1000) == seconds * 1000 else f"{format_number(seconds)}s"
