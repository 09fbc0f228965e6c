"""Units and measures: a level, objective or latency bound written in another unit than the
value it is compared with. Such an alert builds and passes its own test, and never fires (or
always does)."""
from __future__ import annotations

import re

from slogen.checks.base import ERROR, WARNING, Context, check, declare, raw
from slogen.checks.measures import histogram_unit, levels, unit_of, what

declare("units/percent-range", ERROR, "a percent level outside 0-100: it can never fire, or fires always")
declare("units/bytes-on-percent", ERROR, "a byte-sized level on a measure in percent")
declare("units/percent-on-bytes", ERROR, "a percent-sized level on a measure in bytes")
declare("units/fraction", ERROR, "an objective or percentile written as a fraction (0.999) instead of percent")
declare("units/fraction-level", WARNING, "a level on a percent measure written as a fraction (0.9 for 90%)")
declare("units/latency-zero", ERROR, "a latency bound of zero: every request is slow, it fires for ever")
declare("units/latency-range", WARNING, "a latency bound of a minute or more in a seconds histogram (ms meant?)")
declare("units/histogram-unit", ERROR, "a bound in seconds on a histogram that counts milliseconds")

_SIZE = re.compile(r"^\s*[0-9.]+\s*[KMGTP]?i?B\s*$")
MIB = 2**20


def _is_size(value) -> bool:
    return isinstance(value, str) and bool(_SIZE.match(value))


@check
def levels_in_their_unit(ctx: Context) -> None:
    for p, path, t in ctx.thresholds():
        unit = unit_of(t)
        for lv in levels(t, path):
            written = raw(p.source, lv.path)
            v = lv.value
            if _is_size(written) and unit not in ("bytes", ""):
                ctx.report("units/bytes-on-percent", f"`{written}` is a size in bytes, but {what(t)} is compared "
                           f"with it: it can never fire", p.source, lv.path,
                           hint="set `measure: used_bytes`" if t.kind == "memory" else "give a level in percent")
            elif unit == "percent" and t.kind in ("memory", "disk") and v >= 1024:
                ctx.report("units/bytes-on-percent", f"{v:g} looks like bytes, but {what(t)} is compared with it",
                           p.source, lv.path,
                           hint="set `measure: used_bytes`" if t.kind == "memory" else "give a level in percent")
            elif unit in ("percent", "cores"):
                _percent_range(ctx, p, t, lv, unit)
            elif unit == "bytes" and not _is_size(written) and 0 < v < MIB:
                ctx.report("units/percent-on-bytes", f"{what(t)} {lv.words} bytes: a process never uses less than "
                           f"a MiB, so this {'fires always' if lv.op == '>' else 'never fires'}",
                           p.source, lv.path, hint="write a size such as 6GB, or use `measure: used_percent`"
                           if t.kind == "memory" else "write a size such as 6GB")


def _percent_range(ctx, p, t, lv, unit) -> None:
    v, op = lv.value, lv.op
    never = (op == ">" and unit == "percent" and v >= 100) or (op == "<" and v <= 0) or \
        (op == "==" and (v < 0 or (unit == "percent" and v > 100)))
    always = (op == ">" and v < 0) or (op == "<" and unit == "percent" and v > 100)
    if never or always:
        ctx.report("units/percent-range", f"{what(t)} is never {lv.words}: this level "
                   f"{'can never fire' if never else 'fires always'}", p.source, lv.path,
                   hint="percent levels lie between 0 and 100")
    elif 0 < v <= 1 and not _bad_share(t):
        ctx.report("units/fraction-level", f"{lv.words} means {v:g}%, not {v * 100:g}%: levels are in percent",
                   p.source, lv.path, hint=f"write {v * 100:g} for {v * 100:g}%")


def _bad_share(t) -> bool:
    # an error rate above 0.5% is a sensible level; a success rate below 0.9% is not
    return t.kind == "ratio" and not (t.good or t.good_query)


@check
def objectives_in_percent(ctx: Context) -> None:
    for p, path, s in ctx.slos():
        if s.objective is not None and s.objective <= 1:
            ctx.report("units/fraction", f"objective {s.objective:g} means {s.objective:g}%, not "
                       f"{s.objective * 100:g}%: objectives are in percent", p.source, path + ("objective",),
                       hint=f"write {s.objective * 100:g}")
        pct = getattr(s.sli, "percentile", None)
        if pct is not None and pct <= 1:
            ctx.report("units/fraction", f"percentile {pct:g} means p{pct:g}, not p{pct * 100:g}: percentiles "
                       "are in percent", p.source, path + ("sli", "percentile"), hint=f"write {pct * 100:g}")
    for p, path, t in ctx.thresholds():
        if t.kind == "latency" and t.percentile <= 1:
            ctx.report("units/fraction", f"percentile {t.percentile:g} means p{t.percentile:g}: percentiles are "
                       "in percent", p.source, path + ("percentile",), hint=f"write {t.percentile * 100:g}")


@check
def latency_bounds(ctx: Context) -> None:
    for p, path, s in ctx.slos():
        if s.sli.kind == "latency":
            _bound(ctx, p, path + ("sli", "threshold"), s.sli.histogram, s.sli.threshold, "threshold")
    for p, path, t in ctx.thresholds():
        if t.kind != "latency":
            continue
        for lv in levels(t, path):
            if lv.value == 0 and lv.op == ">":
                ctx.report("units/latency-zero", f"a latency is always {lv.words}: this level fires whenever "
                           "there is traffic", p.source, lv.path, hint="give the bound in seconds, e.g. 0.5")
            elif lv.value > 0:
                _bound(ctx, p, lv.path, t.histogram, lv.value, "level")


def _bound(ctx, p, vpath: tuple, histogram: str, value: float, noun: str) -> None:
    written = raw(p.source, vpath)
    unit = histogram_unit(histogram)
    if value == 0:
        ctx.report("units/latency-zero", f"a latency {noun} of 0: no request is that fast, so every request "
                   "counts as slow and the alert fires for ever", p.source, vpath,
                   hint="give the bound a request must meet, e.g. 500ms")
    elif unit == "milliseconds" and (isinstance(written, str) or value < 1):
        ctx.report("units/histogram-unit", f"`{histogram}` counts milliseconds, but this {noun} is "
                   f"{value:g} (seconds): its bucket is `le=\"{value:g}\"`, a {value:g} ms bound",
                   p.source, vpath, hint=f"write the bound in milliseconds as a bare number, e.g. "
                   f"{value * 1000:g}")
    elif unit == "seconds" and not isinstance(written, str) and value >= 60:
        ctx.report("units/latency-range", f"a latency {noun} of {value:g} seconds ({value / 60:.3g} minutes) on "
                   f"`{histogram}`, which counts seconds", p.source, vpath,
                   hint=f"for {value:g} milliseconds write {value / 1000:g} or `{value:g}ms`")
