"""promtool checks for `slogen explain`'s figures, run against the real generated rule file.

One test group per burn rate of the table: healthy traffic for longer than the longest window
(every window clean), a step to burn rate B held until every alert that should fire has fired and
its short window is full, then recovery. explain's figures are those of an evaluation at the
test's interval (slogen.model.detection), so every one is checked exactly, on that alert's own
`ALERTS` series (the SLO's other window pairs share the alert name and must not get in the way):

  detection t:  not firing 1 interval before t, firing at t
  reset r:      still firing 1 interval before r, not firing at r (r from the same model, for a
                burn of the tested length: explain's figure wherever the long window filled too;
                waiting for every 3-day window to fill would double promtool's work)
  never:        not firing once the long window is full and `for` has passed

Rule groups are evaluated in pipeline order (`group_eval_order`: recordings before alerts); a
real Prometheus runs groups independently, which can add up to one more interval. Alerts whose
long window exceeds 6h (and whose windows are multiples of 5m) are checked at a 5m interval, with
explain's figures worked out for that interval: their 3-day clean history at 1m would take
promtool minutes."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from slogen import conventions as C
from slogen import promql
from slogen.durations import format_duration
from slogen.model import Bundle, SLO
from slogen.model.alerts import Alert, service_alerts
from slogen.model import detection
from slogen.model.detection import detection_seconds, reset_seconds
from slogen.review.explain import burns, human
from slogen.series import expanding
from slogen.sli import KINDS as SLI_KINDS
from slogen.targets.prometheus.rules import rule_path

TRAFFIC = 100_000      # events per interval: bad events stay whole numbers, counters exact
MAX_SAMPLES = 9_500    # promtool 2.42 refuses ranges over ~10,000 samples
FINE, COARSE = 60, 300  # evaluation intervals, seconds
COARSE_FROM = 6 * 3600  # long windows above this are checked at the coarse interval


def interval_for(alert: Alert, base: float) -> int:
    w = alert.window
    spans = (w.long, w.short, w.for_seconds, base)
    if w.long > COARSE_FROM and all(s % COARSE == 0 for s in spans):
        return COARSE
    return FINE


@dataclass(frozen=True)
class Check:
    alert: Alert
    burn: float            # the burn rate tested
    at: int                # seconds from the start of the test
    firing: bool
    what: str              # e.g. "fires after 19m17s: quiet 1m before"


@dataclass
class Plan:
    files: dict[int, dict] = field(default_factory=dict)   # interval → promtool test file
    checks: list[Check] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def test_file_path(service: str, slo: str, interval: int) -> str:
    return f"prometheus/tests/{service}.{slo}.explain-{format_duration(interval)}.test.yml"


def _alerts_query(a: Alert) -> str:
    keys = (C.LABEL_SERVICE, C.LABEL_SLO, C.LABEL_SEVERITY, C.LABEL_WINDOW)
    matchers = [f"alertname={promql.quote(a.name)}", 'alertstate="firing"']
    matchers += [f"{k}={promql.quote(a.labels[k])}" for k in keys]
    return f"count(ALERTS{{{','.join(matchers)}}})"


def _label(a: Alert) -> str:
    w = a.window
    return f"{a.name} {a.severity} {format_duration(w.long)}/{format_duration(w.short)}"


def _figures(a: Alert, burn: float, start: int, base: float, iv: int) -> tuple[float, list]:
    """Until when the burn must last for this alert, and its checks: (the check's time from
    `stop`, the end of the burn; expected state; what)."""
    w, slo = a.window, a.slo
    t = detection_seconds(slo, w, burn, base, iv)
    if t is None:
        at = start + w.long + base + iv + w.for_seconds
        return at + iv, [(lambda stop, at=at: at, False, "never fires")]

    def reset(stop: int) -> float:
        return reset_seconds(slo, w, burn, base, iv, lasted=stop - start)
    return max(start + t, start + w.short + base) + iv, [
        (lambda stop: start + t - iv, False, f"fires after {human(t)}: quiet {human(iv)} before"),
        (lambda stop: start + t, True, f"fires after {human(t)}: firing then"),
        (lambda stop: stop + reset(stop) - iv, True, "resets after recovery: firing 1 interval before"),
        (lambda stop: stop + reset(stop), False, "resets after recovery: quiet then")]


def burn_group(slo: SLO, alerts: list[Alert], label: str, burn: float, base: float, iv: int,
               plan: Plan) -> dict | None:
    """One promtool test group: a clean window, a step to `burn`, recovery; checks for each alert."""
    ties = [a for a in alerts if abs(burn - a.window.factor) <= 1e-9 * a.window.factor]
    if ties:
        # exactly at a threshold the rule's `>` compares equal floats: explain says "never"
        # (it needs more), which is what a burn a hair below shows
        burn *= 0.98
        label += f" (tested at {burn:.4g}x, a tie with a threshold)"
    bad = min(TRAFFIC, round(burn * slo.budget * TRAFFIC))
    burn = bad / (slo.budget * TRAFFIC)      # the burn rate those whole events give
    for _ in range(3):
        # a window's ratio landing exactly on a threshold: float64 rounding decides, one
        # evaluation either way; a burn a hair lower shows the figure without the coin toss
        if not any(detection.ties(slo, a.window, burn, base, iv) for a in alerts):
            break
        bad -= 1
        burn = bad / (slo.budget * TRAFFIC)
        label += f" (tested at {burn:.5g}x: a window lands exactly on a threshold)"
    start = (math.ceil(max(a.window.long for a in alerts) / iv) + math.ceil(base / iv) + 1) * iv
    figures = [(a, *_figures(a, burn, start, base, iv)) for a in alerts]
    stop = math.ceil(max(f[1] for f in figures) / iv) * iv
    checks = [(a, round(at(stop) / iv) * iv, firing, what) for a, _, items in figures for at, firing, what in items]
    n = max(c[1] for c in checks) // iv + 1
    if n + 1 > MAX_SAMPLES:
        plan.skipped.append(f"{label} at {format_duration(iv)}: needs {n + 1} samples, more than promtool accepts")
        return None
    first, last = start // iv, stop // iv
    series = SLI_KINDS[slo.kind].fixture(slo.sli, [TRAFFIC] * n, [bad if first <= k < last else 0 for k in range(n)])
    tests = []
    for a, at, firing, what in sorted(checks, key=lambda c: c[1]):
        plan.checks.append(Check(a, burn, at, firing, f"{label}: {what}"))
        tests.append({"expr": _alerts_query(a), "eval_time": format_duration(at),
                      "exp_samples": [{"labels": "{}", "value": 1}] if firing else []})
    return {"name": f"{slo.service}/{slo.name}: {label} ({burn:.4g}x) from {format_duration(start)} "
                    f"to {format_duration(stop)}",
            "interval": format_duration(iv),
            "input_series": [{"series": s.selector(), "values": expanding(s.values)} for s in series],
            "promql_expr_test": tests}


def plan_for(bundle: Bundle, service: str, slo_name: str) -> Plan:
    """promtool test files (to be written at `test_file_path`, next to the service's generated
    tests) that check every figure `slogen explain` prints for one SLO."""
    svc = bundle.service(service)
    slo = next(s for s in svc.slos if s.name == slo_name)
    groups = [C.rule_group(service, p) for p in ("sli", "slo-period", "alerts")]
    plan = Plan()
    by_interval: dict[int, list[Alert]] = {}
    for a in service_alerts(svc, bundle):
        if a.slo is slo:
            by_interval.setdefault(interval_for(a, bundle.base_window), []).append(a)
    for iv, alerts in sorted(by_interval.items()):
        for label, burn in burns(slo):
            if burn * slo.budget > 1 + 1e-9:
                continue  # impossible: explain says so, nothing to test
            group = burn_group(slo, alerts, label, burn, bundle.base_window, iv, plan)
            if group:
                plan.files.setdefault(iv, {"rule_files": [f"../rules/{rule_path(service).rsplit('/', 1)[1]}"],
                                           "evaluation_interval": format_duration(iv),
                                           "group_eval_order": groups, "tests": []})["tests"].append(group)
    return plan
