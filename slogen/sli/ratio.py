"""Any good/total pair: cache hits over lookups, LLM calls that succeed over all calls."""
from __future__ import annotations

from typing import Literal

from slogen.sli import events
from slogen.sli.kind import SLIKind
from slogen.spec.common import doc


class RatioSLI(events.EventsFields):
    kind: Literal["ratio"] = doc("Good events out of all events, for anything that is not a request outcome.")
    good_noun: str = doc("What a good event is called in alerts and runbooks, e.g. `cache hits`.",
                         default="good events")
    bad_noun: str = doc("What a bad event is called, e.g. `cache misses`.", default="bad events")


def describe(spec: RatioSLI) -> str:
    return f"the share of {spec.good_noun} among all events"


KIND = SLIKind(
    name="ratio", spec=RatioSLI, normalise=events.normalise, queries=events.queries, fixture=events.fixture,
    describe=describe, bad_noun="bad events", good_noun="good events",
    nouns=lambda spec: (spec.good_noun, spec.bad_noun),
)
