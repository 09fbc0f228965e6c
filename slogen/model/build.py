"""Specs → model: apply defaults, derive burn-rate factors, check what needs the whole picture
(duplicates across files, windows against periods, receivers, testability)."""
from __future__ import annotations

import math
import posixpath
from functools import lru_cache
from importlib import resources

import yaml

from slogen import conventions as C
from slogen import groups, promql, yamlout
from slogen.checks.base import report
from slogen.checks.labels import RESERVED as RESERVED_LABELS
from slogen.diagnostics import Diagnostics, Position
from slogen.durations import format_duration, parse_duration, scaled
from slogen.model.types import (Bundle, BurnWindow, Email, Level, PagerDuty, Receiver, RuleOutput, Service, Settings,
                                Slack, SLO, Threshold, Tier, Webhook)
from slogen.series import Untestable
from slogen.sli import KINDS as SLI_KINDS
from slogen.spec import Parsed
from slogen.spec.bundle import BundleSpec, ReceiverSpec
from slogen.spec.service import AlertingSpec, ServiceSpec, WindowSpec
from slogen.thresholds import KINDS as THRESHOLD_KINDS
from slogen.thresholds.kind import CompareLevel, LevelRule, severities, steps

# Burn-rate factors are written with 4 decimals (14.4, 0.9333); a factor that rounding would move
# by more than 1% (0.00004 → 0) is refused rather than written with another meaning.
FACTOR_DECIMALS = 4
MAX_ROUNDING = 0.01
# A threshold alert's unit test holds one sample a minute through each level's `for` (and the rate
# window); a year of them is ample, and `for: 9999y` would fill the memory.
MAX_TEST_MINUTES = 366 * 24 * 60
BUDGET_DECIMALS = 12  # the error budget (1 - objective) as written into the rules, see SLO.budget
MIN_EXACT_FACTOR = 0.5 * 10 ** -FACTOR_DECIMALS / MAX_ROUNDING  # from here on, rounding is always within 1%



@lru_cache(maxsize=1)
def default_windows() -> tuple[WindowSpec, ...]:
    text = resources.files("slogen.data").joinpath("windows.yaml").read_text()
    return tuple(WindowSpec.model_validate(w) for w in yaml.safe_load(text)["windows"])


def build_model(parsed: list[Parsed], diags: Diagnostics, time_scale: float = 1.0, output: RuleOutput | None = None,
                dashboards: str | None = None) -> Bundle | None:
    """The model of the parsed specs, with the build options that are not specs: `time_scale`
    (drills), `output` (how rule files are packaged, `--format`) and the team's `dashboards` folder."""
    if not (math.isfinite(time_scale) and 0 < time_scale <= 1) or C.BASE_WINDOW * time_scale < HALF_SECOND:
        diags.error("input/time-scale", f"--time-scale {time_scale:g} cannot be used: it must be above 0 and at "
                    f"most 1, and keep the {format_duration(C.BASE_WINDOW)} base window from rounding to 0s",
                    hint=f"drills use 0.005 to 0.01; the smallest is {HALF_SECOND / C.BASE_WINDOW:g}")
        return None
    bundles = [p for p in parsed if isinstance(p.spec, BundleSpec)]
    services = [p for p in parsed if isinstance(p.spec, ServiceSpec)]
    for extra in bundles[1:]:
        diags.error("spec/duplicate-bundle", "a second `kind: Bundle` file", extra.source.at(()),
                    hint=f"keep one; the first is {bundles[0].source.file}")
    settings = _settings(bundles[0] if bundles else None, diags)
    seen: dict[str, Parsed] = {}
    out: list[Service] = []
    for p in sorted(services, key=lambda p: (p.spec.service, p.source.file)):
        name = p.spec.service
        if name in seen:
            diags.error("spec/duplicate-service", f"service `{name}` is also defined in {seen[name].source.file}",
                        p.source.at(("service",)), hint="service names must be unique across the bundle")
            continue
        seen[name] = p
        out.append(_service(p, settings, diags, time_scale))
    if diags.has_errors:
        return None
    return Bundle(tuple(out), settings, base_window=scaled(C.BASE_WINDOW, time_scale), time_scale=time_scale,
                  output=output or RuleOutput(), dashboards=dashboards)


# `--time-scale` durations are whole seconds, at least 1s (a drill's `for: 1m` at 0.005 is 1s). The
# 5m base window must not round to 0s, and a short window must stay shorter than its long one.
HALF_SECOND = 0.5


def _scale_refused(long: float, short: float, scale: float, where: Position, diags: Diagnostics) -> bool:
    """True (and an error at `where`) when `scale` makes the short window as long as the long one."""
    if scale == 1 or scaled(short, scale) < scaled(long, scale):
        return False
    diags.error("input/time-scale", f"--time-scale {scale:g} makes the windows {format_duration(long)} and "
                f"{format_duration(short)} both {format_duration(scaled(long, scale))}", where,
                hint="use a larger time scale")
    return True


def _settings(p: Parsed | None, diags: Diagnostics) -> Settings:
    if p is None:
        return Settings(runbook_base_url=BundleSpec.model_fields["runbook_base_url"].default,
                        grafana_url=BundleSpec.model_fields["grafana_url"].default,
                        secrets_dir=BundleSpec.model_fields["secrets_dir"].default)
    spec: BundleSpec = p.spec
    names = set()
    for i, r in enumerate(spec.receivers):
        if r.name in names:
            diags.error("spec/duplicate-receiver", f"receiver `{r.name}` is declared twice", p.source.at(("receivers", i, "name")))
        names.add(r.name)
    teams = {}
    for i, t in enumerate(spec.teams):
        for tier in ("page", "ticket"):
            if getattr(t, tier) not in names:
                diags.error("spec/unknown-receiver", f"team `{t.name}` {tier}s to `{getattr(t, tier)}`, which is not a receiver",
                            p.source.at(("teams", i, tier)), hint="declare it under `receivers`")
        teams[t.name] = (t.page, t.ticket)
    if spec.default_receiver and spec.default_receiver not in names:
        diags.error("spec/unknown-receiver", f"`{spec.default_receiver}` is not a receiver",
                    p.source.at(("default_receiver",)))
    return Settings(runbook_base_url=spec.runbook_base_url.rstrip("/"), grafana_url=spec.grafana_url.rstrip("/"),
                    secrets_dir=spec.secrets_dir, receivers=tuple(_receiver(r, spec.secrets_dir) for r in spec.receivers),
                    teams=teams, default_receiver=spec.default_receiver, source=p.source.file)


def _receiver(r: ReceiverSpec, secrets_dir: str) -> Receiver:
    def secret(file: str | None) -> str | None:
        return posixpath.normpath(posixpath.join(secrets_dir, file)) if file else None

    pd, slack, hook, mail = r.pagerduty, r.slack, r.webhook, r.email
    return Receiver(
        r.name,
        pagerduty=None if pd is None else PagerDuty(secret(pd.routing_key_file), pd.url),
        slack=None if slack is None else Slack(slack.channel, secret(slack.api_url_file)),
        webhook=None if hook is None else Webhook(secret(hook.url_file)),
        email=None if mail is None else Email(mail.to, mail.from_, mail.smarthost, mail.auth_username,
                                              secret(mail.auth_password_file)),
    )


def _as_written(spec) -> str:
    """A spec object as the user wrote it (the fields given), in YAML: what a runbook quotes."""
    return yamlout.dump(spec.model_dump(by_alias=True, exclude_unset=True, mode="json")).rstrip()


def _tier(spec_tier, team: str, which: str, settings: Settings, p: Parsed, path: tuple, diags: Diagnostics) -> Tier:
    receiver = spec_tier.receiver
    # Also without a Bundle file: Alertmanager refuses a route to an undeclared receiver.
    known = {r.name for r in settings.receivers} | {settings.default_receiver or C.RECEIVER_CATCH_ALL}
    if receiver and receiver not in known:
        diags.error("spec/unknown-receiver", f"`{receiver}` is not a receiver of the bundle",
                    p.source.at(path + ("receiver",)), hint="declare it in the Bundle file's `receivers`")
    if receiver is None and team in settings.teams:
        receiver = settings.teams[team][0 if which == "page" else 1]
    return Tier(receiver, dict(spec_tier.labels))


def _service(p: Parsed, settings: Settings, diags: Diagnostics, scale: float) -> Service:
    spec: ServiceSpec = p.spec
    src = p.source
    base_labels = dict(spec.labels) | dict(spec.alerting.labels)
    alert_names: dict[str, tuple] = {}
    slos = []
    for i, slo_spec in enumerate(spec.slos):
        if any(s.name == slo_spec.name for s in slos):
            diags.error("spec/duplicate-slo", f"SLO `{slo_spec.name}` is defined twice in this service",
                        src.at(("slos", i, "name")), hint="SLO names must be unique within a service")
            continue
        slo = _slo(p, i, base_labels, settings, diags, scale)
        if slo is None:
            continue
        _claim_name(alert_names, slo.alert_name, ("slos", i), p, diags)
        slos.append(slo)
    thresholds = []
    for i, t_spec in enumerate(spec.thresholds):
        t = _threshold(p, i, base_labels, settings, diags, scale)
        if t is not None:
            _claim_name(alert_names, t.name, ("thresholds", i), p, diags)
            thresholds.append(t)
    return Service(name=spec.service, team=spec.team, description=spec.description, labels=dict(spec.labels),
                   slos=tuple(slos), thresholds=tuple(thresholds), source=src.file, position=src.at(()))


def _claim_name(names: dict, name: str, path: tuple, p: Parsed, diags: Diagnostics) -> None:
    if name in names:
        diags.error("spec/duplicate-alert", f"alert name `{name}` is already used in this service "
                    f"(line {p.source.at(names[name]).line})", p.source.at(path),
                    hint="set a distinct `name` (thresholds) or `alerting.name` (SLOs)")
    names[name] = path


def _merge_alerting(service: AlertingSpec, slo: AlertingSpec) -> AlertingSpec:
    """SLO alerting options override the service's, field by field where the SLO set them."""
    data = service.model_dump(by_alias=True, exclude_unset=True)
    for key, value in slo.model_dump(by_alias=True, exclude_unset=True).items():
        if key in ("page", "ticket") and key in data:
            data[key] = data[key] | value
        else:
            data[key] = value
    data.pop("name", None)
    return AlertingSpec.model_validate(data)


def _slo(p: Parsed, i: int, base_labels: dict, settings: Settings, diags: Diagnostics, scale: float) -> SLO | None:
    spec: ServiceSpec = p.spec
    s = spec.slos[i]
    src = p.source
    path = ("slos", i)
    kind = SLI_KINDS[s.sli.kind]
    sli = kind.normalise(s.sli)
    alerting = _merge_alerting(spec.alerting, s.alerting)
    period = parse_duration(s.period)
    objective = s.objective_percent / 100
    budget = 1 - objective
    if abs(round(budget, BUDGET_DECIMALS) - budget) > MAX_ROUNDING * budget:
        diags.error("spec/objective-too-close-to-100",
                    f"objective {s.objective_percent!r}% leaves an error budget of {budget:.3g}, which rounds to "
                    f"{round(budget, BUDGET_DECIMALS):g} at {BUDGET_DECIMALS} decimals: the alerts would not mean "
                    "what the objective says", src.at(path + (("objective",) if s.objective is not None
                                                            else ("sli", "percentile"))),
                    hint="an objective can have at most 9 nines after the point (99.999999999)")
        return None
    windows_path = path + ("alerting", "windows") if s.alerting.windows else ("alerting", "windows")
    windows = []
    for j, w in enumerate(alerting.windows or default_windows()):
        long, short = parse_duration(w.long), parse_duration(w.short)
        if long > period:
            diags.error("spec/window-exceeds-period",
                        f"alert window {w.long} is longer than the SLO period {s.period}",
                        src.at(path + ("period",)) if not alerting.windows else src.at(windows_path),
                        hint="use a longer period or shorter windows (a 7d period usually scales windows down)")
            continue
        if short >= long:
            diags.error("spec/window-order", f"short window {w.short} is not shorter than long window {w.long}",
                        src.at(windows_path))
            continue
        if getattr(alerting, w.severity).disabled:
            continue
        if _scale_refused(long, short, scale, src.at(windows_path + (j,)) if alerting.windows else src.at(path), diags):
            continue
        exact = w.budget_percent / 100 * period / long
        factor = round(exact, FACTOR_DECIMALS)
        if abs(factor - exact) > MAX_ROUNDING * exact:
            where = src.at(windows_path + (j, "budget_percent")) if alerting.windows else src.at(path + ("period",))
            diags.error("spec/burn-factor-too-small",
                        f"the burn-rate factor of this window, {w.budget_percent:g}% × {format_duration(period)} / "
                        f"{format_duration(long)} = {exact:.3g}, would be written as {factor:g} "
                        f"({FACTOR_DECIMALS} decimals), which changes when the alert fires",
                        where, hint="a factor this small fires on almost any error: raise `budget_percent` or "
                        f"shorten `long` (from a factor of {MIN_EXACT_FACTOR:g} up, the rounding is always within "
                        f"{MAX_ROUNDING:.0%})")
            continue
        if factor * budget >= 1:
            report(diags, "alerts/unreachable",
                          f"the {w.severity} alert over {w.long} would need an error ratio of "
                          f"{factor * budget:.0%} (burn rate {factor:g} × budget {budget:.3g}); it can never fire "
                          "and is left out", src.at(path + ("objective",)),
                          hint="raise the objective or give this tier longer windows")
            continue
        windows.append(BurnWindow(w.severity, w.budget_percent / 100, scaled(long, scale), scaled(short, scale),
                                  scaled(parse_duration(w.for_), scale) if parse_duration(w.for_) else 0, factor))
    base = scaled(C.BASE_WINDOW, scale)
    labels = base_labels | dict(s.labels) | dict(s.alerting.labels)
    by = tuple(s.group_by)
    test_groups = _grouping(s, sli, labels | alerting.page.labels | alerting.ticket.labels, _user_queries(s.sli),
                            path, path + ("sli",), p, diags, histogram=s.sli.kind == "latency")
    if test_groups is None:
        return None
    errors_q, requests_q = kind.queries(sli, format_duration(base), by)
    raw_max = scaled(C.RAW_WINDOW_MAX, scale)
    raw = {x: kind.queries(sli, format_duration(x), by)
           for x in sorted({x for w in windows for x in (w.long, w.short)}) if base != x <= raw_max}
    for q in (errors_q, requests_q, *(q for pair in raw.values() for q in pair)):
        try:
            promql.check_generated(q)
        except promql.PromQLError as exc:
            diags.error("promql/generated", f"the SLI query slogen built does not parse: {exc}", src.at(path + ("sli",)))
            return None
    try:
        kind.fixture(sli, [10.0, 10.0], [1.0, 1.0])
    except Untestable as exc:
        diags.error("sli/untestable", str(exc), src.at(path + ("sli",)))
        return None
    good_noun, bad_noun = kind.good_bad_nouns(s.sli)
    return SLO(
        service=spec.service, team=spec.team, name=s.name, description=s.description,
        objective=objective, period=scaled(period, scale), kind=kind.name, sli=sli,
        sli_description=kind.describe(s.sli), good_noun=good_noun, bad_noun=bad_noun, as_written=_as_written(s.sli),
        errors_query=errors_q, requests_query=requests_q,
        alert_name=s.alerting.name or C.slo_alert_name(s.name), windows=tuple(windows),
        min_events=alerting.min_events, labels=labels,
        page=_tier(alerting.page, spec.team, "page", settings, p, path + ("alerting", "page"), diags),
        ticket=_tier(alerting.ticket, spec.team, "ticket", settings, p, path + ("alerting", "ticket"), diags),
        position=src.at(path), group_by=by, max_groups=s.max_groups, test_groups=test_groups, raw_queries=raw,
    )


def _user_queries(spec) -> list[str]:
    """The PromQL a spec gives (selectors, or queries with {{window}}), to check its grouping labels."""
    if getattr(spec, "histogram", None):
        return [spec.histogram + "_bucket" + (spec.selector or "")]
    fields = ("total", "bad", "good", "total_query", "bad_query", "good_query")
    return [getattr(spec, f) for f in fields if getattr(spec, f, None)]


def _grouping(spec, series, static: dict, queries: list[str], path: tuple, query_path: tuple, p: Parsed,
              diags: Diagnostics, histogram: bool = False) -> tuple[dict[str, str], ...] | None:
    """The label values of the generated tests' groups, () when `spec` is not grouped, None (and
    errors) unless `group_by` names labels the queries keep, that neither slogen nor a fixed label
    sets, and of which slogen can build distinct test groups from the `series` (a model value with
    `matchers`)."""
    by, ok = list(getattr(spec, "group_by", ())), True
    reserved = RESERVED_LABELS | ({"le"} if histogram else set())
    for j, label in enumerate(by):
        at = p.source.at(path + ("group_by", j))
        if label in by[:j]:
            diags.error("spec/group-by-duplicate", f"`{label}` is listed twice in group_by", at)
            ok = False
        elif label in reserved:
            report(diags, "spec/reserved-label", f"label `{label}` is set by slogen and cannot group an objective", at,
                   hint="group by a label of your metrics, e.g. provider, route or tenant")
            ok = False
        elif label in static:
            diags.error("spec/group-by-label-conflict", f"`{label}` is also a fixed label of these alerts "
                        f"(`{label}: {static[label]}`), which would overwrite every group's value", at,
                        hint="remove the fixed label or the group_by entry")
            ok = False
    if not ok:
        return None
    if not by:
        return ()
    for q in queries:
        if promql.has_placeholder(q) and (lost := groups.dropped_labels(q, by)):
            diags.error("spec/group-by-dropped", f"a query aggregates away {groups.describe(lost)}, so every group "
                        "would be merged into one", p.source.at(query_path),
                        hint=f"aggregate with `by ({', '.join(by)})`, or use the selector form and let slogen sum")
            return None
    try:
        return tuple(groups.test_values(by, series.matchers, groups.TEST_GROUPS))
    except ValueError as exc:
        diags.error("sli/untestable", f"{exc}; a grouped objective is tested with {groups.TEST_GROUPS} groups",
                    p.source.at(path + ("group_by",)), hint="widen the selector's matchers on the grouping labels")
        return None


def _longest_duration(t, path: tuple) -> tuple[float, tuple]:
    """The longest `for` or `window` of a threshold spec, and where it is."""
    found = [(parse_duration(lvl.for_), path + (sev, "for")) for sev, lvl in severities(t)]
    if getattr(t, "window", None):
        found.append((parse_duration(t.window), path + ("window",)))
    return max(found)


def _threshold(p: Parsed, i: int, base_labels: dict, settings: Settings, diags: Diagnostics, scale: float) -> Threshold | None:
    spec: ServiceSpec = p.spec
    t = spec.thresholds[i]
    src = p.source
    path = ("thresholds", i)
    kind = THRESHOLD_KINDS[t.kind]
    name = t.name or kind.default_name
    if name is None:
        diags.error("spec/missing-field", f"a `{t.kind}` threshold needs a `name` (CamelCase alert name)",
                    src.at(path), hint="e.g. name: QueueDepthHigh")
        return None
    if getattr(t, "warning", None) is None and getattr(t, "critical", None) is None:
        diags.error("spec/missing-field", "give a `warning` level, a `critical` level, or both", src.at(path))
        return None
    static = base_labels | dict(t.labels) | dict(spec.alerting.page.labels) | dict(spec.alerting.ticket.labels)
    measure = kind.measure(t)
    test_groups = _grouping(t, measure, static, _user_queries(t), path, path, p, diags, histogram=t.kind == "latency")
    if test_groups is None:
        return None
    rules = kind.rules(t)
    for r in rules:
        try:
            promql.check_generated(r.expr)
        except promql.PromQLError as exc:
            diags.error("promql/generated", f"the alert expression does not parse: {exc}", src.at(path))
            return None
    try:
        phases = kind.phases(t)
        if sum(p.minutes for p in phases) > MAX_TEST_MINUTES:
            seconds, where = _longest_duration(t, path)
            diags.error("threshold/untestable", f"the generated unit test of this alert would evaluate "
                        f"{sum(p.minutes for p in phases):,} one-minute steps, because of the "
                        f"{format_duration(seconds)} here", src.at(where),
                        hint=f"shorten it: the test of a threshold alert may hold at most {MAX_TEST_MINUTES // 1440} "
                        "days of samples, for all its levels together")
            return None
        # the inputs the generated unit test will need (targets/prometheus/unit_tests.py): all of them,
        # since a later phase can be the impossible one (a latency level `below: 0`)
        for values in ([[p.value] * p.minutes for p in phases] if t.kind == "disk_fill" else [steps(phases)]):
            kind.fixture(measure, values)
    except Untestable as exc:
        diags.error("threshold/untestable", str(exc), src.at(path))
        return None
    if scale != 1:
        rules = [LevelRule(r.severity, r.expr, scaled(r.for_seconds, scale) if r.for_seconds else 0,
                           r.condition, r.holds) for r in rules]
    levels = tuple(Level(sev, lvl.op, lvl.value) for sev, lvl in severities(t) if isinstance(lvl, CompareLevel))
    return Threshold(
        service=spec.service, team=spec.team, name=name, kind=t.kind, measure=measure, phases=tuple(phases),
        as_written=_as_written(t), description=t.description,
        value_expr=kind.value_expr(t), unit=kind.unit,
        value_unit="bytes" if getattr(t, "measure", "") == "used_bytes" else kind.unit,
        metric=getattr(t, "metric", None),
        levels=levels,
        states=dict(getattr(t, "states", None) or {}),
        rules=tuple(rules), labels=base_labels | dict(t.labels),
        page=_tier(spec.alerting.page, spec.team, "page", settings, p, ("alerting", "page"), diags),
        ticket=_tier(spec.alerting.ticket, spec.team, "ticket", settings, p, ("alerting", "ticket"), diags),
        position=src.at(path), group_by=tuple(getattr(t, "group_by", ())), test_groups=test_groups,
        max_groups=getattr(t, "max_groups", groups.DEFAULT_MAX_GROUPS),
    )
