"""Inhibit rules: while the more urgent alert fires, its less urgent twin stays quiet, so one
incident means one notification. Scoped to slogen's alerts (`slogen_kind`), so in a merged
config they never touch a team's own alerts."""
from __future__ import annotations

from slogen import conventions as C
from slogen.targets.alertmanager.routes import SLOGEN_ALERTS, matcher

KIND_SLO = "slo"
KIND_UP = "up"  # the `up` threshold kind: the service cannot be scraped


def inhibit_rules(group_labels: list[str] = ()) -> list[dict]:
    """`group_labels`: the bundle's `group_by` labels (routes.group_labels); an SLO page or a
    critical level covers only the same group's ticket or warning."""
    groups = [l for l in group_labels if l not in (C.LABEL_SERVICE, C.LABEL_SLO, "alertname")]
    return [
        {   # an SLO page covers the ticket of the same SLO: same budget, burning faster
            "source_matchers": [matcher(C.LABEL_ALERT_KIND, KIND_SLO), matcher(C.LABEL_TIER, C.TIER_PAGE)],
            "target_matchers": [matcher(C.LABEL_ALERT_KIND, KIND_SLO), matcher(C.LABEL_TIER, C.TIER_TICKET)],
            "equal": [C.LABEL_SERVICE, C.LABEL_SLO, *groups],
        },
        {   # a critical threshold level covers its warning level (same alert name, same service)
            "source_matchers": [SLOGEN_ALERTS, f'{C.LABEL_ALERT_KIND}!="{KIND_SLO}"', matcher(C.LABEL_TIER, C.TIER_PAGE)],
            "target_matchers": [SLOGEN_ALERTS, f'{C.LABEL_ALERT_KIND}!="{KIND_SLO}"', matcher(C.LABEL_TIER, C.TIER_TICKET)],
            "equal": ["alertname", C.LABEL_SERVICE, *groups],
        },
        {   # a service that is down explains every other symptom of that service
            "source_matchers": [matcher(C.LABEL_ALERT_KIND, KIND_UP), matcher(C.LABEL_TIER, C.TIER_PAGE)],
            "target_matchers": [SLOGEN_ALERTS, f'{C.LABEL_ALERT_KIND}!="{KIND_UP}"'],
            "equal": [C.LABEL_SERVICE],
        },
    ]
