"""`--format table`: aligned columns for a terminal."""
from __future__ import annotations

from slogen.status import text
from slogen.status.report import Report


def render(report: Report) -> str:
    lines = [f"slogen status of {report.prometheus} at {text.timestamp(report.at)}", text.summary(report), ""]
    if report.slos:
        lines += _aligned(*text.slo_table(report)) + [""]
    if report.thresholds:
        lines += ["Threshold alerts"] + _aligned(*text.threshold_table(report)) + [""]
    if report.firing:
        lines.append("Firing")
        lines += [f"  {what}" + (f"  runbook: {url}" if url else "") for what, url in text.firing_lines(report)]
        lines.append("")
    notes = [f"{s.slo.service} {s.name}: {n}" for s in report.slos for n in s.notes] + report.warnings
    if notes:
        lines += ["Notes"] + [f"  {n}" for n in notes] + [""]
    return "\n".join(lines)


def _aligned(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows]]
