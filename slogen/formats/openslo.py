"""OpenSLO documents (v1, and the v1alpha SLO shape Sloth reads) mapped onto native service specs.

Each document is checked on its own first (`parse`); `link` then resolves references across
every document of the run (`indicatorRef`, `alertPolicyRef`, `conditionRef`, `targetRef`;
names are unique per kind) and groups SLOs by `spec.service` into one native service each.

Mapping, in short (docs/formats.md has the full table):
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

from slogen import conventions as C
from slogen.diagnostics import Diagnostics
from slogen.formats import openslo_spec as O
from slogen.formats.openslo_alpha import slo_alpha
from slogen.formats.openslo_common import Index, ServiceBuild
from slogen.formats.openslo_v1 import slo_v1
from slogen.load import Source
from slogen.spec.bundle import BundleSpec
from slogen.spec.service import ServiceSpec


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
                p.spec.spec.service, start_service(p, index, diags))
            if p.source.file not in b.files:
                b.files.append(p.source.file)
            if isinstance(p.spec, O.SLODoc):
                slo_v1(p, b, index, receivers, diags)
            else:
                slo_alpha(p, b, diags)
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


def start_service(p, index: Index, diags: Diagnostics) -> ServiceBuild:
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
