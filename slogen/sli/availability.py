"""Availability / error rate: the share of requests that do not fail.

`errors < 0.1%` and `availability 99.9%` are the same SLO: objective 99.9 with the failing
requests as bad events."""
from __future__ import annotations

from typing import Literal

from slogen.sli import events
from slogen.sli.kind import SLIKind
from slogen.spec.common import doc


class AvailabilitySLI(events.EventsFields):
    kind: Literal["availability"] = doc("Requests that succeed, out of all requests.")


def describe(spec: AvailabilitySLI) -> str:
    return "the share of requests that succeed"


KIND = SLIKind(
    name="availability", spec=AvailabilitySLI, normalise=events.normalise, queries=events.queries, fixture=events.fixture,
    describe=describe, bad_noun="failed requests", good_noun="successful requests",
)
