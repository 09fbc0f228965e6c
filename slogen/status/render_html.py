"""`--format html`: one self-contained page (inline CSS and SVG; no script, font or request to
anything). A Content-Security-Policy forbids every external load, so a page that tried one would
show it as a console error (the Chromium test looks for those).

The table comes first, worst budget first; then one section per SLO with its budget over the
period (budget left, each point computed over the period before it) and its burn rates over
the long alert windows, both from range queries, and links to its runbook and dashboard."""
from __future__ import annotations

import re

from slogen import groups
from slogen.durations import format_duration
from slogen.status import svg, text
from slogen.status.svg import escape
from slogen.status.report import Report, SloStatus

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 6px}
table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;
white-space:nowrap}th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.exhausted td{background:#ffebe9}tr.partial td,tr.no-data td,tr.not-deployed td{color:#57606a;background:#f6f8fa}
.muted{color:#57606a}.firing{color:#cf222e}section.slo{border-top:1px solid #d0d7de;padding-top:4px}
.plots{display:flex;flex-wrap:wrap;gap:12px}svg.plot{width:600px;max-width:100%;height:auto}
.frame{fill:#fff;stroke:#d0d7de}.grid{stroke:#eaeef2}.ref{stroke:#cf222e;stroke-dasharray:4 3}
.tick{font-size:10px;fill:#57606a}.legend{font-size:11px}.noplot{color:#57606a;font-style:italic}
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render(report: Report) -> str:
    title = f"SLO status at {text.timestamp(report.at)}"
    body = [f"<h1>{escape(title)}</h1>",
            f'<p class="muted">From {escape(report.prometheus)} · {escape(text.summary(report))}</p>']
    if report.firing:
        body.append("<h2>Firing</h2><ul>")
        for what, url in text.firing_lines(report):
            link = f' · <a href="{escape(url)}">runbook</a>' if url else ""
            body.append(f'<li class="firing">{escape(what)}{link}</li>')
        body.append("</ul>")
    body += [f'<p class="muted">{escape(w)}</p>' for w in report.warnings]
    body += _slo_table(report)
    if report.thresholds:
        header, rows = text.threshold_table(report)
        body.append("<h2>Threshold alerts</h2>")
        body.append(_table(header, rows, [t.state for t in report.thresholds], set(range(2, 5))))
    body += [_section(s, report.at) for s in report.slos]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def anchor(s: SloStatus) -> str:
    group = "".join(f"--{k}-{v}" for k, v in (s.group or {}).items())
    return "slo-" + re.sub(r"[^A-Za-z0-9_-]", "-", f"{s.slo.service}--{s.slo.name}{group}")


def _slo_table(report: Report) -> list[str]:
    header, rows = text.slo_table(report)
    for row, s in zip(rows, report.slos):
        row[1] = (escape(row[1]), f"#{anchor(s)}")  # type: ignore[call-overload]
    return ["<h2>SLOs</h2>", _table(header, rows, [s.state for s in report.slos],
                                     set(range(3, len(header) - 1)))]


def _table(header: list[str], rows: list, classes: list[str], numeric: set[int]) -> str:
    out = ["<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr></thead><tbody>"]
    for row, cls in zip(rows, classes):
        cells = []
        for i, cell in enumerate(row):
            content = f'<a href="{cell[1]}">{cell[0]}</a>' if isinstance(cell, tuple) else escape(cell)
            cells.append(f'<td class="num">{content}</td>' if i in numeric else f"<td>{content}</td>")
        out.append(f'<tr class="{escape(cls)}">' + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _section(s: SloStatus, at: float) -> str:
    slo = s.slo
    facts = (f"objective {text.percent(slo.objective, 4)} over {format_duration(slo.period)} · SLI "
             f"{text.sli_text(s)} · budget left {text.budget(s)} · team {slo.team}")
    links = (f'<a href="{escape(s.entry.dashboard_url)}">dashboard</a> · '
             f'<a href="{escape(s.entry.runbook_url)}">runbook ({escape(slo.alert_name)})</a>')
    group = f' data-group="{escape(groups.show(s.group))}"' if s.group is not None else ""
    parts = [f'<section class="slo" id="{anchor(s)}" data-service="{escape(slo.service)}" '
             f'data-slo="{escape(slo.name)}"{group}>',
             f"<h2>{escape(slo.service)} · {escape(s.name)}</h2>",
             f'<p>{escape(facts)}<br>{links}</p>']
    parts += [f'<p class="muted">{escape(n)}</p>' for n in s.notes]
    if s.firing:
        parts.append('<p class="firing">Firing: ' + escape(", ".join(f"{f.severity} {f.window}" for f in s.firing))
                     + "</p>")
    if s.state == "not-deployed":
        parts.append('<p class="noplot">Not deployed: Prometheus has none of its recording rules.</p>')
    else:
        end, start = at, at - slo.period
        budget = svg.line_plot(f"{slo.service} {s.name}: error budget left", [("budget left", s.budget_points)],
                               start, end, lambda v: text.percent(v, 0), refs=((0.0, "exhausted"),),
                               floor=0.0, ceiling=1.0)
        burn_lines = [(f"burn {format_duration(w)}", pts) for w, pts in sorted(s.burn_points.items())]
        burn = svg.line_plot(f"{slo.service} {s.name}: burn rate", burn_lines, start, end,
                             lambda v: f"{v:.1f}x", refs=((1.0, "1x: budget lasts the period"),), floor=0.0)
        parts.append(f'<div class="plots">{budget}{burn}</div>')
    parts.append("</section>")
    return "".join(parts)

