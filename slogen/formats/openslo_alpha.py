"""OpenSLO v1alpha SLO documents (the shape Sloth reads) → a native service's SLOs (see openslo)."""
from __future__ import annotations

from slogen.diagnostics import Diagnostics
from slogen.durations import format_duration
from slogen.formats import openslo_spec as O
from slogen.formats.mapped import grouping
from slogen.formats.openslo_common import ServiceBuild, check_budgeting, objective_name, objective_value, ratio_sli, set_labels


_ALPHA_UNITS = {"Second": 1, "Minute": 60, "Hour": 3600, "Day": 86400, "Week": 7 * 86400}


def slo_alpha(p, b: ServiceBuild, diags: Diagnostics) -> None:
    doc: O.AlphaSLODoc = p.spec
    spec, src, m = doc.spec, p.source, b.m
    at = ("spec",)
    if not check_budgeting(spec.budgetingMethod, src, at + ("budgetingMethod",), diags):
        b.ok = False
        return
    if spec.indicator is not None:
        diags.error("openslo/unsupported", "v1alpha `indicator` (thresholdMetric) is not supported; use "
                    "objectives[].ratioMetrics", src.at(at + ("indicator",), key=True))
        b.ok = False
        return
    period = None
    if spec.timeWindows:
        w = spec.timeWindows[0]
        w_at = at + ("timeWindows", 0)
        if w.calendar is not None or w.isRolling is False:
            diags.error("openslo/unsupported", "calendar-aligned time windows are not supported yet", src.at(w_at))
            b.ok = False
            return
        if w.unit not in _ALPHA_UNITS:
            diags.error("openslo/unsupported", f"time window unit {w.unit!r} is not supported",
                        src.at(w_at + ("unit",)), hint="Day or Week")
            b.ok = False
            return
        period = w.count * _ALPHA_UNITS[w.unit]
    for j, objective in enumerate(spec.objectives):
        o_at = at + ("objectives", j)
        to = ("slos", len(b.slos))
        if objective.ratioMetrics is None:
            diags.error("openslo/unsupported", "only `ratioMetrics` objectives are supported in v1alpha",
                        src.at(o_at))
            b.ok = False
            continue
        name = objective_name(doc.metadata.name, spec.objectives, objective, j)
        m.link(to, src, o_at)
        m.link(to + ("name",), src, ("metadata", "name"))
        native: dict = {"name": name}
        if spec.description:
            native["description"] = spec.description
        native["objective"] = objective_value(objective, src, o_at, to, m)
        if period is not None:
            native["period"] = format_duration(period)
            m.link(to + ("period",), src, at + ("timeWindows", 0))
        rm = objective.ratioMetrics
        r_at = o_at + ("ratioMetrics",)
        m.link(to + ("sli",), src, r_at)
        parts = {part: (getattr(rm, part).query, src, r_at + (part, "query"))
                 for part in ("good", "bad", "total") if getattr(rm, part) is not None}
        native["sli"] = ratio_sli(parts, None, to + ("sli",), m)
        native |= grouping(native["sli"], to, m, src, r_at)
        set_labels(native, doc.metadata, src, to, m)
        b.slos.append(native)
