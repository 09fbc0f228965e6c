"""OpenSLO v1 SLO documents → a native service's SLOs and threshold alerts (see openslo)."""
from __future__ import annotations

from slogen import conventions as C
from slogen import promql
from slogen.diagnostics import Diagnostics
from slogen.durations import format_duration, parse_duration
from slogen.formats import openslo_spec as O
from slogen.formats.mapped import Mapper, grouping
from slogen.formats.openslo_common import (MIN_SHORT, Index, Ref, ServiceBuild, check_budgeting, duration,
                                           metric_query, objective_name, objective_value, ratio_sli, rolling_period, set_labels,
                                           severity_tier, slug)
from slogen.load import Source


def slo_v1(p, b: ServiceBuild, index: Index, receivers: set[str], diags: Diagnostics) -> None:
    doc: O.SLODoc = p.spec
    spec, src, m = doc.spec, p.source, b.m
    at = ("spec",)
    period = rolling_period(spec.timeWindow, src, at + ("timeWindow",), diags)
    if not check_budgeting(spec.budgetingMethod, src, at + ("budgetingMethod",), diags) or period is False:
        b.ok = False
        return
    if spec.indicator is not None:
        sli = Ref(spec.indicator.spec, src, at + ("indicator", "spec"))
    else:
        ref = index.get("SLI", spec.indicatorRef, src, at + ("indicatorRef",), diags)
        if ref is None:
            b.ok = False
            return
        sli = Ref(ref.obj.spec, ref.source, ("spec",))
    policies = _policies(spec.alertPolicies, src, at + ("alertPolicies",), index, diags)
    if policies is None:
        b.ok = False
        return
    for j, objective in enumerate(spec.objectives):
        o_at = at + ("objectives", j)
        if objective.indicator is not None or objective.indicatorRef is not None:
            diags.error("openslo/unsupported", "per-objective indicators (composite SLOs) are not supported yet",
                        src.at(o_at))
            b.ok = False
            continue
        name = objective_name(doc.metadata.name, spec.objectives, objective, j)
        if sli.obj.ratioMetric is not None:
            to = ("slos", len(b.slos))
            native = _ratio_slo(doc, sli, objective, name, period, policies, src, o_at, to, m, index, receivers, diags)
            if native is None:
                b.ok = False
            else:
                set_labels(native, doc.metadata, src, to, m)
                b.slos.append(native)
        else:
            to = ("thresholds", len(b.thresholds))
            native = _threshold(doc, sli, objective, name, policies, src, o_at, to, m, index, diags)
            if native is None:
                b.ok = False
            else:
                set_labels(native, doc.metadata, src, to, m)
                b.thresholds.append(native)


def _ratio_slo(doc, sli: Ref, objective, name, period, policies, src, o_at, to, m: Mapper, index: Index,
               receivers: set[str], diags: Diagnostics) -> dict | None:
    m.link(to, src, o_at)
    m.link(to + ("name",), src, ("metadata", "name"))
    out: dict = {"name": name}
    description = doc.spec.description or sli.obj.description
    if description:
        out["description"] = description
    out["objective"] = objective_value(objective, src, o_at, to, m)
    if period is not None:
        out["period"] = format_duration(period)
        m.link(to + ("period",), src, ("spec", "timeWindow", 0, "duration"))
    rm: O.RatioMetric = sli.obj.ratioMetric
    rm_at = sli.path + ("ratioMetric",)
    m.link(to + ("sli",), sli.source, rm_at)
    if rm.raw is not None:
        diags.error("openslo/unsupported", "`raw` (precomputed) ratios are not supported yet: slogen needs the "
                    "good or bad and total events to weigh long windows by traffic", sli.source.at(rm_at + ("raw",), key=True))
        return None
    parts = {}
    for part in ("good", "bad", "total"):
        metric = getattr(rm, part)
        if metric is not None:
            q = metric_query(metric, sli.source, rm_at + (part,), index, diags)
            if q is None:
                return None
            parts[part] = (q, sli.source, rm_at + (part, "metricSource", "spec", "query"))
    out["sli"] = ratio_sli(parts, rm.counter, to + ("sli",), m)
    out |= grouping(out["sli"], to, m, sli.source, rm_at)
    alerting = _alerting(policies, period or parse_duration("30d"), to + ("alerting",), m, receivers, diags)
    if alerting is None:
        return None
    if alerting:
        out["alerting"] = alerting
    return out


def _policies(items: list[O.PolicyItem], src: Source, at: tuple, index: Index, diags: Diagnostics) -> list | None:
    """Each policy's conditions and targets, resolved: [(condition Ref, tier), ...], [target Ref, ...]."""
    out = []
    ok = True
    for i, item in enumerate(items):
        policy = index.spec_of("AlertPolicy", item.alertPolicyRef, item.spec, src, at + (i,), "alertPolicyRef", diags)
        if policy is None:
            ok = False
            continue
        conditions, targets = [], []
        for ci, c in enumerate(policy.obj.conditions):
            c_at = policy.path + ("conditions", ci)
            cond = index.spec_of("AlertCondition", c.conditionRef, c.spec, policy.source, c_at, "conditionRef", diags)
            if cond is None:
                ok = False
                continue
            tier = severity_tier(cond.obj.severity, cond.source, cond.path + ("severity",), diags)
            ok = ok and tier is not None
            conditions.append((cond, tier))
        for ti, t in enumerate(policy.obj.notificationTargets):
            t_at = policy.path + ("notificationTargets", ti)
            if t.targetRef is not None:
                ref = index.get("AlertNotificationTarget", t.targetRef, policy.source, t_at + ("targetRef",), diags)
                if ref is None:
                    ok = False
                    continue
                targets.append(Ref(ref.obj.metadata.name, policy.source, t_at + ("targetRef",)))
            else:
                targets.append(Ref(t.metadata.name, policy.source, t_at + ("metadata", "name")))
        out.append((conditions, targets))
    return out if ok else None


def _alerting(policies: list, period: float, to: tuple, m: Mapper, receivers: set[str],
              diags: Diagnostics) -> dict | None:
    """Burn-rate conditions → native windows; notification targets → tier receivers."""
    windows, tiers = [], {}
    ok = True
    for conditions, targets in policies:
        for cond, tier in conditions:
            c: O.Condition = cond.obj.condition
            c_at = cond.path + ("condition",)
            if c.kind.lower() != "burnrate":
                diags.error("openslo/unsupported", f"alert condition kind {c.kind!r} is not supported; only burnrate",
                            cond.source.at(c_at + ("kind",)))
                ok = False
                continue
            if c.op in ("lte", "lt"):
                diags.error("openslo/invalid", "a burn-rate condition fires when the burn rate is above its "
                            "threshold; use op gte or gt", cond.source.at(c_at + ("op",)))
                ok = False
                continue
            long = duration(c.lookbackWindow, cond.source, c_at + ("lookbackWindow",), diags)
            after = duration(c.alertAfter, cond.source, c_at + ("alertAfter",), diags, zero=True)
            if long is None or after is None:
                ok = False
                continue
            short = max(round(long / 12), min(MIN_SHORT, round(long / 2)))
            w_to = to + ("windows", len(windows))
            m.link(w_to, cond.source, c_at)
            m.link(w_to + ("budget_percent",), cond.source, c_at + ("threshold",))
            m.link(w_to + ("long",), cond.source, c_at + ("lookbackWindow",))
            m.link(w_to + ("short",), cond.source, c_at + ("lookbackWindow",))
            m.link(w_to + ("for",), cond.source, c_at + ("alertAfter",))
            m.link(w_to + ("severity",), cond.source, cond.path + ("severity",))
            # burn-rate factor = budget share × period / long, so the share is factor × long / period
            windows.append({"severity": tier, "budget_percent": round(c.threshold * long / period * 100, 6),
                            "long": format_duration(long), "short": format_duration(short),
                            "for": format_duration(after) if after else "0s"})
            for target in targets:
                name = slug(target.obj)
                if tier not in tiers:
                    tiers[tier] = name
                    m.link(to + (tier, "receiver"), target.source, target.path)
                    if name not in receivers:
                        diags.error("openslo/receiver", f"notification target `{target.obj}` needs a receiver "
                                    f"named `{name}` in the Bundle file", target.source.at(target.path),
                                    hint="OpenSLO does not say where to deliver: declare the receiver under "
                                    "`receivers` in the `kind: Bundle` file, with its integration")
                        ok = False
                elif tiers[tier] != name:
                    diags.warning("openslo/receiver", f"{tier} alerts already go to `{tiers[tier]}`; slogen "
                                  f"sends a tier to one receiver, so `{name}` is not used", target.source.at(target.path),
                                  hint="route further in Alertmanager, or give each tier one target")
    if not ok:
        return None
    out: dict = {}
    if windows:
        out["windows"] = windows
    for tier, name in tiers.items():
        out[tier] = {"receiver": name}
    return out


def _threshold(doc, sli: Ref, objective, name, policies, src, o_at, to, m: Mapper, index: Index,
               diags: Diagnostics) -> dict | None:
    """thresholdMetric: alert when the value is on the wrong side of the objective's value."""
    if objective.op is None or objective.value is None:
        diags.error("openslo/invalid", "a thresholdMetric objective needs `op` and `value`", src.at(o_at))
        return None
    tm_at = sli.path + ("thresholdMetric",)
    query = metric_query(sli.obj.thresholdMetric, sli.source, tm_at, index, diags)
    if query is None:
        return None
    if promql.has_placeholder(query):
        query = promql.fill_window(query, format_duration(C.BASE_WINDOW))
    tiers = [(cond, tier) for conditions, _ in policies for cond, tier in conditions]
    paging = any(t == C.SEVERITY_PAGE for _, t in tiers)
    level = "critical" if paging else "warning"
    for_ = "5m"
    for cond, tier in tiers:
        if (tier == C.SEVERITY_PAGE) == paging:
            after = duration(cond.obj.condition.alertAfter, cond.source, cond.path + ("condition", "alertAfter"),
                             diags, zero=True)
            if after is None:
                return None
            for_ = format_duration(after) if after else "0s"
            m.link(to + (level, "for"), cond.source, cond.path + ("condition", "alertAfter"))
            break
    # "good while value <= X": the alert fires above X (for `lt`, equality also counts as bad;
    # slogen's levels are strict, so X itself is treated as good)
    side = "above" if objective.op in ("lte", "lt") else "below"
    m.link(to, src, o_at)
    m.link(to + ("name",), src, ("metadata", "name"))
    m.link(to + ("expr",), sli.source, tm_at + ("metricSource", "spec", "query"))
    m.link(to + (level,), src, o_at + ("value",))
    m.link(to + (level, side), src, o_at + ("value",))
    out = {"kind": "expression", "name": C.camel(name), "expr": query,
           level: {side: objective.value, "for": for_}}
    description = objective.displayName or doc.spec.description or sli.obj.description
    if description:
        out["description"] = description
    return out
