"""Which first-response checklist (a template in `templates/runbooks/topics/`) a runbook gets.

Most kinds say it themselves (`topic` on threshold kinds, the SLI kind for SLOs). A few kinds
measure anything (a gauge, a ratio, an expression), so for those the alert's own words decide,
its name first, then its description and queries:
`CacheHitRateLow` is about a cache, `KataGoEngineDown` about a process, `LlmApiLatencyHigh` about
latency. The first matching row wins; no match keeps the kind's topic."""
from __future__ import annotations

import re

from slogen.model.alerts import Alert
from slogen.thresholds import KINDS as THRESHOLD_KINDS

TOPICS = ("availability", "latency", "cache", "ratio", "disk", "memory", "cpu", "queue",
          "circuit_breaker", "down", "absent", "generic")

_BY_SLI_KIND = {"availability": "availability", "latency": "latency", "ratio": "ratio"}
_GUESSED = {"ratio", "queue", "generic"}  # topics of kinds that can measure anything
_WORDS = [
    ("cache", re.compile(r"cache", re.I)),
    ("circuit_breaker", re.compile(r"circuit|breaker", re.I)),
    ("queue", re.compile(r"queue|backlog|pending|depth", re.I)),
    ("latency", re.compile(r"latency|duration|rtt|round trip|slow", re.I)),
    ("down", re.compile(r"down\b|health|engine|\bup\b|alive", re.I)),
    ("availability", re.compile(r"error|success|fail", re.I)),
    ("cpu", re.compile(r"cpu", re.I)),
    ("memory", re.compile(r"memory|heap|rss|working.set", re.I)),
    ("disk", re.compile(r"disk|filesystem|volume", re.I)),
]


def _camel_words(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)


def topic_of(alert: Alert) -> str:
    if alert.slo is not None:
        base = _BY_SLI_KIND.get(alert.slo.kind, "generic")
        slo = alert.slo
        rest = [slo.name, slo.description, slo.kind, *slo.sli.words, slo.good_noun, slo.bad_noun]
    else:
        base = THRESHOLD_KINDS[alert.threshold.kind].topic or "generic"
        rest = [alert.threshold.description, alert.threshold.value_expr or ""]
    if base in _GUESSED:
        for words in (_camel_words(alert.name), " ".join(rest)):
            for topic, pattern in _WORDS:
                if pattern.search(words):
                    return topic
    return base if base in TOPICS else "generic"
