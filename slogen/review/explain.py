"""`slogen explain`: when does each burn-rate alert of an SLO fire, what has it cost by then, and
how soon does it stop after the incident ends.

The figures are those of a real evaluation (slogen.model.detection): the generated rules
evaluated every minute after a step burn B on a clean window, `for` included; B ≤ f never fires
(the rule needs the ratio *above* f·budget). The Google SRE Workbook's continuous figure,
f·W/B + `for`, is what they approach: the windows read raw counters land on the next evaluation
after it, the ones summed from 5m rates a little later (docs/alerting.md, "Detection time").
Budget spent by then: B·t/P. `slogen.review.verify` turns every figure into promtool checks that
hold exactly, and tests/review runs them."""
from __future__ import annotations

from dataclasses import dataclass

from slogen import groups
from slogen.diagnostics import Diagnostics
from slogen.durations import format_duration
from slogen.model import Bundle, SLO, detection
from slogen.model.alerts import Alert, service_alerts

BURNS = (2.0, 6.0, 14.4, 50.0)  # the burn rates every explanation shows, after a total outage


@dataclass(frozen=True)
class Row:
    label: str
    burn: float
    possible: bool                 # False: the burn needs an error ratio above 100%
    detect: float | None = None    # seconds from the start of the burn, `for` included; None: never
    spent: float | None = None     # share of the period's error budget burnt by then
    reset: float | None = None     # seconds after the burn stops until the alert resolves


@dataclass(frozen=True)
class AlertExplanation:
    alert: Alert
    rows: tuple[Row, ...]

    @property
    def threshold(self) -> float:
        """The error ratio both windows must exceed."""
        return self.alert.window.factor * self.alert.slo.budget


@dataclass(frozen=True)
class SLOExplanation:
    slo: SLO
    alerts: tuple[AlertExplanation, ...]
    base: float            # the base window (seconds) the rules read raw counters over


def outage_burn(slo: SLO) -> float:
    """Every event bad: the highest burn rate there is."""
    return 1 / slo.budget


def burns(slo: SLO) -> list[tuple[str, float]]:
    return [("total outage", outage_burn(slo))] + [(f"{b:g}x", b) for b in BURNS]


def explain_alert(alert: Alert, base: float) -> AlertExplanation:
    w, slo = alert.window, alert.slo
    rows = []
    for label, b in burns(slo):
        if b * slo.budget > 1 + 1e-9:
            rows.append(Row(label, b, possible=False))
            continue
        t = detection.detection_seconds(slo, w, b, base)
        rows.append(Row(label, b, True, t, None if t is None else b * t / slo.period,
                        detection.reset_seconds(slo, w, b, base)))
    return AlertExplanation(alert, tuple(rows))


def explain(bundle: Bundle, slo_name: str | None, diags: Diagnostics) -> list[SLOExplanation]:
    out = []
    for service in bundle.services:
        alerts = service_alerts(service, bundle)
        for slo in service.slos:
            if slo_name and slo.name != slo_name:
                continue
            found = tuple(explain_alert(a, bundle.base_window) for a in alerts if a.slo is slo)
            out.append(SLOExplanation(slo, found, bundle.base_window))
    if not out:
        names = sorted({s.name for svc in bundle.services for s in svc.slos})
        if slo_name:
            diags.error("explain/unknown-slo", f"no SLO named `{slo_name}` in these specs",
                        hint=f"SLOs: {', '.join(names)}" if names else "these specs define no SLOs")
        else:
            diags.error("explain/no-slo", "these specs define no SLOs (threshold alerts have no burn rate)")
    return out


# --- text -------------------------------------------------------------------------------------

def human(seconds: float) -> str:
    """Detection and reset times for people: 52s, 2m52s, 1h05m, 1d15h."""
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s" if s % 60 else f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"


def percent(ratio: float) -> str:
    return f"{ratio * 100:.3g}%"


def _burn_label(row: Row) -> str:
    return f"{row.label} ({row.burn:g}x)" if row.label == "total outage" else row.label


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def render_alert(e: AlertExplanation) -> list[str]:
    a, w = e.alert, e.alert.window
    head = (f"{a.name} [{a.severity}, {format_duration(w.long)}/{format_duration(w.short)}]: error ratio above "
            f"{percent(e.threshold)} (burn rate > {w.factor:g}x) over {format_duration(w.long)} and "
            f"{format_duration(w.short)}, for {format_duration(w.for_seconds) if w.for_seconds else '0s'}; "
            f"designed to fire after {percent(w.budget_share)} of the budget")
    rows = [["burn rate", "fires after", "budget spent", "resets after recovery"]]
    for r in e.rows:
        if not r.possible:
            rows.append([_burn_label(r), "impossible (error ratio > 100%)", "", ""])
        elif r.detect is None:
            rows.append([_burn_label(r), f"never (needs > {w.factor:g}x)", "-", "-"])
        else:
            rows.append([_burn_label(r), human(r.detect), percent(r.spent), human(r.reset)])
    return [head] + ["    " + line for line in _table(rows)]


NOTES = """\
How to read this: the generated rules evaluated every minute, after a step to burn rate B on a
clean window; "fires after" includes `for`, and the budget spent includes the burn during it. The
SRE Workbook's f·W/B + `for` is the continuous ideal: a window read from raw counters (up to 1h)
crosses at the first evaluation after it, one summed from 5m rates up to 5 minutes later. The
alert stops once either window falls to the threshold. A Prometheus that evaluates the alert group
before the recordings at the same tick adds up to one minute; tests/review checks every figure
with promtool (docs/alerting.md)."""


def render_text(explanations: list[SLOExplanation]) -> str:
    out: list[str] = []
    for x in explanations:
        slo = x.slo
        out.append(f"{slo.service} / {slo.name}: objective {slo.objective_percent:g}% over "
                   f"{format_duration(slo.period)}, error budget {percent(slo.budget)} "
                   f"(a total outage burns {outage_burn(slo):g}x)")
        if slo.group_by:
            out.append(f"  per group: one budget and one set of alerts for each value of "
                       f"{groups.describe(slo.group_by)}; every figure below holds for each group on its own "
                       f"traffic{f' (min_events {slo.min_events} per group)' if slo.min_events else ''}")
        if not x.alerts:
            out.append("  no burn-rate alerts (every tier is disabled or unreachable)")
        for e in x.alerts:
            out.extend("  " + line for line in render_alert(e))
        out.append("")
    out.append(NOTES)
    return "\n".join(out) + "\n"
