"""How numbers read in every format except JSON (which keeps them raw)."""
from __future__ import annotations

import time

from slogen.durations import format_duration
from slogen.groups import show
from slogen.thresholds.kind import format_value
from slogen.status.report import EXHAUSTED, NO_DATA, NO_VALUE, NOT_DEPLOYED, PARTIAL, SloStatus, ThresholdStatus

DASH = "—"


def percent(ratio: float | None, digits: int = 3) -> str:
    if ratio is None:
        return DASH
    value = ratio * 100
    text = f"{value:.{digits}f}" if abs(value) < 1e6 else f"{value:.3g}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def sli(ratio: float | None) -> str:
    """Enough digits to tell 99.95% from 99.9%: four decimals, trailing zeros dropped."""
    return percent(ratio, 4)


def burn(rate: float | None) -> str:
    if rate is None:
        return DASH
    return f"{rate:.2f}x" if rate < 100 else f"{rate:.0f}x"


def span(seconds: float | None) -> str:
    """A rough human length: `now`, `45m`, `3h10m`, `4d6h`, `never`."""
    if seconds is None:
        return "never"
    if seconds <= 0:
        return "now"
    if seconds >= 365 * 86400:
        return f"{seconds // (365 * 86400):.0f}y+"
    for big, small, a, b in ((86400, 3600, "d", "h"), (3600, 60, "h", "m")):
        if seconds >= 2 * big:
            whole, part = int(seconds // big), int(seconds % big // small)
            return f"{whole}{a}{part}{b}" if part else f"{whole}{a}"
    return f"{max(1, round(seconds / 60))}m"


def coverage(covered: float, period: float) -> str:
    """`covers 3 of 30 days`; periods shorter than two days (drills) in durations."""
    if period >= 2 * 86400:
        value = f"{covered / 86400:.1f}".rstrip("0").rstrip(".")
        return f"covers {value} of {period / 86400:g} days"
    return f"covers {format_duration(round(covered))} of {format_duration(period)}"


def budget(s: SloStatus) -> str:
    """The budget column, or why there is none."""
    if s.state == NOT_DEPLOYED:
        return "not deployed"
    if s.state == NO_DATA:
        return "no data"
    if s.state == PARTIAL:
        return coverage(s.coverage or 0.0, s.slo.period)
    text = percent(s.remaining, 1)
    return f"{text} (exhausted)" if s.state == EXHAUSTED else text


def sli_text(s: SloStatus) -> str:
    return sli(s.sli) if s.state not in (PARTIAL, NO_DATA, NOT_DEPLOYED) else DASH


def objective(s: SloStatus) -> str:
    return f"{percent(s.slo.objective, 4)} / {format_duration(s.slo.period)}"


def exhaustion(s: SloStatus) -> str:
    if s.state not in ("ok", EXHAUSTED):
        return DASH
    return " / ".join(span(s.exhausted_in[w]) if w in s.exhausted_in else DASH for w in s.entry.exhaustion)


def threshold_value(t: ThresholdStatus) -> str:
    if t.state == NO_VALUE:
        return "(alert only)"
    if t.value is None:
        return "no data"
    th = t.entry.threshold
    return format_value(float(f"{t.value:.4g}"), th.value_unit)


def level(t: ThresholdStatus, severity: str) -> str:
    return next((lvl.condition for lvl in t.entry.levels if lvl.severity == severity), DASH)


def timestamp(at: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))


def summary(report) -> str:
    n = len(report.slos)
    parts = [f"{report.count(EXHAUSTED)} with the error budget exhausted"]
    for state, words in ((PARTIAL, "with less history than their period"), (NO_DATA, "without data"),
                         (NOT_DEPLOYED, "not deployed")):
        if report.count(state):
            parts.append(f"{report.count(state)} {words}")
    alerts = len(report.firing)
    return (f"{n} SLO{'s' * (n != 1)}: " + ", ".join(parts)
            + f"; {alerts} slogen alert{'s' * (alerts != 1)} firing")


def burn_windows(report) -> list[float]:
    """The long alert windows of the SLOs shown: one burn-rate column each."""
    return sorted({w.long for s in report.slos for w in s.entry.windows})


def slo_table(report) -> tuple[list[str], list[list[str]]]:
    windows = burn_windows(report)
    header = ["SERVICE", "SLO", "OBJECTIVE", "SLI", "BUDGET LEFT"]
    header += [f"BURN {format_duration(w)}" for w in windows]
    header += ["BUDGET GONE IN (1h / 6h RATE)", "FIRING"]
    rows = []
    for s in report.slos:
        row = [s.slo.service, s.name, objective(s), sli_text(s), budget(s)]
        row += [burn(s.burn.get(w)) if w in s.entry.recorded and s.state != NOT_DEPLOYED else DASH for w in windows]
        row += [exhaustion(s), ", ".join(sorted({f"{f.severity} {f.window}" for f in s.firing})) or DASH]
        rows.append(row)
    return header, rows


def threshold_table(report) -> tuple[list[str], list[list[str]]]:
    header = ["SERVICE", "ALERT", "VALUE", "WARNING", "CRITICAL", "STATE"]
    rows = [[t.entry.threshold.service, t.name, threshold_value(t), level(t, "warning"),
             level(t, "critical"), t.state + (" (firing)" if t.firing else "")] for t in report.thresholds]
    return header, rows


def firing_lines(report) -> list[tuple[str, str]]:
    """(text, runbook URL or "") per firing alert."""
    out = []
    for f in report.firing:
        what = f"{f.service} {f.slo}" if f.slo else f.service
        if f.group is not None:
            what += f" {{{show(f.group)}}}"
        window = f" ({f.window})" if f.window else ""
        out.append((f"{f.severity}: {f.alert} {what}{window}", f.runbook_url or ""))
    return out
