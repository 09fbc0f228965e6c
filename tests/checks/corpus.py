"""Wrong specs, one mistake each, as a reviewing SRE would find them: the code slogen must
report, where (the offending value), and the exit code of `slogen validate`.

Each case is (sentence, files, code, file, line, col, exit). `files` maps a path under specs/ to its
text; `T(...)` appends thresholds to the minimal valid spec (its first threshold is on line 12)."""
from __future__ import annotations

from helpers import GOOD

BUNDLE = """\
apiVersion: slogen/v1
kind: Bundle
receivers:
  - name: pager
    pagerduty: {routing_key_file: pd.key}
  - name: chat
    slack: {channel: "#alerts", api_url_file: slack.url}
teams:
  - {name: platform, page: pager, ticket: chat}
"""


def T(body: str) -> dict:
    return {"api.yaml": GOOD + "thresholds:\n" + body}


def S(old: str, new: str) -> dict:
    """The minimal spec with one edit."""
    assert old in GOOD
    return {"api.yaml": GOOD.replace(old, new)}


def B(old: str, new: str, service: str = GOOD) -> dict:
    """The minimal spec with a bundle file, edited."""
    assert old in BUNDLE
    return {"api.yaml": service, "bundle.yaml": BUNDLE.replace(old, new)}


SEL = "    selector: '{job=\"api\"}'\n"
API = "api.yaml"
WINDOWS = "    alerting:\n      windows:\n        - {severity: page, budget_percent: 2, long: 1h, short: 5m}\n"

CASES = [
    # --- units and measures
    ("a memory level in bytes on the default percent measure",
     T("  - kind: memory\n" + SEL + "    warning: {above: 1GiB}\n"), "units/bytes-on-percent", API, 14, 22, 2),
    ("a disk level in bytes on a percent measure",
     T("  - kind: disk\n    selector: '{job=\"node\",instance=\"api\"}'\n    critical: {below: 10GB}\n"),
     "units/bytes-on-percent", API, 14, 23, 2),
    ("a host memory level of a billion percent",
     T("  - kind: memory\n" + SEL + "    critical: {above: 1073741824}\n"), "units/bytes-on-percent", API, 14, 23, 2),
    ("a CPU level above 100 percent can never fire",
     T("  - kind: cpu\n" + SEL + "    critical: {above: 150}\n"), "units/percent-range", API, 14, 23, 2),
    ("an error-rate level below 120 percent fires always",
     T("  - kind: ratio\n    name: ErrorsHigh\n    total: http_requests_total{job=\"api\"}\n"
       "    bad: http_requests_total{job=\"api\",code=~\"5..\"}\n    warning: {below: 120}\n"),
     "units/percent-range", API, 16, 22, 2),
    ("a process memory level of 90 bytes (a percent meant)",
     T("  - kind: memory\n    measure: used_bytes\n" + SEL + "    warning: {above: 90}\n"),
     "units/percent-on-bytes", API, 15, 22, 2),
    ("an objective written as a fraction", S("objective: 99.9", "objective: 0.999"), "units/fraction", API, 6, 16, 2),
    ("a latency percentile written as a fraction",
     S("objective: 99.9\n", "sli: {kind: latency, histogram: h_seconds, selector: '{job=\"api\"}', threshold: 1s, "
       "percentile: 0.95}\n  - name: other\n    objective: 99.9\n"), "units/fraction", API, 6, 100, 2),
    ("a CPU level written as a fraction of one",
     T("  - kind: cpu\n" + SEL + "    warning: {above: 0.9}\n"), "units/fraction-level", API, 14, 22, 0),
    ("a latency threshold of 0s makes every request slow",
     S("objective: 99.9\n", "sli: {kind: latency, histogram: h_seconds, selector: '{job=\"api\"}', threshold: 0s, "
       "percentile: 95}\n  - name: other\n    objective: 99.9\n"), "units/latency-zero", API, 6, 84, 2),
    ("a bare 500 as a latency threshold is 500 seconds",
     S("objective: 99.9\n", "sli: {kind: latency, histogram: h_seconds, selector: '{job=\"api\"}', threshold: 500, "
       "percentile: 95}\n  - name: other\n    objective: 99.9\n"), "units/latency-range", API, 6, 84, 0),
    ("a seconds threshold on a milliseconds histogram",
     S("objective: 99.9\n", "sli: {kind: latency, histogram: rpc_latency_milliseconds, selector: '{job=\"api\"}', "
       "threshold: 1s, percentile: 95}\n  - name: other\n    objective: 99.9\n"), "units/histogram-unit", API, 6, 99, 2),
    ("a latency level above 0 fires whenever there is traffic",
     T("  - kind: latency\n    name: SlowP95\n    histogram: h_seconds\n" + SEL + "    percentile: 95\n"
       "    critical: {above: 0}\n"), "units/latency-zero", API, 17, 23, 2),
    # --- level order
    ("disk free warning below 5 while critical is below 10",
     T("  - kind: disk\n    selector: '{job=\"node\",instance=\"api\"}'\n    warning: {below: 5}\n"
       "    critical: {below: 10}\n"), "levels/order", API, 14, 22, 2),
    ("latency warning above 5s while critical is above 2s",
     T("  - kind: latency\n    name: SlowP95\n    histogram: h_seconds\n" + SEL + "    percentile: 95\n"
       "    warning: {above: 5}\n    critical: {above: 2}\n"), "levels/order", API, 17, 22, 2),
    ("warning above and critical below watch opposite sides",
     T("  - kind: gauge\n    name: QueueOdd\n    metric: queue_depth{job=\"api\"}\n    warning: {above: 10}\n"
       "    critical: {below: 1}\n"), "levels/direction", API, 15, 22, 0),
    ("disk used below 15 percent (free meant)",
     T("  - kind: disk\n    measure: used_percent\n    selector: '{job=\"node\",instance=\"api\"}'\n"
       "    warning: {below: 15}\n"), "levels/wrong-side", API, 15, 22, 0),
    ("a cache hit ratio alert above the level",
     T("  - kind: ratio\n    name: CacheHitLow\n    good: cache_hits_total{job=\"api\"}\n"
       "    total: cache_lookups_total{job=\"api\"}\n    warning: {above: 80}\n"), "levels/wrong-side", API, 16, 22, 0),
    ("a state the gauge never takes",
     T("  - kind: state\n    name: BreakerOpen\n    metric: breaker_state{job=\"api\"}\n"
       "    states: {0: closed, 1: half-open, 2: open}\n    critical: {equals: 3}\n"),
     "levels/state-unknown", API, 16, 24, 2),
    ("a state level above the highest state",
     T("  - kind: state\n    name: BreakerOpen\n    metric: breaker_state{job=\"api\"}\n"
       "    states: {0: closed, 1: half-open, 2: open}\n    critical: {above: 2}\n"),
     "levels/state-unknown", API, 16, 23, 2),
    ("a byte gauge below zero can never fire",
     T("  - kind: gauge\n    name: HeapLow\n    unit: bytes\n    metric: heap_bytes{job=\"api\"}\n"
       "    warning: {below: 0}\n"), "levels/impossible", API, 16, 22, 2),
    ("an up warning that waits longer than the critical page",
     T("  - kind: up\n" + '    selector: \'{job="api"}\'\n' + "    warning: {for: 10m}\n    critical: {for: 1m}\n"),
     "levels/order", API, 14, 20, 2),
    ("a disk-fill warning for a sooner fill than the critical one",
     T("  - kind: disk_fill\n    selector: '{job=\"node\",instance=\"api\"}'\n    warning: {within: 4h}\n"
       "    critical: {within: 24h}\n"), "levels/order", API, 14, 23, 2),
    # --- selectors and types
    ("an up threshold with an empty selector", T("  - kind: up\n    selector: '{}'\n"), "selectors/empty", API, 13, 15, 2),
    ("an up threshold whose selector matches anything",
     T("  - kind: up\n    selector: '{job=~\".*\"}'\n"), "selectors/empty", API, 13, 15, 2),
    ("an up threshold without a job matcher",
     T("  - kind: up\n    selector: '{instance=\"api:8080\"}'\n"), "selectors/up-without-job", API, 13, 15, 0),
    ("a memory threshold on every host of every team",
     T("  - kind: memory\n    warning: {above: 90}\n"), "selectors/unscoped", API, 12, 5, 0),
    ("an SLI counter without any matcher",
     S('total: http_requests_total{job="api"}', "total: http_requests_total"), "selectors/unscoped", API, 9, 14, 0),
    ("an expression that returns a range vector",
     T("  - kind: expression\n    name: QueueDeep\n    expr: queue_depth{job=\"api\"}[5m]\n"
       "    warning: {above: 10}\n"), "selectors/range-vector", API, 14, 11, 2),
    ("a subquery left as the expression",
     T("  - kind: expression\n    name: ErrorsHigh\n    expr: rate(errors_total{job=\"api\"}[5m])[30m:1m]\n"
       "    warning: {above: 1}\n"), "selectors/range-vector", API, 14, 11, 2),
    ("rate() over a gauge in an expression",
     T("  - kind: expression\n    name: QueueGrowing\n    expr: rate(queue_depth{job=\"api\"}[5m])\n"
       "    warning: {above: 1}\n"), "selectors/rate-on-gauge", API, 14, 11, 0),
    ("an SLI total that is a gauge",
     S('total: http_requests_total{job="api"}', 'total: http_requests_in_flight{job="api"}'),
     "selectors/rate-on-gauge", API, 9, 14, 0),
    ("a counter compared with a level as a gauge",
     T("  - kind: gauge\n    name: ErrorsHigh\n    metric: errors_total{job=\"api\"}\n    warning: {above: 10}\n"),
     "selectors/counter-as-gauge", API, 14, 13, 0),
    ("increase() over the bad events and rate() over all",
     S('total: http_requests_total{job="api"}\n      bad: http_requests_total{job="api",code=~"5.."}',
       'total_query: sum(rate(http_requests_total{job="api"}[{{window}}]))\n'
       '      bad_query: sum(increase(http_requests_total{job="api",code=~"5.."}[{{window}}]))'),
     "selectors/rate-increase-mix", API, 10, 18, 2),
    ("bad events of another job than the total",
     S('bad: http_requests_total{job="api",code=~"5.."}', 'bad: http_requests_total{job="web",code=~"5.."}'),
     "selectors/not-subset", API, 10, 12, 2),  # also sli/untestable: no test input can be built
    ("bad events of every job against one job's total",
     S('bad: http_requests_total{job="api",code=~"5.."}', 'bad: http_requests_total{code=~"5.."}'),
     "selectors/not-subset", API, 10, 12, 0),
    # --- windows and budgets
    ("a burn-rate for longer than its long window",
     S("objective: 99.9\n", "objective: 99.9\n" + WINDOWS.replace("short: 5m}", "short: 5m, for: 2h}")),
     "windows/for-exceeds-long", API, 9, 73, 0),
    ("a page tier whose burn factor is below 1",
     S("objective: 99.9\n", "objective: 99.9\n" + WINDOWS.replace("budget_percent: 2, long: 1h",
                                                                   "budget_percent: 1, long: 12h")),
     "windows/page-factor", API, 9, 44, 0),
    ("a short window below the evaluation interval",
     S("objective: 99.9\n", "objective: 99.9\n" + WINDOWS.replace("short: 5m", "short: 30s")),
     "windows/short-below-eval", API, 9, 64, 2),
    ("an error budget too small to measure", S("objective: 99.9", "objective: 99.9999"),
     "windows/budget-too-small", API, 6, 16, 0),
    ("a threshold rate window of 30s",
     T("  - kind: ratio\n    name: ErrorsHigh\n    window: 30s\n    total: http_requests_total{job=\"api\"}\n"
       "    bad: http_requests_total{job=\"api\",code=~\"5..\"}\n    warning: {above: 5}\n"),
     "windows/rate-window", API, 14, 13, 0),
    ("an objective so low that the page alert can never fire", S("objective: 99.9", "objective: 20"),
     "alerts/unreachable", API, 6, 16, 0),
    # --- labels
    ("a team label on the page tier", S("team: platform\n", "team: platform\nalerting:\n  page:\n    labels: "
                                        "{team: sre}\n"), "spec/reserved-label", API, 6, 14, 2),
    ("a slogen_tier label on an SLO's ticket tier",
     S("objective: 99.9\n", "objective: 99.9\n    alerting:\n      ticket: {labels: {slogen_tier: page}}\n"),
     "spec/reserved-label", API, 8, 25, 2),
    ("a service label named service", S("team: platform\n", "team: platform\nlabels: {service: other}\n"),
     "spec/reserved-label", API, 4, 10, 2),
    # --- bundle and routing
    ("a team listed twice in the bundle", B("teams:\n", "teams:\n  - {name: platform, page: chat, ticket: chat}\n"),
     "bundle/duplicate-team", "bundle.yaml", 10, 12, 2),
    ("an email smarthost without a port",
     B("teams:\n", "  - name: mail\n    email: {to: a@example.com, from: b@example.com, smarthost: smtp.example.com}\n"
       "teams:\n"), "bundle/smarthost", "bundle.yaml", 9, 64, 2),
    ("a runbook base URL that is not a URL", B("receivers:\n", "runbook_base_url: git.example.com/runbooks\nreceivers:\n"),
     "bundle/url", "bundle.yaml", 3, 19, 2),
    ("a page receiver without any integration",
     {"api.yaml": GOOD, "bundle.yaml": BUNDLE.replace("teams:\n", "  - name: nobody\nteams:\n")
      .replace("page: pager", "page: nobody")}, "routing/no-integration", "bundle.yaml", 10, 28, 2),
    ("an unknown team while the catch-all notifies nobody",
     B("apiVersion", "apiVersion", GOOD.replace("team: platform", "team: plaftorm")),
     "routing/unrouted", API, 3, 7, 2),
    ("an unknown team goes to a catch-all that notifies someone",
     B("teams:\n", "default_receiver: chat\nteams:\n", GOOD.replace("team: platform", "team: plaftorm")),
     "spec/unknown-team", API, 3, 7, 0),
    # --- nothing lost
    ("a folder whose only spec is empty", {"api.yaml": ""}, "lost/empty-file", API, 1, 1, 2),
    ("a spec file holding only comments next to a good one", {"api.yaml": GOOD, "old.yaml": "# retired\n"},
     "lost/empty-file", "old.yaml", 1, 1, 2),
    ("a bundle file and no service", {"bundle.yaml": BUNDLE}, "lost/no-rules", "bundle.yaml", 1, 1, 2),
    ("a service whose every alert is disabled",
     S("team: platform\n", "team: platform\nalerting: {page: {disabled: true}, ticket: {disabled: true}}\n"),
     "lost/no-alerts", API, 2, 10, 0),
    # --- silences
    ("a silenced check is reported as info",
     T("  - kind: cpu\n" + SEL + "    warning: {above: 0.9}  # slogen: ignore[units/fraction-level] because "
       "idle hosts\n"), "checks/silenced", API, 14, 22, 0),
    ("an ignore comment without a reason silences nothing",
     T("  - kind: cpu\n" + SEL + "    # slogen: ignore[units/percent-range]\n    critical: {above: 150}\n"),
     "checks/ignore-reason", API, 14, 5, 2),
    ("an ignore comment naming an unknown code",
     T("  - kind: cpu\n" + SEL + "    warning: {above: 80}  # slogen: ignore[units/percent] because x\n"),
     "checks/ignore-unknown", API, 14, 27, 0),
    ("an ignore comment with nothing to silence",
     T("  - kind: cpu\n" + SEL + "    warning: {above: 80}  # slogen: ignore[units/percent-range] because x\n"),
     "checks/ignore-unused", API, 14, 27, 0),
]
