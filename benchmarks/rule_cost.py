"""Rule-cost benchmark: slogen's rules against a naive (Sloth-style) rule set in a real Prometheus.

    python benchmarks/rule_cost.py [--services 2] [--days 2]
    python benchmarks/rule_cost.py --groups 10 [--days 2]

With `--groups N`: one SLO with `group_by: [route]` over N routes against N separate SLOs, one per
route, on the same data (8 instances x N routes x 8 codes); the same steps 2-4 below, then the
grouped SLO's long windows are compared with the raw per-route ratio (docs/group-by.md).

1. A fleet of services, each with one availability SLO over `http_requests_total`, and per
   service 8 instances x 8 routes x 8 codes = 512 counter series (≥ 500 per SLO).
2. `--days` of history at 1-minute resolution are written as OpenMetrics and backfilled with
   `promtool tsdb create-blocks-from openmetrics` into a fresh data dir (retention 10 years).
3. slogen's long windows read its recorded 5m rates, so those need history too. To keep the
   comparison fair, they are produced by Prometheus itself: a Prometheus started on the raw
   blocks answers `promtool tsdb create-blocks-from rules` for slogen's two base recording
   rules (`slogen:sli_errors:rate5m`, `slogen:sli_requests:rate5m`) over the same range, and
   those blocks join the data dir. Nothing is computed outside Prometheus.
4. Prometheus is restarted on 127.0.0.1 (random port) with slogen's generated rule files and
   the naive set side by side, every group of both sets evaluated every 5s (slogen's period
   group normally runs every 5m; for sampling both sets' period groups run at 5s too), and the summed `evaluationTime` of each set's groups from
   `/api/v1/rules` is read over several evaluation rounds (median reported).
   Naive set: for every window slogen records (5m ... 3d, and the 30d period), one rule
   `sum(rate(bad[W])) / sum(rate(total[W]))` straight from the raw series, as Sloth writes them.
5. Accuracy: at the end of the backfilled range, slogen's long-window expressions (1d, 3d) and
   the raw computation are queried at the same instant and compared (relative difference).

Every process started here is stopped in a `finally`, also on failure; all waits are bounded."""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

from slogen import api

PROMETHEUS, PROMTOOL = shutil.which("prometheus") or "/usr/bin/prometheus", shutil.which("promtool") or "/usr/bin/promtool"
INSTANCES, ROUTES = 8, 8
CODES = ["200", "201", "204", "301", "404", "429", "500", "503"]
STEP = 60  # seconds between backfilled samples
ROUNDS = 8
EVAL = 5  # seconds, evaluation interval of the window groups (both sets)


def spec(i: int) -> str:
    name = f"svc-{i}"
    return f"""apiVersion: slogen/v1
service: {name}
team: t
description: Rule-cost benchmark service {i}.
slos:
  - name: availability
    objective: 99.9
    sli:
      kind: availability
      total: http_requests_total{{job="{name}"}}
      bad: http_requests_total{{job="{name}",code=~"5.."}}
"""


def grouped_specs(routes: int) -> dict[str, str]:
    """One SLO per route of job svc-0: grouped (one spec), and separate (one spec per route)."""
    head = "apiVersion: slogen/v1\nservice: {name}\nteam: t\nslos:\n  - name: availability\n    objective: 99.9\n"
    sli = ("    sli:\n      kind: availability\n      total: http_requests_total{{job=\"svc-0\"{m}}}\n"
           "      bad: http_requests_total{{job=\"svc-0\"{m},code=~\"5..\"}}\n")
    out = {"grouped.yaml": head.format(name="grouped") + f"    group_by: [route]\n    max_groups: {routes}\n"
           + sli.format(m="")}
    for r in range(routes):
        out[f"separate-r{r}.yaml"] = head.format(name=f"separate-r{r}") + sli.format(m=f',route="/r{r}"')
    return out


def write_openmetrics(path: Path, services: int, start: int, end: int, routes: int = ROUTES) -> int:
    rnd = random.Random(7)
    series = 0
    with path.open("w") as fh:
        fh.write("# HELP http_requests Requests.\n# TYPE http_requests counter\n")
        for s in range(services):
            for inst in range(INSTANCES):
                for r in range(routes):
                    for code in CODES:
                        base = rnd.uniform(0.5, 5.0) * (0.02 if code.startswith("5") else 1.0)
                        labels = f'job="svc-{s}",instance="i{inst}",route="/r{r}",code="{code}"'
                        value = 0.0
                        lines = []
                        for t in range(start, end + 1, STEP):
                            # traffic with a daily cycle and noise: busy and quiet minutes differ
                            daily = 1.0 + 0.5 * ((t // 3600) % 24 >= 8)
                            value += base * daily * STEP * rnd.uniform(0.8, 1.2)
                            lines.append(f"http_requests_total{{{labels}}} {value:.3f} {t}\n")
                        fh.writelines(lines)
                        series += 1
        fh.write("# EOF\n")
    return series


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Prometheus:
    def __init__(self, folder: Path, rule_files: list[Path], evaluation_interval: int = 60):
        self.folder, self.port = folder, free_port()
        config = {"global": {"evaluation_interval": f"{evaluation_interval}s"},
                  "rule_files": [str(p) for p in rule_files]}
        self.config = folder / f"prometheus-{self.port}.yml"
        self.config.write_text(yaml.safe_dump(config))
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        log = (self.folder / f"prometheus-{self.port}.log").open("w")
        self.proc = subprocess.Popen(
            [PROMETHEUS, f"--config.file={self.config}", f"--storage.tsdb.path={self.folder / 'data'}",
             "--storage.tsdb.retention.time=3650d", f"--web.listen-address=127.0.0.1:{self.port}",
             "--log.level=warn"], stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prometheus exited: see {self.folder}/prometheus-{self.port}.log")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError("prometheus did not become ready in 120s")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def get(self, path: str, **params) -> dict:
        url = f"{self.url}{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=60) as r:
            return json.load(r)["data"]

    def vector(self, expr: str, at: int, label: str) -> dict[str, float]:
        result = self.get("/api/v1/query", query=expr, time=str(at))["result"]
        return {r["metric"].get(label, ""): float(r["value"][1]) for r in result}

    def scalar(self, expr: str, at: int) -> float | None:
        result = self.get("/api/v1/query", query=expr, time=str(at))["result"]
        return float(result[0]["value"][1]) if result else None


def naive_rules(slogen_groups: list[dict], windows: list[str], period: str) -> tuple[dict, int]:
    """Sloth-style: every window straight from the raw series, per SLO (same labels as slogen's)."""
    window_rules, period_rules = [], []
    for group in slogen_groups:
        for rule in group["rules"]:
            if rule.get("record") != "slogen:sli_errors:rate5m":
                continue
            labels = rule["labels"]
            job = labels["service"]
            bad = f'http_requests_total{{job="{job}",code=~"5.."}}'
            total = f'http_requests_total{{job="{job}"}}'
            for w in windows:
                window_rules.append({"record": f"naive:sli_error:ratio_rate{w}", "labels": labels,
                                     "expr": f"sum(rate({bad}[{w}]))\n/\nsum(rate({total}[{w}]))"})
            period_rules.append({"record": f"naive:sli_error:ratio_rate{period}", "labels": labels,
                                 "expr": f"sum(rate({bad}[{period}]))\n/\nsum(rate({total}[{period}]))"})
    doc = {"groups": [{"name": "naive:sli", "rules": window_rules},
                      {"name": "naive:slo-period", "rules": period_rules}]}
    return doc, len(window_rules) + len(period_rules)


def build_rules(folder: Path, spec_files: dict[str, str]) -> tuple[list[Path], list[dict]]:
    """slogen's rule files for these specs, every group at one pace (EVAL), and their groups."""
    specs = folder / "specs"
    specs.mkdir()
    for name, text in spec_files.items():
        (specs / name).write_text(text)
    result = api.build([specs], folder / "out", use_cache=False)
    if not result.ok:
        raise SystemExit("\n".join(d.message for d in result.diagnostics))
    rule_files = sorted((folder / "out/prometheus/rules").glob("*.rules.yml"))
    slogen_groups = [g for p in rule_files for g in yaml.safe_load(p.read_text())["groups"]]
    # Every group at one pace (EVAL), the period groups too: Prometheus starts a 5m group at a
    # random offset within 5m, far too slow to sample; same treatment for every set compared.
    for p in rule_files:
        doc = yaml.safe_load(p.read_text())
        for g in doc["groups"]:
            g.pop("interval", None)
        p.write_text(yaml.safe_dump(doc, sort_keys=False))
    return rule_files, slogen_groups


def backfill(folder: Path, slogen_groups: list[dict], jobs: int, days: float, routes: int = ROUTES) -> tuple[int, int, int]:
    """Raw counters of `jobs` jobs over `days`, then slogen's 5m base recordings computed from them
    by Prometheus itself (promtool create-blocks-from rules). Returns (raw series, start, end)."""
    end = int(time.time()) // STEP * STEP - STEP
    start = end - int(days * 86400)
    t0 = time.perf_counter()
    om = folder / "data.om"
    series = write_openmetrics(om, jobs, start, end, routes)
    data = folder / "data"
    subprocess.run([PROMTOOL, "tsdb", "create-blocks-from", "openmetrics", str(om), str(data)],
                   check=True, stdout=subprocess.DEVNULL, timeout=1800)
    om.unlink()
    print(f"backfilled {series} raw series x {int(days * 86400) // STEP + 1} samples in {time.perf_counter() - t0:.0f}s",
          file=sys.stderr)
    base = {"groups": [{"name": "base", "rules": [
        r for g in slogen_groups for r in g["rules"]
        if r.get("record") in ("slogen:sli_errors:rate5m", "slogen:sli_requests:rate5m")]}]}
    base_file = folder / "base.rules.yml"
    base_file.write_text(yaml.safe_dump(base, sort_keys=False))
    recorded = folder / "recorded"
    t0 = time.perf_counter()
    with Prometheus(folder, []) as prom:
        subprocess.run([PROMTOOL, "tsdb", "create-blocks-from", "rules", f"--start={start}",
                        f"--end={end}", f"--url={prom.url}", "--eval-interval=60s",
                        f"--output-dir={recorded}", str(base_file)],
                       check=True, stdout=subprocess.DEVNULL, timeout=1800)
    for block in recorded.iterdir():
        if block.is_dir():
            shutil.move(str(block), data / block.name)
    print(f"backfilled slogen's 5m recordings with promtool in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    return series, start, end


def run(services: int, days: float, keep: bool) -> None:
    folder = Path(tempfile.mkdtemp(prefix="slogen-rule-cost-"))
    try:
        rule_files, slogen_groups = build_rules(folder, {f"svc-{i}.yaml": spec(i) for i in range(services)})
        windows = sorted({r["record"].rsplit("ratio_rate", 1)[1] for g in slogen_groups for r in g["rules"]
                          if r.get("record", "").startswith("slogen:sli_error:ratio_rate")},
                         key=lambda w: api_seconds(w))
        period = "30d"
        naive_doc, naive_count = naive_rules(slogen_groups, windows, period)
        naive_file = folder / "naive.rules.yml"
        naive_file.write_text(yaml.safe_dump(naive_doc, sort_keys=False))
        series, _, end = backfill(folder, slogen_groups, services, days)

        with Prometheus(folder, rule_files + [naive_file], evaluation_interval=EVAL) as prom:
            rounds = measure(prom, len(slogen_groups) + 2)
            accuracy = []
            for w in ("1d", "3d"):
                for i in range(services):
                    sel = f'{{service="svc-{i}",slo="availability"}}'
                    cheap = prom.scalar(f"sum_over_time(slogen:sli_errors:rate5m{sel}[{w}])\n/\n"
                                        f"sum_over_time(slogen:sli_requests:rate5m{sel}[{w}])", end)
                    raw = prom.scalar(f'sum(rate(http_requests_total{{job="svc-{i}",code=~"5.."}}[{w}]))\n/\n'
                                      f'sum(rate(http_requests_total{{job="svc-{i}"}}[{w}]))', end)
                    accuracy.append((w, f"svc-{i}", cheap, raw))
        report(services, series, rule_files, slogen_groups, naive_file, naive_count, rounds, accuracy)
    finally:
        if keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def run_groups(routes: int, days: float, keep: bool) -> None:
    """A grouped SLO (one per route) against one separate SLO per route, in one Prometheus."""
    folder = Path(tempfile.mkdtemp(prefix="slogen-rule-cost-groups-"))
    try:
        rule_files, slogen_groups = build_rules(folder, grouped_specs(routes))
        series, _, end = backfill(folder, slogen_groups, 1, days, routes)
        with Prometheus(folder, rule_files, evaluation_interval=EVAL) as prom:
            rounds = measure(prom, len(slogen_groups), sets=("slogen:grouped:", "slogen:separate-"))
            accuracy = []
            def long_window(sel: str, w: str) -> str:  # slogen's long-window rule, at the end of the data
                return (f"sum_over_time(slogen:sli_errors:rate5m{sel}[{w}])\n/\n"
                        f"sum_over_time(slogen:sli_requests:rate5m{sel}[{w}])")

            for w in ("1d", "3d"):
                cheap = prom.vector(long_window('{service="grouped",slo="availability"}', w), end, "route")
                raw = prom.vector(f'sum by (route) (rate(http_requests_total{{job="svc-0",code=~"5.."}}[{w}]))\n/\n'
                                  f'sum by (route) (rate(http_requests_total{{job="svc-0"}}[{w}]))', end, "route")
                separate = {f"/r{r}": prom.scalar(long_window(f'{{service="separate-r{r}"}}', w), end)
                            for r in range(routes)}
                accuracy += [(w, route, cheap.get(route), raw[route], separate.get(route)) for route in sorted(raw)]
        report_groups(routes, series, slogen_groups, rounds, accuracy)
    finally:
        if keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _g(value: float | None) -> str:
    return "missing" if value is None else f"{value:.6g}"


def report_groups(routes, series, slogen_groups, rounds, accuracy) -> None:
    def rules(prefix: str) -> int:
        return sum(len(g["rules"]) for g in slogen_groups if g["name"].startswith(prefix))

    g = statistics.median(r[0] for r in rounds)
    s = statistics.median(r[1] for r in rounds)
    print(f"\n{routes} routes of one job ({series} raw series), {len(rounds)} evaluation rounds (median)\n")
    print("| rule set | rules | evaluation time per round |")
    print("|---|---:|---:|")
    print(f"| one SLO, group_by: [route] | {rules('slogen:grouped:')} | {g * 1000:.2f} ms |")
    print(f"| {routes} separate SLOs, one per route | {rules('slogen:separate-')} | {s * 1000:.2f} ms |")
    print(f"\ngrouped / separate = {g / s:.3f}  (target <= 1)\n")
    print("| window | route | grouped (recorded 5m rates) | raw per-route ratio | relative difference | separate SLO |")
    print("|---|---|---:|---:|---:|---:|")
    worst = 0.0
    for w, route, cheap, raw, separate in accuracy:
        rel = abs(cheap - raw) / raw if cheap is not None and raw else float("inf")
        worst = max(worst, rel)
        print(f"| {w} | {route} | {_g(cheap)} | {_g(raw)} | {rel * 100:.4f}% | {_g(separate)} |")
    print(f"\nlargest relative difference: {worst * 100:.4f}%  (target <= 0.1%)")


def api_seconds(w: str) -> float:
    from slogen.durations import parse_duration
    return parse_duration(w)


def measure(prom: Prometheus, groups_expected: int, sets: tuple[str, str] = ("slogen:", "naive:")
            ) -> list[tuple[float, float]]:
    """(first set's seconds, second set's seconds) per evaluation round, once every group has
    evaluated; a set is the rule groups whose names start with its prefix."""
    rounds, seen = [], None
    deadline = time.monotonic() + EVAL * (ROUNDS + 10) + 60
    while len(rounds) < ROUNDS and time.monotonic() < deadline:
        groups = prom.get("/api/v1/rules")["groups"]
        stamp = tuple(g["lastEvaluation"] for g in groups)
        ready = len(groups) >= groups_expected and all(not g["lastEvaluation"].startswith("0001") for g in groups)
        if ready and stamp != seen:
            seen = stamp
            rounds.append(tuple(sum(g["evaluationTime"] for g in groups if g["name"].startswith(prefix))
                                for prefix in sets))
        time.sleep(EVAL)
    if not rounds:
        state = [(g["name"], g["lastEvaluation"]) for g in prom.get("/api/v1/rules")["groups"]]
        raise RuntimeError(f"the rule groups never all evaluated: {state}")
    return rounds


def report(services, series, rule_files, slogen_groups, naive_file, naive_count, rounds, accuracy) -> None:
    slogen_count = sum(len(g["rules"]) for g in slogen_groups)
    slogen_records = sum(1 for g in slogen_groups for r in g["rules"] if "record" in r)
    slogen_bytes = sum(p.stat().st_size for p in rule_files)
    s = statistics.median(r[0] for r in rounds)
    n = statistics.median(r[1] for r in rounds)
    print(f"\n{services} SLOs, {series // services} raw series each, {len(rounds)} evaluation rounds (median)\n")
    print("| rule set | rules per SLO | recording rules per SLO | bytes per SLO | evaluation time per round |")
    print("|---|---:|---:|---:|---:|")
    print(f"| slogen (all groups, incl. alerts) | {slogen_count / services:.0f} | {slogen_records / services:.0f} "
          f"| {slogen_bytes / services:.0f} | {s * 1000:.2f} ms |")
    print(f"| naive, Sloth-style windows only | {naive_count / services:.0f} | {naive_count / services:.0f} "
          f"| {naive_file.stat().st_size / services:.0f} | {n * 1000:.2f} ms |")
    print(f"\nslogen / naive = {s / n:.3f}  (target <= 0.2)\n")
    print("| window | service | slogen (recorded 5m rates) | raw | relative difference |")
    print("|---|---|---:|---:|---:|")
    for w, svc, cheap, raw in accuracy:
        rel = abs(cheap - raw) / raw if cheap is not None and raw else float("nan")
        print(f"| {w} | {svc} | {cheap:.6g} | {raw:.6g} | {rel * 100:.4f}% |")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--services", type=int, default=2)
    ap.add_argument("--days", type=float, default=2.0)
    ap.add_argument("--groups", type=int, default=0,
                    help="compare one SLO grouped by route over this many routes with as many separate SLOs")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder (data, logs)")
    args = ap.parse_args(argv)
    if args.groups:
        run_groups(args.groups, args.days, args.keep)
    else:
        run(args.services, args.days, args.keep)


if __name__ == "__main__":
    main()
