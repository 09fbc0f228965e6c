"""Sloth specs: `version: prometheus/v1` files and the Kubernetes CRD (`sloth.slok.dev/v1`,
`kind: PrometheusServiceLevel`), mapped onto native service specs.

Sloth's meaning is kept where routing depends on it: the burn-rate alerts are named by
`alerting.name`, and page/ticket alerts carry the `page_alert` / `ticket_alert` labels, a
`severity` there included (it replaces slogen's page/ticket value; see `slogen.model.alerts`).
Both field spellings are read in both shapes (`error_query` and `errorQuery`): Sloth's own
examples mix them. Not carried over: alert annotations (slogen writes summary, description,
runbook and dashboard links itself; a warning says so) and SLI plugins (an error)."""
from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from slogen import promql
from slogen.diagnostics import Diagnostics
from slogen.formats.mapped import Mapper, MappedSource, grouping, renamed
from slogen.load import Source
from slogen.spec.common import Strict
from slogen.spec.service import ServiceSpec

CRD_KIND = "PrometheusServiceLevel"

# camelCase (CRD, some prometheus/v1 files) → the snake_case the models below use
_RENAMES = {"errorQuery": "error_query", "totalQuery": "total_query", "errorRatioQuery": "error_ratio_query",
            "pageAlert": "page_alert", "ticketAlert": "ticket_alert"}

Labels = dict[str, Any]  # checked by the native spec after mapping, at the user's line


class Tier(Strict):
    disable: bool = False
    labels: Labels = Field(default_factory=dict)
    annotations: dict[str, Any] = Field(default_factory=dict)


class Alerting(Strict):
    name: str | None = None
    labels: Labels = Field(default_factory=dict)
    annotations: dict[str, Any] = Field(default_factory=dict)
    page_alert: Tier = Field(default_factory=Tier)
    ticket_alert: Tier = Field(default_factory=Tier)


class Events(Strict):
    error_query: str
    total_query: str


class Raw(Strict):
    error_ratio_query: str


class SLI(Strict):
    events: Events | None = None
    raw: Raw | None = None
    plugin: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one(self):
        if sum(x is not None for x in (self.events, self.raw, self.plugin)) != 1:
            raise PydanticCustomError("sli-form", "give exactly one of `events`, `raw` or `plugin`")
        return self


class SLO(Strict):
    name: str
    objective: float
    description: str = ""
    labels: Labels = Field(default_factory=dict)
    sli: SLI
    alerting: Alerting = Field(default_factory=Alerting)
    plugins: dict[str, Any] | None = None


class Body(Strict):
    service: str
    labels: Labels = Field(default_factory=dict)
    slos: list[SLO]
    slo_plugins: dict[str, Any] | None = None


class PrometheusV1(Body):
    version: Literal["prometheus/v1"]


class CRD(Strict):
    apiVersion: Literal["sloth.slok.dev/v1"]
    kind: Literal["PrometheusServiceLevel"]
    metadata: dict[str, Any] = Field(default_factory=dict)
    spec: Body
    status: dict[str, Any] | None = None


def parse(source: Source, diags: Diagnostics) -> list:
    return _parse(source, diags, PrometheusV1, ())


def parse_crd(source: Source, diags: Diagnostics) -> list:
    return _parse(source, diags, CRD, ("spec",))


def _parse(source: Source, diags: Diagnostics, model: type[BaseModel], body_path: tuple) -> list:
    from slogen.spec import Parsed, validate_native

    src = renamed(source, _RENAMES)
    doc = validate_native(model, src, diags)
    if doc is None:
        return []
    body = doc.spec if body_path else doc
    native, m = _native(body, src, body_path, diags)
    if native is None:
        return []
    mapped = m.source(source.file, native, source.text)
    spec = validate_native(ServiceSpec, mapped, diags)
    return [Parsed(spec, mapped)] if spec is not None else []


_NAME = re.compile(r"^[a-z0-9]([a-z0-9_-]{0,62}[a-z0-9])?$")


def _team(labels: dict) -> tuple[str | None, str | None]:
    """(team, label key it came from): a `team` label, else a valid `owner` label."""
    if "team" in labels:
        return str(labels["team"]), "team"
    owner = labels.get("owner")
    if isinstance(owner, str) and _NAME.match(owner):
        return owner, None
    return None, None


def _native(body: Body, src: MappedSource, at: tuple, diags: Diagnostics) -> tuple[dict | None, Mapper]:
    m = Mapper()
    m.link((), src, ())
    m.link(("apiVersion",), src, at)
    out: dict = {"apiVersion": "slogen/v1", "service": m.copy(("service",), src, at + ("service",), body.service)}
    team, team_key = _team(body.labels)
    out["team"] = team or body.service
    m.link(("team",), src, at + (("labels", team_key) if team_key else ("service",)))
    labels = {k: v for k, v in body.labels.items() if k != team_key}
    if labels:
        out["labels"] = m.copy(("labels",), src, at + ("labels",), labels)
    ok = True
    slos = []
    for i, slo in enumerate(body.slos):
        native = _slo(slo, src, at + ("slos", i), ("slos", len(slos)), m, diags)
        if native is None:
            ok = False
        else:
            slos.append(native)
    out["slos"] = slos
    m.link(("slos",), src, at + ("slos",))
    return (out if ok else None), m


def _slo(slo: SLO, src: MappedSource, at: tuple, to: tuple, m: Mapper, diags: Diagnostics) -> dict | None:
    m.link(to, src, at)
    if slo.plugins:
        diags.error("sloth/unsupported", "Sloth SLO plugins are not supported", src.at(at + ("plugins",), key=True),
                    hint="remove `plugins`; slogen's own options cover windows and labels")
        return None
    out: dict = {"name": m.copy(to + ("name",), src, at + ("name",), slo.name),
                 "objective": m.copy(to + ("objective",), src, at + ("objective",), slo.objective)}
    if slo.description:
        out["description"] = m.copy(to + ("description",), src, at + ("description",), slo.description)
    if slo.labels:
        out["labels"] = m.copy(to + ("labels",), src, at + ("labels",), dict(slo.labels))
    sli = _sli(slo.sli, src, at + ("sli",), to + ("sli",), m, diags, slo.objective)
    if sli is None:
        return None
    if sli["kind"] == "latency":  # the objective is the SLI's percentile there
        del out["objective"]
    out |= grouping(sli, to, m, src, at + ("sli",))
    out["sli"] = sli
    alerting = _alerting(slo.alerting, src, at + ("alerting",), to + ("alerting",), m, diags)
    if alerting:
        out["alerting"] = alerting
    return out


def _sli(sli: SLI, src: MappedSource, at: tuple, to: tuple, m: Mapper, diags: Diagnostics,
         objective: float) -> dict | None:
    m.link(to, src, at)
    m.link(to + ("kind",), src, at)
    if sli.plugin is not None:
        diags.error("sloth/unsupported", "Sloth SLI plugins are not supported: slogen cannot see the query "
                    "a plugin builds", src.at(at + ("plugin",), key=True),
                    hint="write the plugin's queries out as `events: {error_query, total_query}`")
        return None
    if sli.events is not None:
        e = at + ("events",)
        latency = latency_sli(sli.events.error_query, sli.events.total_query, objective)
        if latency is not None:
            for key in latency:
                m.link(to + (key,), src, e + ("error_query",))
            return latency
        return {"kind": "ratio",
                "bad_query": m.copy(to + ("bad_query",), src, e + ("error_query",), sli.events.error_query),
                "total_query": m.copy(to + ("total_query",), src, e + ("total_query",), sli.events.total_query)}
    q = at + ("raw", "error_ratio_query")
    split = split_ratio(sli.raw.error_ratio_query)
    if split is None:
        diags.error("sloth/raw-ratio", "slogen needs the error and total rates apart (it weighs long windows "
                    "by traffic), and cannot split this query into `A / B` or `1 - (A / B)`", src.at(q),
                    hint="write it as `events: {error_query, total_query}`")
        return None
    part, numerator, denominator = split
    m.link(to + (f"{part}_query",), src, q)
    m.link(to + ("total_query",), src, q)
    return {"kind": "ratio", f"{part}_query": numerator, "total_query": denominator}


def _sum_rate(node) -> promql.Selector | None:
    """`sum(rate(selector[w]))` → the selector; anything else → None."""
    import promql_parser as pp

    while isinstance(node, pp.ParenExpr):
        node = node.expr
    if not (isinstance(node, pp.AggregateExpr) and str(node.op).lower().endswith("sum") and not node.modifier):
        return None
    call = node.expr
    if not (isinstance(call, pp.Call) and call.func.name == "rate" and isinstance(call.args[0], pp.MatrixSelector)):
        return None
    return promql.parse_selector(call.args[0].vector_selector.prettify())


def latency_sli(error_query: str, total_query: str, objective: float) -> dict | None:
    """Sloth's usual latency SLI, `sum(rate(h_count[w])) - sum(rate(h_bucket{le="T"}[w]))` over
    `sum(rate(h_count[w]))`, becomes slogen's `latency` kind: same meaning, and slogen can then
    generate test inputs for it (it cannot for a query over two selectors)."""
    import promql_parser as pp

    try:
        err = promql.parse(promql.fill_window(error_query, _SENTINEL))
        total = _sum_rate(promql.parse(promql.fill_window(total_query, _SENTINEL)))
    except promql.PromQLError:
        return None
    while isinstance(err, pp.ParenExpr):
        err = err.expr
    if total is None or not (isinstance(err, pp.BinaryExpr) and str(err.op).strip() == "-"):
        return None
    count, bucket = _sum_rate(err.lhs), _sum_rate(err.rhs)
    if count is None or bucket is None or count != total or not count.metric.endswith("_count"):
        return None
    base = count.metric[: -len("_count")]
    le = [mt for mt in bucket.matchers if mt.name == "le"]
    rest = [mt for mt in bucket.matchers if mt.name != "le"]
    if bucket.metric != base + "_bucket" or len(le) != 1 or le[0].op != "=" or set(rest) != set(count.matchers):
        return None
    try:
        threshold = float(le[0].value)
    except ValueError:
        return None
    selector = "{" + ",".join(mt.render() for mt in count.matchers) + "}" if count.matchers else ""
    out = {"kind": "latency", "histogram": base, "threshold": threshold, "percentile": objective}
    if selector:
        out["selector"] = selector
    return out


_SENTINEL = "31337s"  # stands in for the window placeholder while the query is parsed


def split_ratio(query: str) -> tuple[str, str, str] | None:
    """`A / B` → ("bad", A, B); `1 - (A / B)` → ("good", A, B); else None. Keeps the window
    placeholder in A and B."""
    import promql_parser as pp

    if not isinstance(query, str) or not promql.has_placeholder(query):
        return None
    try:
        node = promql.parse(promql.fill_window(query, _SENTINEL))
    except promql.PromQLError:
        return None
    def unparen(n):
        while isinstance(n, pp.ParenExpr):
            n = n.expr
        return n

    node = unparen(node)
    part = "bad"
    if isinstance(node, pp.BinaryExpr) and str(node.op).strip() == "-" and isinstance(node.lhs, pp.NumberLiteral) \
            and node.lhs.val == 1:
        part, node = "good", unparen(node.rhs)
    if not (isinstance(node, pp.BinaryExpr) and str(node.op).strip() == "/"):
        return None
    a, b = node.lhs.prettify(), node.rhs.prettify()
    spelled = promql.parse(f"x[{_SENTINEL}]").prettify()[2:-1]  # how the parser prints the sentinel
    if spelled not in a or spelled not in b:
        return None
    return part, a.replace(spelled, "{{window}}"), b.replace(spelled, "{{window}}")


def _tier(tier: Tier, src: MappedSource, at: tuple, to: tuple, m: Mapper, diags: Diagnostics) -> dict:
    m.link(to, src, at)
    out: dict = {}
    if tier.disable:
        out["disabled"] = m.copy(to + ("disabled",), src, at + ("disable",), True)
    if tier.labels:
        out["labels"] = m.copy(to + ("labels",), src, at + ("labels",), dict(tier.labels))
    _annotations(tier.annotations, src, at, diags)
    return out


def _annotations(annotations: dict, src: MappedSource, at: tuple, diags: Diagnostics) -> None:
    if annotations:
        diags.warning("sloth/annotations", "alert annotations are not carried over: slogen writes summary, "
                      "description, runbook_url and dashboard_url itself", src.at(at + ("annotations",), key=True),
                      hint="put lasting notes into the generated runbook, below its marker")


def _alerting(a: Alerting, src: MappedSource, at: tuple, to: tuple, m: Mapper, diags: Diagnostics) -> dict:
    m.link(to, src, at)
    out: dict = {}
    if a.name is not None:
        out["name"] = m.copy(to + ("name",), src, at + ("name",), a.name)
    if a.labels:
        out["labels"] = m.copy(to + ("labels",), src, at + ("labels",), dict(a.labels))
    _annotations(a.annotations, src, at, diags)
    for native, sloth in (("page", "page_alert"), ("ticket", "ticket_alert")):
        tier = _tier(getattr(a, sloth), src, at + (sloth,), to + (native,), m, diags)
        if tier:
            out[native] = tier
    return out
