"""Labels: a spec label that slogen sets itself would be overwritten (and routing with it)."""
from __future__ import annotations

from slogen import conventions as C
from slogen.checks.base import ERROR, Context, check, declare

declare("spec/reserved-label", ERROR, "a spec label that slogen sets itself (team, service, slogen_tier, ...)")

RESERVED = {C.LABEL_SERVICE, C.LABEL_SLO, C.LABEL_TEAM, C.LABEL_SEVERITY, C.LABEL_WINDOW, C.LABEL_ALERT_KIND,
            C.LABEL_TIER, "alertname"}
# A tier's `severity` label replaces slogen's value on purpose (as Sloth's page_alert.labels do).
RESERVED_IN_TIER = RESERVED - {C.LABEL_SEVERITY}


def _labels_of(prefix: tuple, alerting) -> list[tuple[tuple, dict, set]]:
    out = [(prefix + ("labels",), alerting.labels, RESERVED)]
    for tier in ("page", "ticket"):
        out.append((prefix + (tier, "labels"), getattr(alerting, tier).labels, RESERVED_IN_TIER))
    return out


@check
def reserved(ctx: Context) -> None:
    for p in ctx.services:
        spec = p.spec
        places = [(("labels",), spec.labels, RESERVED)] + _labels_of(("alerting",), spec.alerting)
        for i, s in enumerate(spec.slos):
            places += [(("slos", i, "labels"), s.labels, RESERVED)] + _labels_of(("slos", i, "alerting"), s.alerting)
        for i, t in enumerate(spec.thresholds):
            places.append((("thresholds", i, "labels"), t.labels, RESERVED))
        for path, labels, reserved_names in places:
            for key in labels:
                if key in reserved_names:
                    ctx.report("spec/reserved-label", f"label `{key}` is set by slogen; this value would be "
                               "dropped without a word", p.source, path + (key,), key=True,
                               hint="choose another label name")
