"""Detection-time benchmark: how long after errors start does the first page (or ticket) fire?

    python benchmarks/detection.py [--write docs/alerting.md]

A 99.9%/30d availability SLO with slogen's default windows is built into a scratch folder. For
each burn rate and tier, a promtool test group feeds constant traffic, healthy long enough for
every window of that tier to be clean, then a step to the burn rate, and asks promtool, at
1-minute resolution, for the first evaluation at which an alert of that tier fires:

    min(min_over_time(timestamp(ALERTS{alertstate="firing", slogen_tier=...})[range:1m]))

It runs on two rule sets: slogen's generated rule file, and a reference in Sloth's shape (every
window read from the raw counters, no `for`), made from slogen's file by replacing each window's
expression and dropping `for`. The expected minute comes from slogen.model.detection; when promtool
disagrees, the real minute is found by bisection with promtool (`<= bool m` checks), so every
figure printed is promtool's. The ideal is the SRE Workbook's f·W/B + `for` (slogen's `for`).

`--write` replaces the table between the `detection-table` markers of a docs page."""
from __future__ import annotations

import argparse
import dataclasses
import math
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from slogen import api
from slogen import conventions as C
from slogen.durations import format_duration
from slogen.model import detection
from slogen.series import expanding
from slogen.sli import KINDS as SLI_KINDS

PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
TRAFFIC = 100_000  # events per minute
STEP = 60
ROWS = [("total outage", 1000, "page"), ("50x", 50, "page"), ("20x", 20, "page"),
        ("14.4 × 1.1", 15.84, "page"), ("10x", 10, "page"),
        ("total outage", 1000, "ticket"), ("10x", 10, "ticket"), ("3.3x", 3.3, "ticket")]
SPEC = """apiVersion: slogen/v1
service: shop
team: web
description: Detection-time benchmark service.
slos:
  - name: availability
    objective: 99.9
    sli:
      kind: availability
      total: http_requests_total{job="shop"}
      bad: http_requests_total{job="shop",code=~"5.."}
"""
START, END = "<!-- detection-table:start -->", "<!-- detection-table:end -->"


@dataclasses.dataclass(frozen=True)
class Case:
    label: str
    burn: float
    tier: str
    healthy: int      # minutes of healthy traffic before the step
    limit: int        # minutes after the step within which the alert must fire
    ideal: float      # minutes: f·W/B + for of the tier's first alert


def build(folder: Path):
    specs = folder / "specs"
    specs.mkdir()
    (specs / "shop.yaml").write_text(SPEC)
    result = api.build([specs], folder / "out", use_cache=False)
    if not result.ok:
        raise SystemExit("\n".join(d.message for d in result.diagnostics))
    bundle = result.bundle
    return bundle, bundle.services[0].slos[0], folder / "out/prometheus/rules/shop.rules.yml"


def reference_slo(slo, base: float):
    """The same SLO as the reference rules read it: every window raw, no `for`."""
    kind = SLI_KINDS[slo.kind]
    windows = {x for w in slo.windows for x in (w.long, w.short)} - {base}
    return dataclasses.replace(
        slo, windows=tuple(dataclasses.replace(w, for_seconds=0) for w in slo.windows),
        raw_queries={x: kind.queries(slo.sli, format_duration(x)) for x in sorted(windows)})


def reference_rules(doc: dict, ref) -> dict:
    doc = yaml.safe_load(yaml.safe_dump(doc))
    for group in doc["groups"]:
        for rule in group["rules"]:
            record = rule.get("record", "")
            for window, (bad, total) in ref.raw_queries.items():
                if record == C.sli_error_ratio(window):
                    rule["expr"] = f"{bad}\n/\n{total}"
            rule.pop("for", None)
    return doc


def cases(slo, base: float) -> list[Case]:
    out = []
    for label, burn, tier in ROWS:
        windows = [w for w in slo.windows if w.severity == tier]
        ideals = [w.factor * w.long / burn + w.for_seconds for w in windows if burn > w.factor]
        if not ideals:
            continue
        healthy = math.ceil((max(w.long for w in windows) + base) / STEP) + 1
        ideal = min(ideals) / STEP
        out.append(Case(label, burn, tier, healthy, math.ceil(ideal * 1.2) + 10, ideal))
    return out


def expected(slo, case: Case, base: float) -> int | None:
    times = [detection.detection_seconds(slo, w, case.burn, base) for w in slo.windows if w.severity == case.tier]
    found = [t for t in times if t is not None]
    return round(min(found) / STEP) if found else None


def first_fire(slo, case: Case) -> str:
    sel = f'alertstate="firing",slo="{slo.name}",slogen_tier="{case.tier}"'
    return (f"(min(min_over_time(timestamp(ALERTS{{{sel}}})[{case.limit}m:1m])) - {case.healthy * STEP})"
            f" / {STEP}")


def group(slo, case: Case, check: dict) -> dict:
    n = case.healthy + case.limit
    bad = min(TRAFFIC, round(case.burn * slo.budget * TRAFFIC))
    series = SLI_KINDS[slo.kind].fixture(slo.sli, [TRAFFIC] * n, [0] * case.healthy + [bad] * case.limit)
    return {"name": f"{case.label} {case.tier}", "interval": "1m",
            "input_series": [{"series": s.selector(), "values": expanding(s.values)} for s in series],
            "promql_expr_test": [dict(check, eval_time=f"{n}m")]}


def promtool(folder: Path, rules: Path, groups: list[dict], name: str) -> bool:
    test = folder / f"{name}.test.yml"
    order = [C.rule_group("shop", p) for p in ("sli", "slo-period", "alerts")]
    test.write_text(yaml.safe_dump({"rule_files": [rules.name], "evaluation_interval": "1m",
                                    "group_eval_order": order, "tests": groups}, sort_keys=False))
    done = subprocess.run([PROMTOOL, "test", "rules", test.name], cwd=folder, capture_output=True, text=True,
                          timeout=3600)
    return done.returncode == 0


def measure(folder: Path, rules: Path, slo, model_slo, base: float, all_cases: list[Case]) -> dict:
    """Minutes from the step to the first firing evaluation, per case (None: not within limit)."""
    guesses = {c: expected(model_slo, c, base) for c in all_cases}
    groups = [group(slo, c, {"expr": first_fire(slo, c), "exp_samples": [{"labels": "{}", "value": guesses[c]}]})
              for c in all_cases if guesses[c] is not None]
    if len(groups) == len(all_cases) and promtool(folder, rules, groups, f"{rules.stem}-all"):
        return guesses
    out = {}
    for c in all_cases:  # bisection: the first minute m with "fired by m"
        lo, hi = 0, c.limit
        if not promtool(folder, rules, [_by(slo, c, hi)], f"{rules.stem}-probe"):
            out[c] = None
            continue
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if promtool(folder, rules, [_by(slo, c, mid)], f"{rules.stem}-probe") else (mid, hi)
        out[c] = hi
    return out


def _by(slo, c: Case, minute: int) -> dict:
    return group(slo, c, {"expr": f"{first_fire(slo, c)} <= bool {minute}",
                          "exp_samples": [{"labels": "{}", "value": 1}]})


def table(all_cases: list[Case], slogen: dict, reference: dict) -> str:
    def fmt(x) -> str:
        return "never" if x is None else f"{x:,.1f}" if x != int(x) else f"{int(x):,}"
    lines = ["| burn rate | tier | ideal f·W/B + `for` (min) | slogen (min) | slogen over ideal "
             "| Sloth-shaped reference: every window raw, no `for` (min) |",
             "|---|---|---:|---:|---:|---:|"]
    for c in all_cases:
        s = slogen[c]
        over = "" if s is None else f"{(s / c.ideal - 1) * 100:+.1f}%"
        burn = c.label if c.label == f"{c.burn:g}x" else f"{c.label} ({c.burn:g}x)"
        lines.append(f"| {burn} | {c.tier} | {fmt(round(c.ideal, 1))} | {fmt(s)} | {over} "
                     f"| {fmt(reference[c])} |")
    return "\n".join(lines)


def write(page: Path, text: str) -> None:
    doc = page.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(doc):
        raise SystemExit(f"{page}: no {START} … {END} markers")
    page.write_text(pattern.sub(lambda _: f"{START}\n{text}\n{END}", doc))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", type=Path, help="docs page whose detection table to replace")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = ap.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="slogen-detection-"))
    try:
        bundle, slo, rules = build(folder)
        base = bundle.base_window
        ref = reference_slo(slo, base)
        ref_rules = folder / "out/prometheus/rules/reference.rules.yml"
        ref_rules.write_text(yaml.safe_dump(reference_rules(yaml.safe_load(rules.read_text()), ref), sort_keys=False))
        all_cases = cases(slo, base)
        run_in = rules.parent
        slogen = measure(run_in, rules, slo, slo, base, all_cases)
        reference = measure(run_in, ref_rules, slo, ref, base, all_cases)
        text = table(all_cases, slogen, reference)
        print(text)
        if args.write:
            write(args.write, text)
            print(f"wrote the table into {args.write}", file=sys.stderr)
    finally:
        if args.keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
