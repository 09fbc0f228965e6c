"""OpenSLO documents (v1, and the v1alpha SLO shape Sloth reads) mapped onto native service specs.

Each document is checked on its own first (`parse`); `link` then resolves references across
every document of the run (`indicatorRef`, `alertPolicyRef`, `conditionRef`, `targetRef`;
names are unique per kind) and groups SLOs by `spec.service` into one native service each.

Mapping, in short (the README's "Formats" section has the full table):
- ratioMetric good|bad + total → an SLO with a `ratio` SLI. `counter: true`: the queries are
  counter selectors and slogen applies rate(); `counter: false`: they are rate queries with a
  `{{window}}` placeholder; left out: decided by whether the queries carry the placeholder.
- thresholdMetric + objective op/value → an `expression` threshold alert (no error budget).
- each burnrate AlertCondition → one burn-rate window pair: lookbackWindow is the long window,
  the short one is 1/12 of it (at least 5m), threshold the burn-rate factor, alertAfter the `for`;
  severity picks the tier (page/critical/high/... → page). No policy: slogen's default windows.
- AlertNotificationTarget → the tier's receiver, which a Bundle file must declare (OpenSLO does
  not say where to deliver)."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from slogen import conventions as C
from slogen import promql
from slogen.diagnostics import Diagnostics
from slogen.durations import format_duration, parse_duration
from slogen.formats import openslo_spec as O
from slogen.formats.mapped import Mapper
from slogen.load import Source
from slogen.spec.bundle import BundleSpec
from slogen.spec.service import ServiceSpec

PAGE_WORDS = {"page", "paging", "critical", "crit", "high", "urgent", "emergency", "sev1", "sev-1", "sev0", "p1",
              "p0", "fatal"}
TICKET_WORDS = {"ticket", "warning", "warn", "low", "medium", "info", "minor", "sev2", "sev-2", "sev3", "sev-3",
                "p2", "p3", "p4", "notice"}
MIN_SHORT = 300  # seconds: windows shorter than the base window (5m) cannot be measured


def detect(data: dict) -> bool:
    return data.get("apiVersion") in (O.V1, O.V1ALPHA)


def parse(source: Source, diags: Diagnostics) -> list:
    from slogen.spec import Parsed, validate_native

    data = source.data
    if data.get("apiVersion") == O.V1ALPHA:
        if data.get("kind") != "SLO":
            diags.error("openslo/unsupported", f"openslo/v1alpha kind {data.get('kind')!r} is not supported; "
                        "only `SLO` (the shape Sloth reads)", source.at(("kind",)))
            return []
        model = O.AlphaSLODoc
    else:
        model = O.V1_KINDS.get(data.get("kind"))
        if model is None:
            diags.error("openslo/unknown-kind", f"unknown OpenSLO kind {data.get('kind')!r}", source.at(("kind",)),
                        hint="one of " + ", ".join(sorted(O.V1_KINDS)))
            return []
    doc = validate_native(model, source, diags)
    return [Parsed(doc, source)] if doc is not None else []


@dataclass
class Ref:
    """An OpenSLO object (document or inline) and where it sits."""
    obj: Any
    source: Source
    path: tuple


class Index:
    """Named documents by kind; references resolve against every document of the run."""

    def __init__(self, docs: list, diags: Diagnostics):
        self.by_kind: dict[str, dict[str, Ref]] = {}
        for p in docs:
            doc = p.spec
            if isinstance(doc, O.AlphaSLODoc):
                continue
            names = self.by_kind.setdefault(doc.kind, {})
            if doc.metadata.name in names:
                first = names[doc.metadata.name]
                diags.error("openslo/duplicate", f"a second {doc.kind} named `{doc.metadata.name}`",
                            p.source.at(("metadata", "name")), hint=f"the first is at {first.source.at(first.path + ('metadata', 'name'))}")
                continue
            names[doc.metadata.name] = Ref(doc, p.source, ())

    def get(self, kind: str, name: str, source: Source, at: tuple, diags: Diagnostics) -> Ref | None:
        found = self.by_kind.get(kind, {}).get(name)
        if found is None:
            known = sorted(self.by_kind.get(kind, {}))
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean `{close[0]}`?" if close else (
                f"known: {', '.join(known)}" if known else f"add a `kind: {kind}` document to the specs folder")
            diags.error("openslo/unknown-ref", f"no {kind} named `{name}`", source.at(at), hint=hint)
        return found


@dataclass
class ServiceBuild:
    """One native service assembled from the SLO documents that name it."""
    name: str
    m: Mapper = field(default_factory=Mapper)
    data: dict = field(default_factory=dict)
    slos: list = field(default_factory=list)
    thresholds: list = field(default_factory=list)
    files: list = field(default_factory=list)
    ok: bool = True


def link(parsed: list, diags: Diagnostics) -> list:
    from slogen.spec import Parsed, validate_native

    docs = [p for p in parsed if isinstance(p.spec, (O.Doc, O.AlphaSLODoc))]
    if not docs:
        return parsed
    rest = [p for p in parsed if not isinstance(p.spec, (O.Doc, O.AlphaSLODoc))]
    index = Index(docs, diags)
    receivers = {r.name for p in rest if isinstance(p.spec, BundleSpec) for r in p.spec.receivers}
    services: dict[str, ServiceBuild] = {}
    for p in docs:
        if isinstance(p.spec, (O.SLODoc, O.AlphaSLODoc)):
            b = services.get(p.spec.spec.service) or services.setdefault(
                p.spec.spec.service, _start(p, index, diags))
            if p.source.file not in b.files:
                b.files.append(p.source.file)
            if isinstance(p.spec, O.SLODoc):
                _slo_v1(p, b, index, receivers, diags)
            else:
                _slo_alpha(p, b, diags)
    out = list(rest)
    for name in sorted(services):
        b = services[name]
        if not b.ok:
            continue
        b.data["slos"] = b.slos
        if b.thresholds:
            b.data["thresholds"] = b.thresholds
        mapped = b.m.source(b.files[0], b.data)
        spec = validate_native(ServiceSpec, mapped, diags)
        if spec is not None:
            out.append(Parsed(spec, mapped))
    return out


# --- shared helpers -------------------------------------------------------------------------

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def slug(text: str) -> str:
    """`OnCallDevopsMail` / `Foo Total Errors` → `on-call-devops-mail` / `foo-total-errors`."""
    text = _CAMEL_BOUNDARY.sub("-", text).lower()
    return re.sub(r"[^a-z0-9_]+", "-", text).strip("-")[:64].strip("-")


def _label_key(key: str) -> str:
    """OpenSLO label keys may hold `.`, `-`, `/`; Prometheus label names may not."""
    key = re.sub(r"[^a-zA-Z0-9_]", "_", key)
    return key if re.match(r"^[a-zA-Z_]", key) else f"_{key}"


_RESERVED = {C.LABEL_SERVICE, C.LABEL_SLO, C.LABEL_SEVERITY, C.LABEL_WINDOW, C.LABEL_ALERT_KIND, "alertname"}


def _labels(meta: O.Metadata, src: Source, at: tuple, to: tuple, m: Mapper) -> dict:
    """metadata.labels → alert labels: keys made Prometheus-safe, lists joined with commas,
    `team` left out (it becomes the team), names slogen sets prefixed with `openslo_`."""
    out = {}
    for key, value in sorted(meta.labels.items()):
        if key == C.LABEL_TEAM:
            continue
        name = _label_key(key)
        name = f"openslo_{name}" if name in _RESERVED else name
        out[name] = ",".join(map(str, value)) if isinstance(value, list) else value
        m.link(to + (name,), src, at + ("labels", key))
    return out


def _set_labels(native: dict, meta: O.Metadata, src: Source, to: tuple, m: Mapper) -> None:
    labels = _labels(meta, src, ("metadata",), to + ("labels",), m)
    if labels:
        native["labels"] = labels


def _start(p, index: Index, diags: Diagnostics) -> ServiceBuild:
    spec = p.spec.spec
    b = ServiceBuild(spec.service)
    m, src = b.m, p.source
    m.link((), src, ())
    m.link(("apiVersion",), src, ("apiVersion",))
    b.data = {"apiVersion": "slogen/v1", "service": m.copy(("service",), src, ("spec", "service"), spec.service)}
    service_doc = index.by_kind.get("Service", {}).get(spec.service)
    team = p.spec.metadata.labels.get(C.LABEL_TEAM)
    if team is not None:
        m.link(("team",), src, ("metadata", "labels", C.LABEL_TEAM))
    elif service_doc is not None and C.LABEL_TEAM in service_doc.obj.metadata.labels:
        team = service_doc.obj.metadata.labels[C.LABEL_TEAM]
        m.link(("team",), service_doc.source, ("metadata", "labels", C.LABEL_TEAM))
    else:
        team = spec.service
        m.link(("team",), src, ("spec", "service"))
    b.data["team"] = team
    if service_doc is not None and service_doc.obj.spec.description:
        b.data["description"] = m.copy(("description",), service_doc.source, ("spec", "description"),
                                       service_doc.obj.spec.description)
    return b


def duration(text: Any, src: Source, at: tuple, diags: Diagnostics, zero: bool = False) -> float | None:
    """OpenSLO duration shorthand (`5m`, `1h`, `28d`, `4w`) → seconds. Month, quarter and year
    lengths vary, so they are refused rather than guessed."""
    if isinstance(text, str) and re.fullmatch(r"\d+[MQY]", text):
        diags.error("openslo/unsupported", f"`{text}`: calendar units (M, Q, Y) are not supported yet",
                    src.at(at), hint="give the length in days or weeks, e.g. 28d or 4w")
        return None
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        diags.error("openslo/duration", str(exc), src.at(at), hint="durations look like 5m, 1h, 28d, 4w")
        return None
    if seconds <= 0 and not zero:
        diags.error("openslo/duration", "duration must be greater than zero", src.at(at))
        return None
    return seconds


def _budgeting(method: str, src: Source, at: tuple, diags: Diagnostics) -> bool:
    if method == "Occurrences":
        return True
    if method in ("Timeslices", "RatioTimeslices"):
        diags.error("openslo/unsupported", f"budgetingMethod {method} is not supported yet", src.at(at),
                    hint="slogen budgets by Occurrences: good events over all events")
    else:
        diags.error("openslo/invalid", f"unknown budgetingMethod {method!r}", src.at(at),
                    hint="Occurrences, Timeslices or RatioTimeslices")
    return False


def _period(windows: list[O.TimeWindow], src: Source, at: tuple, diags: Diagnostics) -> float | None | bool:
    """Seconds of the rolling window; None: not given (native default); False: an error."""
    if not windows:
        return None
    if len(windows) > 1:
        diags.error("openslo/invalid", "`timeWindow` takes exactly one item", src.at(at + (1,)))
        return False
    w = windows[0]
    if w.calendar is not None or w.isRolling is False:
        diags.error("openslo/unsupported", "calendar-aligned time windows are not supported yet",
                    src.at(at + (0,)), hint="use a rolling window: `{duration: 28d, isRolling: true}`")
        return False
    seconds = duration(w.duration, src, at + (0, "duration"), diags)
    return False if seconds is None else seconds


def _query(metric: O.Metric, src: Source, at: tuple, index: Index, diags: Diagnostics) -> str | None:
    ms = metric.metricSource
    kind = ms.type
    if kind is None and ms.metricSourceRef:
        ref = index.get("DataSource", ms.metricSourceRef, src, at + ("metricSource", "metricSourceRef"), diags)
        if ref is None:
            return None
        kind = ref.obj.spec.type
    if kind is not None and kind.lower() != "prometheus":
        diags.error("openslo/unsupported", f"metric source type {kind!r} is not supported; slogen reads Prometheus",
                    src.at(at + ("metricSource", "type")))
        return None
    query = ms.spec.get("query")
    if not isinstance(query, str):
        diags.error("openslo/invalid", "missing `query` (PromQL) in the metric source's `spec`",
                    src.at(at + ("metricSource", "spec")))
        return None
    return query


def _ratio_sli(parts: dict[str, tuple[str, Source, tuple]], counter: bool | None, to: tuple, m: Mapper) -> dict:
    """{good|bad|total: (query, source, path)} → a native `ratio` SLI."""
    if counter is None:  # not said: queries with a window placeholder are rate queries
        counter = not any(promql.has_placeholder(q) for q, _, _ in parts.values())
    suffix = "" if counter else "_query"
    out: dict = {"kind": "ratio"}
    for part in ("good", "bad", "total"):
        if part in parts:
            q, src, path = parts[part]
            out[part + suffix] = q
            m.link(to + (part + suffix,), src, path)
    return out


def _objective(o, src: Source, at: tuple, to: tuple, m: Mapper) -> float:
    if getattr(o, "targetPercent", None) is not None:
        m.link(to + ("objective",), src, at + ("targetPercent",))
        return o.targetPercent
    m.link(to + ("objective",), src, at + ("target",))
    return round(o.target * 100, 10)


def _tier(severity: str, src: Source, at: tuple, diags: Diagnostics) -> str | None:
    word = severity.strip().lower()
    if word in PAGE_WORDS:
        return C.SEVERITY_PAGE
    if word in TICKET_WORDS:
        return C.SEVERITY_TICKET
    diags.error("openslo/severity", f"severity {severity!r} maps to neither page nor ticket", src.at(at),
                hint=f"page: {', '.join(sorted(PAGE_WORDS))}; ticket: {', '.join(sorted(TICKET_WORDS))}")
    return None


# --- v1 -------------------------------------------------------------------------------------

def _slo_v1(p, b: ServiceBuild, index: Index, receivers: set[str], diags: Diagnostics) -> None:
    doc: O.SLODoc = p.spec
    spec, src, m = doc.spec, p.source, b.m
    at = ("spec",)
    period = _period(spec.timeWindow, src, at + ("timeWindow",), diags)
    if not _budgeting(spec.budgetingMethod, src, at + ("budgetingMethod",), diags) or period is False:
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
        name = doc.metadata.name
        if len(spec.objectives) > 1:
            name = f"{name}-{slug(objective.displayName or '') or j + 1}"
        if sli.obj.ratioMetric is not None:
            to = ("slos", len(b.slos))
            native = _ratio_slo(doc, sli, objective, name, period, policies, src, o_at, to, m, index, receivers, diags)
            if native is None:
                b.ok = False
            else:
                _set_labels(native, doc.metadata, src, to, m)
                b.slos.append(native)
        else:
            to = ("thresholds", len(b.thresholds))
            native = _threshold(doc, sli, objective, name, policies, src, o_at, to, m, index, diags)
            if native is None:
                b.ok = False
            else:
                _set_labels(native, doc.metadata, src, to, m)
                b.thresholds.append(native)


def _ratio_slo(doc, sli: Ref, objective, name, period, policies, src, o_at, to, m: Mapper, index: Index,
               receivers: set[str], diags: Diagnostics) -> dict | None:
    m.link(to, src, o_at)
    m.link(to + ("name",), src, ("metadata", "name"))
    out: dict = {"name": name}
    description = doc.spec.description or sli.obj.description
    if description:
        out["description"] = description
    out["objective"] = _objective(objective, src, o_at, to, m)
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
            q = _query(metric, sli.source, rm_at + (part,), index, diags)
            if q is None:
                return None
            parts[part] = (q, sli.source, rm_at + (part, "metricSource", "spec", "query"))
    out["sli"] = _ratio_sli(parts, rm.counter, to + ("sli",), m)
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
        if item.alertPolicyRef is not None:
            ref = index.get("AlertPolicy", item.alertPolicyRef, src, at + (i, "alertPolicyRef"), diags)
            if ref is None:
                ok = False
                continue
            policy = Ref(ref.obj.spec, ref.source, ("spec",))
        else:
            policy = Ref(item.spec, src, at + (i, "spec"))
        conditions, targets = [], []
        for ci, c in enumerate(policy.obj.conditions):
            c_at = policy.path + ("conditions", ci)
            if c.conditionRef is not None:
                ref = index.get("AlertCondition", c.conditionRef, policy.source, c_at + ("conditionRef",), diags)
                if ref is None:
                    ok = False
                    continue
                cond = Ref(ref.obj.spec, ref.source, ("spec",))
            else:
                cond = Ref(c.spec, policy.source, c_at + ("spec",))
            tier = _tier(cond.obj.severity, cond.source, cond.path + ("severity",), diags)
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
    query = _query(sli.obj.thresholdMetric, sli.source, tm_at, index, diags)
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


# --- v1alpha --------------------------------------------------------------------------------

_ALPHA_UNITS = {"Second": 1, "Minute": 60, "Hour": 3600, "Day": 86400, "Week": 7 * 86400}


def _slo_alpha(p, b: ServiceBuild, diags: Diagnostics) -> None:
    doc: O.AlphaSLODoc = p.spec
    spec, src, m = doc.spec, p.source, b.m
    at = ("spec",)
    if not _budgeting(spec.budgetingMethod, src, at + ("budgetingMethod",), diags):
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
        name = doc.metadata.name
        if len(spec.objectives) > 1:
            name = f"{name}-{slug(objective.displayName or '') or j + 1}"
        m.link(to, src, o_at)
        m.link(to + ("name",), src, ("metadata", "name"))
        native: dict = {"name": name}
        if spec.description:
            native["description"] = spec.description
        native["objective"] = _objective(objective, src, o_at, to, m)
        if period is not None:
            native["period"] = format_duration(period)
            m.link(to + ("period",), src, at + ("timeWindows", 0))
        rm = objective.ratioMetrics
        r_at = o_at + ("ratioMetrics",)
        m.link(to + ("sli",), src, r_at)
        parts = {part: (getattr(rm, part).query, src, r_at + (part, "query"))
                 for part in ("good", "bad", "total") if getattr(rm, part) is not None}
        native["sli"] = _ratio_sli(parts, None, to + ("sli",), m)
        _set_labels(native, doc.metadata, src, to, m)
        b.slos.append(native)
