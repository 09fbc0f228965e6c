"""A month of known history in a real Prometheus, for tests/live/test_status.py.

The specs are built with `--time-scale 0.01` (as the e2e drill does): every period, window and
interval is a hundredth of its production length (30 days → 7.2 hours, the 5m base window → 3s),
so a whole period backfills into a handful of TSDB blocks instead of thousands. The code paths
are the production ones; `slogen status --time-scale 0.01` reads it.

The raw series (tests/live/specs) are written as OpenMetrics and backfilled with promtool; then
the recording rules slogen built are backfilled from them with `promtool tsdb create-blocks-from
rules`, in dependency order (promtool evaluates each rule against the server, so a rule that reads
another recorded series needs that series backfilled first): one pass per level, restarting the
server on the new blocks in between.

Counters grow linearly between changes, on a 1-second grid; rules are evaluated every second
(the period rules too, though their group says 3 seconds: promtool offsets a group's evaluations by
a hash of its file path, a temporary one here, so a 3-second group's last evaluation could fall up
to 3 s before the end, cutting the recent high error rate short by up to 0.1% of the budget); and
the report is read at AT, 1.5 s after the last evaluation, so no window edge falls on a sample. That makes every value exact to well within 0.1% (durations below are unscaled, as the
spec says them):

shop (99% over 30d): 600 requests a scaled minute for 31 days, 0.5% failing until 2 days before
  AT, 2% since. Error ratio over 5m…1d = 2% → burn 2.0; over 3d = (2d·2% + 1d·0.5%)/3d = 1.5% →
  burn 1.5; over 30d = (2d·2% + 28d·0.5%)/30d = 0.6% → SLI 99.4%, burn 0.6, budget left 40%;
  at a burn of 2 the 40% left lasts 0.4 × 30d / 2 = 6 days.
  Its queue depth gauge reads 250 (warning above 100, critical above 500), and its 3d/6h
  burn-rate alert is firing (an ALERTS series, as Prometheus writes it).
search (99.5% over 30d): 0.25% failing, for the last 3 days only → burn 0.5; covers 3 of 30 days.
ledger: its rules are not loaded ("not deployed").
pay (99% over 30d, grouped by provider), 200 requests a second per provider:
  stripe: 1.5% failing for 31 days → burn 1.5 everywhere, SLI 98.5%, budget left -50% (exhausted);
    its 3d/6h alert is firing (with its provider label).
  adyen: 0.5% failing for 31 days → burn 0.5, SLI 99.5%, budget left 50%, which lasts 30 days.
  klarna: 1% failing, for the last 3 days only → burn 1.0; covers 3 of 30 days.
  pay's refunds SLO (grouped too) has no series: deployed, no group has data.
  pay's payouts, 200 a second per provider for the last 20 minutes (only the 5m threshold window
  reads them), against PayoutErrorsHigh (grouped: warning above 0.8%, critical above 2%):
    stripe 3% failing → critical (its warning alert is firing, with its provider label);
    klarna 1.5% and paypal 1% → warning; adyen 0.5% → ok. Four groups, max_groups 3.
  pay's RefundLatencyHigh (grouped) has no series: no group has data."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from promserver import backfill_openmetrics, backfill_rules, prometheus

SCALE = 0.01
DAY = round(86400 * SCALE)  # a scaled day: 864 s
STEP = 3                 # the scaled 5m base window
EVAL = 1                 # the other rules' evaluation interval (finer: a sample is 1/2,592 of 3 days)
TICK = 1                 # raw samples every second: three in each base window
SPECS = Path(__file__).parent / "specs"


@dataclass(frozen=True)
class History:
    url: str
    at: float          # read the report here
    specs: Path


def grid_end(now: float) -> int:
    """The last rule evaluation: on the evaluation grid, an hour before now (so nothing of the
    server's own head block is involved)."""
    return int(now // STEP * STEP) - 3600


def openmetrics(last: int) -> str:
    """Raw series up to `last`. Per second: shop 200 requests (1 failing, 4 in the last 2 days),
    search 400 (1 failing) in the last 3 days."""
    start, change = last - 31 * DAY, last - 2 * DAY
    lines = ["# TYPE shop_requests_total counter"]
    for code in ("200", "500"):
        total = 0
        for t in range(start, last + 1, TICK):
            lines.append(f'shop_requests_total{{job="shop",code="{code}"}} {total} {t}')
            bad = 1 if t < change else 4
            total += bad if code == "500" else 200 - bad
    lines.append("# TYPE search_requests_total counter")
    for code, per_tick in (("200", 399), ("500", 1)):
        for i, t in enumerate(range(last - 3 * DAY, last + 1, TICK)):
            lines.append(f'search_requests_total{{job="search",code="{code}"}} {i * per_tick} {t}')
    lines.append("# TYPE pay_requests_total counter")
    for provider, failing, days in (("stripe", 3, 31), ("adyen", 1, 31), ("klarna", 2, 3)):
        for code, per_tick in (("200", 200 - failing), ("500", failing)):
            for i, t in enumerate(range(last - days * DAY, last + 1, TICK)):
                lines.append(f'pay_requests_total{{job="pay",provider="{provider}",code="{code}"}} {i * per_tick} {t}')
    lines.append("# TYPE pay_payouts_total counter")
    for provider, failing in (("stripe", 6), ("klarna", 3), ("paypal", 2), ("adyen", 1)):
        for code, per_tick in (("200", 200 - failing), ("500", failing)):
            for i, t in enumerate(range(last - 1200, last + 1, TICK)):
                lines.append(f'pay_payouts_total{{job="pay",provider="{provider}",code="{code}"}} {i * per_tick} {t}')
    lines.append("# TYPE shop_queue_depth gauge")
    lines += [f'shop_queue_depth{{job="shop"}} 250 {t}' for t in range(last - 600, last + 1, 15)]
    lines.append("# TYPE ALERTS gauge")
    labels = ('alertname="AvailabilityBudgetBurn",alertstate="firing",service="shop",severity="ticket",'
              'slo="availability",slogen_kind="slo",slogen_tier="ticket",team="web",window="3d/6h"')
    lines += [f"ALERTS{{{labels}}} 1 {t}" for t in range(last - 600, last + 1, 15)]
    labels = labels.replace('service="shop"', 'provider="stripe",service="pay"').replace('team="web"', 'team="payments"')
    lines += [f"ALERTS{{{labels}}} 1 {t}" for t in range(last - 600, last + 1, 15)]
    labels = ('alertname="PayoutErrorsHigh",alertstate="firing",provider="stripe",service="pay",severity="warning",'
              'slogen_kind="ratio",slogen_tier="ticket",team="payments"')
    lines += [f"ALERTS{{{labels}}} 1 {t}" for t in range(last - 600, last + 1, 15)]
    return "\n".join(lines) + "\n# EOF\n"


def rule_levels(rule_files: list[Path], folder: Path) -> list[Path]:
    """The recording rules split into files by dependency level: level 1 reads only raw series,
    level n reads series recorded at levels below n. Alerting rules are left out; every group is
    evaluated every EVAL seconds (see the module docstring)."""
    rules = []
    for f in rule_files:
        for group in yaml.safe_load(f.read_text())["groups"]:
            rules += [(group, r) for r in group["rules"] if "record" in r]
    names = {r["record"] for _, r in rules}
    level: dict[int, int] = {}

    def depth(i: int) -> int:
        if i not in level:
            used = set(re.findall(r"[a-z_:][a-z0-9_:]*", rules[i][1]["expr"])) & names
            level[i] = 1 + max((depth(j) for j, (_, r) in enumerate(rules) if r["record"] in used
                                and j != i and r["record"] != rules[i][1]["record"]), default=0)
        return level[i]

    files = []
    for n in sorted({depth(i) for i in range(len(rules))}):
        groups: dict[str, dict] = {}
        for i, (group, rule) in enumerate(rules):
            if depth(i) == n:
                g = groups.setdefault(group["name"], {k: v for k, v in group.items() if k != "rules"}
                                      | {"interval": f"{EVAL}s", "rules": []})
                g["rules"].append(rule)
        path = folder / f"level-{n}.rules.yml"
        path.write_text(yaml.safe_dump({"groups": list(groups.values())}, sort_keys=False))
        files.append(path)
    return files


def build_history(root: Path, binary: str, promtool: str, now: float) -> tuple[Path, float]:
    """Backfill everything into root/data; returns the data folder and the time to read at."""
    from slogen import api

    out = root / "out"
    result = api.build([SPECS], out, time_scale=SCALE)
    assert result.ok, [str(d) for d in result.diagnostics]
    last = grid_end(now)
    data = root / "data"
    backfill_openmetrics(openmetrics(last), data, promtool, root)
    deployed = [out / "prometheus" / "rules" / f"{s}.rules.yml" for s in ("shop", "search", "pay")]
    for n, level in enumerate(rule_levels(deployed, root)):
        with prometheus(root / f"pass-{n}", binary, data) as url:
            backfill_rules([level], last - 31 * DAY + STEP, last + 1, url, data, promtool, step=f"{EVAL}s")
    return data, last + STEP / 2
