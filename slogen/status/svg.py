"""Small line plots as inline SVG: no script, no font, no network; they scale with the page."""
from __future__ import annotations

import html
import time
from functools import lru_cache

WIDTH, HEIGHT = 600, 190
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 12, 26
COLORS = ("#1f6feb", "#d97706", "#7c3aed", "#059669", "#dc2626")

# A status page escapes ~270,000 strings at 1,000 services, mostly the same legends, names and
# tick labels: memoised (the HTML page uses it too).
escape = lru_cache(maxsize=1 << 16)(html.escape)


def line_plot(title: str, lines: list[tuple[str, list[tuple[float, float | None]]]], start: float, end: float,
              y_format, refs: tuple[tuple[float, str], ...] = (), floor: float | None = None,
              ceiling: float | None = None) -> str:
    """`lines`: (legend, points); gaps (None) break a line. `refs`: dashed horizontal lines."""
    values = [v for _, pts in lines for _, v in pts if v is not None] + [y for y, _ in refs]
    if not any(v is not None for _, pts in lines for _, v in pts):
        return f'<p class="noplot">{escape(title)}: no data in the period.</p>'
    lo = min(values + ([floor] if floor is not None else []))
    hi = max(values + ([ceiling] if ceiling is not None else []))
    if hi - lo < 1e-12:
        hi = lo + 1
    pad = (hi - lo) * 0.05
    lo, hi = lo - pad, hi + pad
    span = max(end - start, 1e-9)

    def x(t: float) -> float:
        return LEFT + (t - start) / span * (WIDTH - LEFT - RIGHT)

    def y(v: float) -> float:
        return TOP + (hi - v) / (hi - lo) * (HEIGHT - TOP - BOTTOM)

    # x() and y() inlined for the polylines (most of a page's numbers): the same arithmetic
    x0, sx, y0, sy = LEFT, (WIDTH - LEFT - RIGHT) / span, TOP, (HEIGHT - TOP - BOTTOM) / (hi - lo)

    parts = [f'<svg class="plot" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg">',
             f'<title>{escape(title)}</title>',
             f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" height="{HEIGHT - TOP - BOTTOM}" '
             'class="frame"/>']
    for i in range(5):
        v = lo + pad + (hi - lo - 2 * pad) * i / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" class="grid"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y(v) + 4:.1f}" class="tick" text-anchor="end">{escape(y_format(v))}'
                     '</text>')
    parts.append(_time_ticks(start, span))
    for value, label in refs:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" class="ref"/>')
        parts.append(f'<text x="{WIDTH - RIGHT - 4}" y="{y(value) - 4:.1f}" class="tick" text-anchor="end">'
                     f'{escape(label)}</text>')
    for n, (legend, points) in enumerate(lines):
        color = COLORS[n % len(COLORS)]
        for segment in _segments(points):
            if len(segment) == 1:
                t, v = segment[0]
                parts.append(f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="2" fill="{color}"/>')
            else:
                path = " ".join([f"{x0 + (t - start) * sx:.1f},{y0 + (hi - v) * sy:.1f}" for t, v in segment])
                parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="1.6"/>')
        parts.append(f'<text x="{LEFT + 6 + 90 * n}" y="{TOP + 14}" class="legend" fill="{color}">'
                     f'{escape(legend)}</text>')
    parts.append("</svg>")
    return "".join(parts)


@lru_cache(maxsize=64)  # every plot of a page covers the same period
def _time_ticks(start: float, span: float) -> str:
    parts = []
    for i in range(5):
        t = start + span * i / 4
        anchor = "start" if i == 0 else "end" if i == 4 else "middle"
        parts.append(f'<text x="{LEFT + (t - start) / span * (WIDTH - LEFT - RIGHT):.1f}" y="{HEIGHT - 8}" '
                     f'class="tick" text-anchor="{anchor}">{time.strftime("%b %d %H:%M", time.gmtime(t))}</text>')
    return "".join(parts)


def _segments(points: list[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    out: list[list[tuple[float, float]]] = [[]]
    for t, v in points:
        if v is None:
            if out[-1]:
                out.append([])
        else:
            out[-1].append((t, v))
    return [s for s in out if s]
