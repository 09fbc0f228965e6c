"""`--format markdown`: GitHub-flavoured Markdown for an issue or pull-request comment. GitHub
refuses comments over 65,536 characters, so a large fleet is cut after its worst SLOs, and the
comment says how many rows it left out."""
from __future__ import annotations

from slogen.status import text
from slogen.status.report import Report

LIMIT = 60_000  # characters, leaving room under GitHub's 65,536


def render(report: Report) -> str:
    head = [f"### SLO status at {text.timestamp(report.at)}", "", text.summary(report) + ".", ""]
    firing = []
    if report.firing:
        firing = ["**Firing**", ""] + [f"- {_md(what)}" + (f" ([runbook]({url}))" if url else "")
                                       for what, url in text.firing_lines(report)] + [""]
    header, rows = text.slo_table(report)
    links = {id(r): s.entry.dashboard_url for r, s in zip(rows, report.slos)}
    slo_lines = _table(header, rows, link_column=1, links=links)
    t_header, t_rows = text.threshold_table(report)
    t_lines = (["**Threshold alerts**", ""] + _table(t_header, t_rows) + [""]) if t_rows else []
    notes = [f"- {_md(s.slo.service)} {_md(s.name)}: {_md(n)}" for s in report.slos for n in s.notes]
    notes += [f"- {_md(w)}" for w in report.warnings]
    notes = (["**Notes**", ""] + notes + [""]) if notes else []
    footer = [f"<sub>slogen status of {_md(report.prometheus)}</sub>", ""]
    fixed = sum(len(x) + 1 for x in head + firing + notes + footer)
    budget = LIMIT - fixed
    slo_part = _fit(slo_lines, budget * 2 // 3 if t_lines else budget, "SLOs")
    t_part = _fit(t_lines, budget - sum(len(x) + 1 for x in slo_part), "threshold alerts") if t_lines else []
    return "\n".join(head + firing + slo_part + [""] + t_part + notes + footer)


def _table(header: list[str], rows: list[list[str]], link_column: int | None = None,
           links: dict[int, str] | None = None) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        cells = [_md(c) for c in row]
        if link_column is not None and links and links.get(id(row)):
            cells[link_column] = f"[{cells[link_column]}]({links[id(row)]})"
        out.append("| " + " | ".join(cells) + " |")
    return out


def _fit(lines: list[str], budget: int, what: str) -> list[str]:
    """The table's first rows (the worst ones) that fit in `budget` characters."""
    used, kept = 0, []
    for i, line in enumerate(lines):
        if used + len(line) + 1 > budget - 120 and i >= 2:
            left = len([x for x in lines[i:] if x.startswith("| ")])
            return kept + ["", f"*… and {left} more {what}: see `slogen status --format json` or `--format html`.*"]
        kept.append(line)
        used += len(line) + 1
    return kept


def _md(cell: str) -> str:
    """Table-safe text: pipes, and the characters GitHub would turn into markup or mentions."""
    out = cell.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")
    return out.replace("<", "&lt;").replace(">", "&gt;").replace("@", "@\u200b")
