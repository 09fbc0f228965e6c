"""OpenSLO, what every version maps the same way: the index of named documents, the service
being assembled, and the field helpers (names, labels, durations, periods, queries, objectives,
severities). The versions are in openslo_v1 and openslo_alpha; the entry points in openslo."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from slogen import conventions as C
from slogen import promql
from slogen.diagnostics import Diagnostics
from slogen.durations import parse_duration
from slogen.formats import openslo_spec as O
from slogen.formats.mapped import Mapper
from slogen.load import Source

PAGE_WORDS = {"page", "paging", "critical", "crit", "high", "urgent", "emergency", "sev1", "sev-1", "sev0", "p1",
              "p0", "fatal"}
TICKET_WORDS = {"ticket", "warning", "warn", "low", "medium", "info", "minor", "sev2", "sev-2", "sev3", "sev-3",
                "p2", "p3", "p4", "notice"}
MIN_SHORT = 300  # seconds: windows shorter than the base window (5m) cannot be measured


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

    def spec_of(self, kind: str, name: str | None, inline: Any, source: Source, at: tuple, ref_key: str,
                diags: Diagnostics) -> Ref | None:
        """The `spec` of an object named by `ref_key` (at `at + (ref_key,)`) when `name` is set, else
        given inline (at `at + ("spec",)`), and where it sits; None (reported) for an unknown name."""
        if name is None:
            return Ref(inline, source, at + ("spec",))
        ref = self.get(kind, name, source, at + (ref_key,), diags)
        return None if ref is None else Ref(ref.obj.spec, ref.source, ("spec",))

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



_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def slug(text: str) -> str:
    """`OnCallDevopsMail` / `Foo Total Errors` → `on-call-devops-mail` / `foo-total-errors`."""
    text = _CAMEL_BOUNDARY.sub("-", text).lower()
    return re.sub(r"[^a-z0-9_]+", "-", text).strip("-")[:64].strip("-")


def objective_name(name: str, objectives: list, objective, j: int) -> str:
    """One SLO per objective: the document's name, suffixed when it has several."""
    return f"{name}-{slug(objective.displayName or '') or j + 1}" if len(objectives) > 1 else name


def _label_key(key: str) -> str:
    """OpenSLO label keys may hold `.`, `-`, `/`; Prometheus label names may not."""
    key = re.sub(r"[^a-zA-Z0-9_]", "_", key)
    return key if re.match(r"^[a-zA-Z_]", key) else f"_{key}"


_RESERVED = {C.LABEL_SERVICE, C.LABEL_SLO, C.LABEL_SEVERITY, C.LABEL_WINDOW, C.LABEL_ALERT_KIND, "alertname"}


def metadata_labels(meta: O.Metadata, src: Source, at: tuple, to: tuple, m: Mapper) -> dict:
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


def set_labels(native: dict, meta: O.Metadata, src: Source, to: tuple, m: Mapper) -> None:
    labels = metadata_labels(meta, src, ("metadata",), to + ("labels",), m)
    if labels:
        native["labels"] = labels


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


def check_budgeting(method: str, src: Source, at: tuple, diags: Diagnostics) -> bool:
    if method == "Occurrences":
        return True
    if method in ("Timeslices", "RatioTimeslices"):
        diags.error("openslo/unsupported", f"budgetingMethod {method} is not supported yet", src.at(at),
                    hint="slogen budgets by Occurrences: good events over all events")
    else:
        diags.error("openslo/invalid", f"unknown budgetingMethod {method!r}", src.at(at),
                    hint="Occurrences, Timeslices or RatioTimeslices")
    return False


def rolling_period(windows: list[O.TimeWindow], src: Source, at: tuple, diags: Diagnostics) -> float | None | bool:
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


def metric_query(metric: O.Metric, src: Source, at: tuple, index: Index, diags: Diagnostics) -> str | None:
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


def ratio_sli(parts: dict[str, tuple[str, Source, tuple]], counter: bool | None, to: tuple, m: Mapper) -> dict:
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


def objective_value(o, src: Source, at: tuple, to: tuple, m: Mapper) -> float:
    if getattr(o, "targetPercent", None) is not None:
        m.link(to + ("objective",), src, at + ("targetPercent",))
        return o.targetPercent
    m.link(to + ("objective",), src, at + ("target",))
    return round(o.target * 100, 10)


def severity_tier(severity: str, src: Source, at: tuple, diags: Diagnostics) -> str | None:
    word = severity.strip().lower()
    if word in PAGE_WORDS:
        return C.SEVERITY_PAGE
    if word in TICKET_WORDS:
        return C.SEVERITY_TICKET
    diags.error("openslo/severity", f"severity {severity!r} maps to neither page nor ticket", src.at(at),
                hint=f"page: {', '.join(sorted(PAGE_WORDS))}; ticket: {', '.join(sorted(TICKET_WORDS))}")
    return None
