"""Where each panel goes on Grafana's 24-column grid. The jsonnet library (`lib/layout.libsonnet`)
numbers the panels and sizes them; this places every panel that has a size and no position, in
order: left to right, a new line when a panel does not fit, a row panel always on a line of its
own. The same walk written in jsonnet was a third of a dashboard's evaluation time."""
from __future__ import annotations

COLUMNS = 24


def place(dashboard: dict) -> dict:
    x = y = line = 0
    for panel in dashboard.get("panels") or ():
        grid = panel.get("gridPos")
        if not isinstance(grid, dict) or "x" in grid or "y" in grid:
            continue  # placed by hand (a team's dashboard override)
        w, h = grid.get("w", COLUMNS), grid.get("h", 1)
        if panel.get("type") == "row" or x + w > COLUMNS:
            x, y, line = 0, y + line, h
        else:
            line = max(line, h)
        panel["gridPos"] = {"h": h, "w": w, "x": x, "y": y}
        x += w
    return dashboard
