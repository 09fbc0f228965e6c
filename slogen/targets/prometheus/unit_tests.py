"""promtool unit tests proving every generated alert fires when it should and stays quiet when it
should not. One test file per service, next to the rule files.

SLO alerts are tested with error ratios held constant from the first sample: both sides of every
ratio start together, so every window reads exactly that ratio (docs/tests.md) and the
expected alert set and annotation values follow from arithmetic alone. For each window pair:
a burn 10% above its threshold fires it (and whatever has lower thresholds), 10% below does not;
healthy traffic (0.5x burn) fires nothing; the low-traffic guard holds. One more test starts from
healthy traffic: a total outage pages exactly as soon as slogen.model.detection says. The recording rules' windows themselves are checked separately after a step change,
with expected values computed exactly (a window that covered the wrong span would fail)."""
from __future__ import annotations

import math
from functools import lru_cache
from dataclasses import dataclass
from fractions import Fraction

from slogen import conventions as C
from slogen import groups, promql
from slogen.durations import format_duration
from slogen.model import Bundle, SLO, Service, Threshold
from slogen.model import detection
from slogen.model.alerts import Alert, selector, service_alerts
from slogen.prose import render_go
from slogen.series import Series, expanding, with_labels
from slogen.sli import KINDS as SLI_KINDS
from slogen.targets.prometheus.rules import rule_groups, rule_path, windows_of
from slogen.thresholds import KINDS as THRESHOLD_KINDS
from slogen.thresholds.kind import Fixture, Phase, steps
from slogen.files import File

STEP = 60            # seconds between input samples and between evaluations
TRAFFIC = 100_000    # events per step in SLO tests: large, so error ratios are exact fractions
FIRST_EVAL = 1       # steps until rate() has two samples and every ratio is defined


def test_path(service: str) -> str:
    return f"prometheus/tests/{service}.test.yml"


def window_test_path(service: str) -> str:
    return f"prometheus/tests/{service}.windows.test.yml"


@dataclass(frozen=True)
class Expected:
    alert: Alert
    value: float
    series_labels: dict[str, str]

    def render(self) -> dict:
        labels = self.series_labels | self.alert.labels
        return {"exp_labels": labels,
                "exp_annotations": {k: render_go(v, self.value, labels) for k, v in self.alert.annotations.items()}}


def _minutes(steps_: int) -> str:
    return format_duration(steps_ * STEP)


def _check(at: int, name: str, expected: list[Expected]) -> dict:
    return {"eval_time": _minutes(at), "alertname": name, "exp_alerts": [e.render() for e in expected]}


@lru_cache(maxsize=1024)
def _expanding(values: tuple[float | None, ...]) -> str:
    # A fleet's services share their SLO shapes, so the same series values come back for every
    # service; compressing one walks it step by step in Python (the hot spot of this target).
    return expanding(values)


def _input(series: list[Series]) -> list[dict]:
    return [{"series": s.selector(), "values": _expanding(s.values)} for s in series]


# --- SLO alerts -----------------------------------------------------------------------------

def _group(origin: SLO | Threshold, index: int) -> dict[str, str]:
    """The labels of test group `index` (a, b, c, ...) of a grouped SLO or threshold; {} if ungrouped."""
    return origin.test_groups[index] if origin.group_by else {}


def _slo_inputs(slo: SLO, total: list[float], bad: list[float], group: int = 0, start: int = 0) -> list[Series]:
    """Counter series of test group `group`, starting at step `start` (no samples before it)."""
    return [with_labels(s, _group(slo, group), start)
            for s in SLI_KINDS[slo.kind].fixture(slo.sli, total, bad)]


@lru_cache(maxsize=4096)
def _threshold(factor: float, budget: float) -> Fraction:
    """The rule's `factor * budget`, as the exact decimals the rule file spells (a budget of 1e-11
    must not become 0, as limiting the denominator to 10**9 would make it)."""
    return Fraction(promql.format_number(factor)) * Fraction(promql.format_number(budget))


def _firing(alerts: list[Alert], slo: SLO, bad: int, traffic: int, at: int, group: int = 0) -> list[Expected]:
    """Which burn-rate alerts of test group `group` fire at step `at` (counted from the group's first
    sample) when `bad` of `traffic` events per step fail."""
    ratio = Fraction(bad, traffic)
    out = []
    for a in alerts:
        w = a.window
        threshold = _threshold(w.factor, slo.budget)
        if ratio > threshold and _guarded(slo, a, traffic) and at >= FIRST_EVAL + math.ceil(w.for_seconds / STEP):
            out.append(Expected(a, bad / traffic, _group(slo, group)))
    return out


def _bad_for(ratio: float, slo: SLO, traffic: int) -> int:
    """Bad events per step for about `ratio`, kept clear of every alert threshold."""
    bad = max(0, min(traffic, round(ratio * traffic)))
    thresholds = [w.factor * slo.budget for w in slo.windows]
    while any(abs(bad / traffic - t) < 1e-6 for t in thresholds):
        bad += 1
    return bad


def _slo_case(slo: SLO, alerts: list[Alert], name: str, bad: int, at: int, traffic: int = TRAFFIC) -> dict:
    n = at + 1
    series = _slo_inputs(slo, [traffic] * n, [bad] * n)
    return {"name": f"{slo.name}: {name}", "interval": _minutes(1), "input_series": _input(series),
            "alert_rule_test": [_check(at, slo.alert_name, _firing(alerts, slo, bad, traffic, at))]}


def outage_after_healthy_traffic(slo: SLO, alerts: list[Alert], base: float) -> dict:
    """Healthy traffic until every window that can fire in time is clean, then every event
    fails: the page fires within the time a real evaluation gives (slogen.model.detection, what
    `slogen explain` prints), checked at that very evaluation, so a rule one evaluation slower (a
    window blurred over the recorded 5m rates, a longer `for`) fails."""
    outage = 1 / slo.budget
    times = [detection.detection_seconds(slo, a.window, outage, base, STEP) for a in alerts]
    bound = min(t for a, t in zip(alerts, times) if a.paging and t is not None)
    at = round(bound / STEP)
    # alerts that wait longer than `bound` cannot be firing yet, whatever their windows read
    early = [a for a in alerts if math.ceil(a.window.for_seconds / STEP) < at]
    healthy = math.ceil((max(a.window.long for a in early) + base) / STEP) + 1
    n = healthy + at + 1
    series = _slo_inputs(slo, [TRAFFIC] * n, [0] * healthy + [TRAFFIC] * (n - healthy))
    expected = [Expected(a, float(detection.long_ratio(slo, a.window, outage, base, bound, STEP)), _group(slo, 0))
                for a, t in zip(alerts, times) if t is not None and t <= bound and _guarded(slo, a, TRAFFIC)]
    return {"name": f"{slo.name}: a total outage after {_minutes(healthy)} of good traffic pages within "
                    f"{_minutes(at)}",
            "interval": _minutes(1), "input_series": _input(series),
            "alert_rule_test": [_check(healthy + at, slo.alert_name, expected)]}


def _guarded(slo: SLO, a: Alert, traffic: int) -> bool:
    """The low-traffic guard lets this alert fire at `traffic` events per step."""
    return not slo.min_events or Fraction(traffic, STEP) * int(a.window.long) >= slo.min_events


def slo_tests(slo: SLO, alerts: list[Alert], base: float) -> list[dict]:
    if not alerts:
        return []
    settle = FIRST_EVAL + max(math.ceil(a.window.for_seconds / STEP) for a in alerts) + 5
    b = slo.budget
    lowest = min(a.window.factor for a in alerts)
    tests = []
    healthy = 0.5 * min(1.0, lowest)
    tests.append(_slo_case(slo, alerts, f"healthy traffic ({healthy:g}x burn) fires nothing",
                           _bad_for(healthy * b, slo, TRAFFIC), settle))
    if any(a.paging for a in alerts):
        tests.append(outage_after_healthy_traffic(slo, alerts, base))
    tests.append(_slo_case(slo, alerts, "a total outage fires every window pair", TRAFFIC, settle))
    for a in alerts:
        w = a.window
        label = f"{a.severity} {C.window_label(w.long, w.short)} ({w.factor:g}x)"
        # long enough for this rule's `for`; rules with a longer `for` are simply not firing yet
        at = FIRST_EVAL + math.ceil(w.for_seconds / STEP) + 2
        above = 1.1 * w.factor * b
        if above <= 1:
            tests.append(_slo_case(slo, alerts, f"{label} fires just above its threshold (1.1x)",
                                   _bad_for(above, slo, TRAFFIC), at))
        tests.append(_slo_case(slo, alerts, f"{label} stays quiet just below its threshold (0.9x)",
                               _bad_for(0.9 * w.factor * b, slo, TRAFFIC), at))
    if slo.min_events:
        shortest = min(a.window.long for a in alerts)
        traffic = max(1, math.floor(slo.min_events * STEP / shortest / 2))
        tests.append(_slo_case(slo, alerts, f"a total outage at {traffic} events/min is below min_events",
                               traffic, settle, traffic=traffic))
    if slo.group_by:
        tests += group_tests(slo, alerts, settle, base)
    return tests


def group_tests(slo: SLO, alerts: list[Alert], settle: int, base: float) -> list[dict]:
    """A grouped SLO is one SLO per group: a burning group fires with its own labels while a healthy
    one stays quiet, a group that appears mid-test is judged on its own samples, and a group that
    disappears stops firing once its short windows have no samples left."""
    what = groups.describe(slo.group_by)
    healthy = _bad_for(0.5 * min(1.0, min(a.window.factor for a in alerts)) * slo.budget, slo, TRAFFIC)
    n = settle + 1

    def case(name: str, series: list[Series], checks: list[tuple[int, list[Expected]]]) -> dict:
        return {"name": f"{slo.name}: {name}", "interval": _minutes(1), "input_series": _input(series),
                "alert_rule_test": [_check(at, slo.alert_name, expected) for at, expected in checks]}

    tests = [case(f"per {what}: only the burning group fires, with its labels",
                  _slo_inputs(slo, [TRAFFIC] * n, [TRAFFIC] * n, 0) + _slo_inputs(slo, [TRAFFIC] * n, [healthy] * n, 1),
                  [(settle, _firing(alerts, slo, TRAFFIC, TRAFFIC, settle, 0))])]

    # a new group (a new provider) starts burning at step `born`, next to a healthy one
    born, n = 10, 10 + settle + 1
    tests.append(case(
        f"per {what}: a group that appears mid-test fires on its own samples",
        _slo_inputs(slo, [TRAFFIC] * n, [healthy] * n, 1)
        + _slo_inputs(slo, [TRAFFIC] * (n - born), [TRAFFIC] * (n - born), 2, start=born),
        [(born - 1, []), (born + settle, _firing(alerts, slo, TRAFFIC, TRAFFIC, settle, 2))]))

    # a burning group whose series end at step `gone`: each window pair resolves once one of its
    # windows holds no sample of it (a recorded base rate outlives the raw series by one window)
    gone = settle
    base_steps = round(base / STEP)

    def last(window: float) -> int:  # the last evaluation at which `window` still reads the group
        if window == base:
            return gone + base_steps - 1
        if window in slo.raw_queries:
            return gone + round(window / STEP) - 1
        return gone + base_steps - 1 + round(window / STEP)

    ends = {a.window: min(last(a.window.short), last(a.window.long)) for a in alerts}
    late = min(ends.values()) + 3
    while any(abs(late - end) <= 2 for end in ends.values()):
        late += 1
    n = late + 1
    still = [e for e in _firing(alerts, slo, TRAFFIC, TRAFFIC, late, 3) if ends[e.alert.window] > late]
    tests.append(case(
        f"per {what}: a group that disappears stops firing",
        _slo_inputs(slo, [TRAFFIC] * n, [healthy] * n, 1)
        + _slo_inputs(slo, [TRAFFIC] * (gone + 1), [TRAFFIC] * (gone + 1), 3),
        [(gone, _firing(alerts, slo, TRAFFIC, TRAFFIC, gone, 3)), (late, still)]))

    if slo.min_events:  # the low-traffic guard counts each group's events, not the SLO's
        shortest_long = min(a.window.long for a in alerts)
        quiet = max(1, math.floor(slo.min_events * STEP / shortest_long / 2))
        n = settle + 1
        tests.append(case(
            f"per {what}: min_events counts each group's own events ({quiet}/min is too few over "
            f"{format_duration(shortest_long)})",
            _slo_inputs(slo, [TRAFFIC] * n, [TRAFFIC] * n, 0) + _slo_inputs(slo, [quiet] * n, [quiet] * n, 1),
            [(settle, _firing(alerts, slo, TRAFFIC, TRAFFIC, settle, 0)
              + _firing(alerts, slo, quiet, quiet, settle, 1))]))
    return tests


def window_step(slo: SLO, base: float) -> int:
    """Seconds between samples in the window test: coarse (5m) keeps a 3-day test to ~900
    evaluations; finer only where a window is not a multiple of it."""
    step = int(base)
    for w in windows_of(slo, base):
        step = math.gcd(step, int(w))
    return step


def window_test(slo: SLO, base: float, step: int) -> dict:
    """Errors from the start, none after a step; each recorded window must then read exactly the
    share of its span that lies before the step, so a window covering a wrong span (on either side
    of the ratio) fails. The error ratio stays below every alert threshold, so no alert fires and
    the long test stays cheap to evaluate."""
    b = int(base) // step
    windows = [base] + windows_of(slo, base)
    spans = [int(w) // step for w in windows]
    step_at = max(spans) // 2 + b + 1
    lowest = min((w.factor * slo.budget for w in slo.windows), default=slo.budget)
    bad_per_step = max(1, math.floor(WINDOW_TOTAL * lowest / 2))
    checks = []
    for w, span in zip(windows, spans):
        at = step_at + math.ceil(span / 2) - (1 if span == b else 0)
        value = _window_ratio(span, b, step_at, at, bad_per_step, raw=w == base or w in slo.raw_queries)
        checks.append({"expr": f"round({C.sli_error_ratio(w)}{selector(slo)}, {ROUND_TO})",
                       "eval_time": format_duration(at * step),
                       "exp_samples": [{"labels": _labels_text(slo), "value": prom_round(value)}]})
    n = step_at + max(math.ceil(s / 2) for s in spans) + 2
    total = [WINDOW_TOTAL] * n
    bad = [bad_per_step] * step_at + [0] * (n - step_at)
    return {"name": f"{slo.name}: each recorded window covers exactly its span",
            "interval": format_duration(step), "input_series": _input(_slo_inputs(slo, total, bad)),
            "promql_expr_test": checks}


WINDOW_TOTAL = 100_000
ROUND_TO = 1e-12


def prom_round(value: Fraction) -> float:
    """Prometheus's round(v, to_nearest): floor(v * (1/to) + 0.5) / (1/to), in float64 as Go does."""
    inverse = 1.0 / ROUND_TO
    return math.floor(float(value) * inverse + 0.5) / inverse


def _labels_text(slo: SLO) -> str:
    group = "".join(f', {k}={promql.quote(v)}' for k, v in _group(slo, 0).items())
    return f'{{{C.LABEL_SERVICE}="{slo.service}", {C.LABEL_SLO}="{slo.name}"{group}}}'


def _window_ratio(span: int, base: int, step_at: int, at: int, bad: int, raw: bool) -> Fraction:
    """Exact error ratio over a window at step `at`. Read raw: the bad counter's increase over the
    window (both counters have a sample at each end, so rate() extrapolates neither). Derived:
    sum_over_time(bad_rate[W]) / sum_over_time(all_rate[W]), where the base-window rates come from
    exact ranges (Prometheus 2.x ranges include both ends)."""
    if raw:
        def counter(n: int) -> int:
            return bad * min(max(n, 0), step_at)
        return Fraction(counter(at) - counter(at - span), WINDOW_TOTAL * span)

    def prefix(n: int) -> int:  # sum of the bad-events counter over steps 0..n (it rises until step_at)
        if n < 0:
            return 0
        rising = min(n, step_at)
        return bad * (rising * (rising + 1) // 2 + max(0, n - step_at) * step_at)

    def summed(first: int, last: int) -> int:  # sum of counter(t) - counter(t - base), t in first..last
        return prefix(last) - prefix(first - 1) - prefix(last - base) + prefix(first - base - 1)

    return Fraction(summed(at - span, at), (span + 1) * WINDOW_TOTAL * base)


# --- threshold alerts -----------------------------------------------------------------------

def threshold_tests(t: Threshold, alerts: list[Alert]) -> list[dict]:
    kind = THRESHOLD_KINDS[t.kind]
    phases = list(t.phases)
    if t.kind == "disk_fill":
        return [_separate_phase(t, kind, p, alerts, i) for i, p in enumerate(phases)]
    values = steps(phases)
    fixture = _grouped_fixture(t, kind, values, phases)
    checks = []
    start = 0
    for i, p in enumerate(phases):
        end = start + p.minutes - 1
        expected = [Expected(a, p.value if p.value is not None else 1, fixture.labels)
                    for a in alerts if a.level.holds(p.value)]
        if i == 1:
            fresh = [a for a in alerts if a.level.holds(p.value)]
            wait = min((math.ceil(a.for_seconds / STEP) for a in fresh), default=0)
            if wait >= 2:
                checks.append(_check(start + wait - 1, t.name, []))
        checks.append(_check(end, t.name, _sorted(expected)))
        start += p.minutes
    per = f" for {groups.show(_group(t, 0))}; {groups.show(_group(t, 1))} stays quiet" if t.group_by else ""
    return [{"name": f"{t.name}: quiet, then {' then '.join(_phase_names(alerts, phases))}{per}",
             "interval": _minutes(1), "input_series": _input(fixture.series), "alert_rule_test": checks}]


def _grouped_fixture(t: Threshold, kind, values: list, phases: list[Phase]) -> Fixture:
    """A grouped threshold's test: group a goes through the phases, group b stays in the first,
    quiet one all along; only group a's alerts may fire, carrying its labels."""
    fixture = kind.fixture(t.measure, values)
    if not t.group_by:
        return fixture
    a, b = _group(t, 0), _group(t, 1)
    quiet = kind.fixture(t.measure, [phases[0].value] * len(values))
    return Fixture([with_labels(s, a) for s in fixture.series] + [with_labels(s, b) for s in quiet.series],
                   fixture.labels | a)


def _phase_names(alerts: list[Alert], phases: list[Phase]) -> list[str]:
    out = []
    for p in phases[1:]:
        fired = [a.severity for a in alerts if a.level.holds(p.value)]
        out.append(" + ".join(fired) or "quiet")
    return out


def _separate_phase(t: Threshold, kind, p: Phase, alerts: list[Alert], i: int) -> dict:
    fixture = kind.fixture(t.measure, [p.value] * p.minutes)
    expected = [Expected(a, 1, fixture.labels) for a in alerts
                if a.level.holds(p.value) and p.minutes - 1 >= math.ceil(a.for_seconds / STEP) + FIRST_EVAL]
    what = " + ".join(e.alert.severity for e in expected) or "quiet"
    return {"name": f"{t.name}: {p.value:g}h until full: {what}", "interval": _minutes(1),
            "input_series": _input(fixture.series),
            "alert_rule_test": [_check(p.minutes - 1, t.name, _sorted(expected))]}


def _sorted(expected: list[Expected]) -> list[Expected]:
    return sorted(expected, key=lambda e: e.alert.severity)


# --- the file -------------------------------------------------------------------------------

def service_tests(service: Service, bundle: Bundle) -> dict:
    alerts = service_alerts(service, bundle)
    tests = []
    for slo in service.slos:
        tests += slo_tests(slo, [a for a in alerts if a.slo is slo], bundle.base_window)
    for t in service.thresholds:
        tests += threshold_tests(t, [a for a in alerts if a.threshold is t])
    # Recordings before alerts at each evaluation, as the outage test's exact bound assumes;
    # promtool's default order is random (docs/alerting.md, "Detection time").
    order = [g["name"] for g in rule_groups(service, bundle)]
    return {"rule_files": [f"../rules/{rule_path(service.name).rsplit('/', 1)[1]}"],
            "evaluation_interval": _minutes(1), "group_eval_order": order, "tests": tests}


def window_tests(service: Service, bundle: Bundle) -> dict | None:
    """A separate file, because its evaluation interval differs (see window_step)."""
    if not service.slos:
        return None
    step = math.gcd(*{window_step(slo, bundle.base_window) for slo in service.slos})
    return {"rule_files": [f"../rules/{rule_path(service.name).rsplit('/', 1)[1]}"],
            "evaluation_interval": format_duration(step),
            "tests": [window_test(slo, bundle.base_window, step) for slo in service.slos]}


def service_files(bundle: Bundle, services) -> list[File]:
    out = []
    for s in services:
        out.append(File(test_path(s.name), service_tests(s, bundle), source=s.source, service=s.name))
        windows = window_tests(s, bundle)
        if windows:
            out.append(File(window_test_path(s.name), windows, source=s.source, service=s.name))
    return out
