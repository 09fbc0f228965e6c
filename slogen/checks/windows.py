"""Windows and budgets: burn-rate windows that cannot work as written (a `for` longer than the
window it holds over, a page on a burn that would never exhaust the budget, a window shorter
than a rule evaluation) and an error budget too small to measure."""
from __future__ import annotations

from slogen.checks.base import ERROR, WARNING, Context, check, declare
from slogen.durations import format_duration, parse_duration

declare("windows/for-exceeds-long", WARNING, "a burn-rate window's `for` is longer than its long window")
declare("windows/page-factor", WARNING, "a page tier whose burn factor is below 1 pages on a sustainable burn")
declare("windows/short-below-eval", ERROR, "a window shorter than one rule evaluation (1m): it holds no sample")
declare("windows/budget-too-small", WARNING, "an error budget smaller than one rule evaluation of full outage")
declare("alerts/unreachable", WARNING, "a burn-rate alert that would need an error ratio of 100% or more (left out)")
declare("windows/rate-window", WARNING, "a threshold's rate window shorter than 1m (two scrapes are needed)")

EVALUATION = 60  # seconds: Prometheus' default evaluation_interval, which slogen's SLI rules use


def _windows(p, path, slo):
    """(windows, path of the list or None for the shipped ones) in force for an SLO."""
    from slogen.model.build import default_windows

    if slo.alerting.windows:
        return slo.alerting.windows, path + ("alerting", "windows")
    if p.spec.alerting.windows:
        return p.spec.alerting.windows, ("alerting", "windows")
    return default_windows(), None


def _disabled(p, slo, severity: str) -> bool:
    for tier in (getattr(slo.alerting, severity), getattr(p.spec.alerting, severity)):
        if "disabled" in tier.model_fields_set:
            return tier.disabled
    return False


@check
def burn_windows(ctx: Context) -> None:
    for p, path, s in ctx.slos():
        period = parse_duration(s.period)
        windows, wpath = _windows(p, path, s)
        for j, w in enumerate(windows):
            at = (lambda field: wpath + (j, field)) if wpath else (lambda field: path + ("period",))
            long, short, hold = parse_duration(w.long), parse_duration(w.short), parse_duration(w.for_)
            if wpath and hold > long:
                ctx.report("windows/for-exceeds-long", f"`for: {w.for_}` is longer than the long window {w.long}: "
                           "by the time the alert fires, the burn it saw has left the window", p.source, at("for"),
                           hint="keep `for` well below the long window (usually 0 to a few minutes)")
            for field, value in (("short", short), ("long", long)):
                if wpath and value < EVALUATION:
                    ctx.report("windows/short-below-eval", f"window {getattr(w, field)} is shorter than one rule "
                               f"evaluation ({format_duration(EVALUATION)}): it holds no recorded sample, so the "
                               "alert never fires", p.source, at(field), hint="use at least 1m, usually 5m")
            factor = w.budget_percent / 100 * period / long
            if w.severity == "page" and factor < 1 and long <= period and not _disabled(p, s, "page"):
                ctx.report("windows/page-factor", f"this page fires at a burn rate of {factor:.3g}, below 1: a burn "
                           f"that slow would not use up the budget in {s.period}, yet it pages someone",
                           p.source, at("budget_percent"),
                           hint="page on fast burns only (factor = budget_percent/100 × period / long ≥ 1)")
        budget_seconds = (1 - s.objective_percent / 100) * period
        if s.objective_percent < 100 and budget_seconds < EVALUATION:
            field = "objective" if s.objective is not None else None
            where = path + (field,) if field else path + ("sli", "percentile")
            ctx.report("windows/budget-too-small", f"the error budget is {budget_seconds:.3g}s of full outage per "
                       f"{s.period}, less than one rule evaluation ({format_duration(EVALUATION)}): no alert can "
                       "tell a spent budget from a healthy service", p.source, where,
                       hint="lower the objective (99.99 leaves 4m20s a month) or lengthen the period")


@check
def threshold_windows(ctx: Context) -> None:
    for p, path, t in ctx.thresholds():
        window = getattr(t, "window", None)
        if isinstance(window, str) and parse_duration(window) < EVALUATION:
            ctx.report("windows/rate-window", f"rate() over {window} needs two scrapes inside the window; with the "
                       "usual 15s-1m scrape interval it is often empty", p.source, path + ("window",),
                       hint="use 5m")
