"""Level order: the warning level must be reached before the critical one, and a level must be a
value the measure can take."""
from __future__ import annotations

from slogen.checks.base import ERROR, WARNING, Context, check, declare
from slogen.checks.measures import levels, unit_of, what
from slogen.durations import format_duration, parse_duration

declare("levels/order", ERROR, "the warning level is beyond the critical level, so critical fires first")
declare("levels/direction", WARNING, "warning and critical compare in opposite directions (above / below)")
declare("levels/state-unknown", ERROR, "a level of a state gauge that is not one of its `states`")
declare("levels/wrong-side", WARNING, "a level on the harmless side of its measure (disk used below, CPU below...)")
declare("levels/impossible", ERROR, "a level a measure that is never negative can never reach, or always passes")

NON_NEGATIVE = {"bytes", "seconds", "milliseconds", "state"}


@check
def order(ctx: Context) -> None:
    for p, path, t in ctx.thresholds():
        by = {lv.severity: lv for lv in levels(t, path)}
        warning, critical = by.get("warning"), by.get("critical")
        if warning is None or critical is None or "==" in (warning.op, critical.op):
            continue
        if warning.op != critical.op:
            ctx.report("levels/direction", f"warning fires {warning.words} but critical {critical.words}: "
                       "they watch opposite sides", p.source, warning.path,
                       hint="use `above` for both (too high) or `below` for both (too low)")
            continue
        inverted = warning.value > critical.value if warning.op == ">" else warning.value < critical.value
        if inverted:
            ctx.report("levels/order", f"the warning level ({warning.words}) is more severe than the critical "
                       f"level ({critical.words}, line {p.source.at(critical.path).line}): critical fires first "
                       "and the warning never warns", p.source, warning.path,
                       hint="swap the two values")


def _bad_side(t) -> str | None:
    """The direction in which this measure gets worse: ">" (too high is bad), "<", or None."""
    if t.kind == "disk":
        return "<" if t.measure == "free_percent" else ">"
    if t.kind in ("memory", "cpu", "latency"):
        return ">"
    if t.kind == "ratio":
        return "<" if (t.good or t.good_query) else ">"
    return None


@check
def wrong_side(ctx: Context) -> None:
    for p, path, t in ctx.thresholds():
        bad = _bad_side(t)
        for lv in levels(t, path):
            if bad is not None and lv.op in (">", "<") and lv.op != bad:
                ctx.report("levels/wrong-side", f"{what(t)} {lv.words} is the healthy side: this level fires while "
                           "all is well", p.source, lv.path,
                           hint=f"use `{'above' if bad == '>' else 'below'}`"
                           + (", or the other `measure`" if t.kind == "disk" else ""))


@check
def timing_order(ctx: Context) -> None:
    """Kinds whose levels differ by time: `up` / `absent` (warning after a shorter `for`) and
    `disk_fill` (warning for a longer horizon `within`)."""
    for p, path, t in ctx.thresholds():
        warning, critical = getattr(t, "warning", None), getattr(t, "critical", None)
        if warning is None or critical is None or t.kind not in ("up", "absent", "disk_fill"):
            continue
        field = "within" if t.kind == "disk_fill" else "for"
        w, c = parse_duration(getattr(warning, field if field == "within" else "for_")), \
            parse_duration(getattr(critical, field if field == "within" else "for_"))
        inverted = w < c if field == "within" else w >= c
        if inverted:
            what = (f"full within {format_duration(w)}, sooner than critical's {format_duration(c)}"
                    if field == "within" else f"after {format_duration(w)}, no sooner than critical's "
                    f"{format_duration(c)}")
            ctx.report("levels/order", f"the warning fires {what}: critical fires first and the warning never "
                       "warns", p.source, path + ("warning", field),
                       hint="the warning needs " + ("the longer horizon" if field == "within" else "the shorter `for`"))


@check
def reachable(ctx: Context) -> None:
    for p, path, t in ctx.thresholds():
        unit = unit_of(t)
        if t.kind == "state":
            _states(ctx, p, path, t)
            continue
        if unit not in NON_NEGATIVE:
            continue
        for lv in levels(t, path):
            if (lv.op == "<" and lv.value <= 0) or (lv.op == "==" and lv.value < 0):
                ctx.report("levels/impossible", f"the value is never negative, so it is never {lv.words}: "
                           "this level can never fire", p.source, lv.path)
            elif lv.op == ">" and lv.value < 0:
                ctx.report("levels/impossible", f"the value is never negative, so it is always {lv.words}: "
                           "this level fires always", p.source, lv.path)


def _states(ctx, p, path, t) -> None:
    known = sorted(t.states)
    for lv in levels(t, path):
        v = lv.value
        if lv.op == "==" and (not float(v).is_integer() or (known and int(v) not in t.states)):
            names = ", ".join(f"{k} ({t.states[k]})" for k in known) if known else "whole numbers"
            ctx.report("levels/state-unknown", f"the state gauge never equals {v:g}: its states are {names}",
                       p.source, lv.path, hint="compare with one of the declared states")
        elif known and ((lv.op == ">" and v >= known[-1]) or (lv.op == "<" and v <= known[0])):
            ctx.report("levels/state-unknown", f"no declared state is {lv.words} (states {known[0]}..{known[-1]}): "
                       "this level can never fire", p.source, lv.path, hint="compare with one of the declared states")
