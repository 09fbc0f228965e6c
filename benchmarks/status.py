"""`slogen status` speed on a large fleet, against a real local Prometheus.

    python benchmarks/status.py [--services 1000] [--formats table json html]

1. The synthetic fleet of benchmarks/fleetgen.py (six SLOs and four threshold alerts per service).
2. Every series `slogen status` reads is backfilled with promtool (OpenMetrics) into a fresh data
   dir: the recorded series of every SLO (objective, period error ratio, budget left, the error
   ratio of each alert window) over the last 10 minutes, the base request rate at the start of the
   period too (so coverage takes its one-query path), the raw series the threshold alerts read,
   and a few firing ALERTS. Writing the recorded series directly (rather than evaluating the
   rules) keeps the setup to a minute; `slogen status` cannot tell the difference.
3. Prometheus is started on 127.0.0.1 (random port) on that data, and `slogen status` is timed as
   a fresh process (CLI start-up and loading the specs included): cold once per format (no model
   kept from an earlier run: the specs are loaded and checked, and their model kept), then warm,
   once per format (the model read from slogen.status.model_cache); then in-process, step by step: loading
   the specs, the queries, rendering, one after the other (a real run asks the fleet-wide queries
   while it loads: slogen.status.prefetch). CPU times include the processes a run forks.

Every process started here is stopped in a `finally`; all waits are bounded."""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from fleetgen import service_name, write_fleet  # noqa: E402

PROMETHEUS, PROMTOOL = shutil.which("prometheus") or "/usr/bin/prometheus", shutil.which("promtool") or "/usr/bin/promtool"
WORK = Path(__file__).parent / ".work" / "status"
WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
SLOS = ("availability", "error-rate", "latency-p95", "latency-p99", "cache-hit", "queue-wait")
PERIOD = 30 * 86400


def openmetrics(n: int, at: int) -> str:
    recent = range(at - 600, at + 1, 60)
    start = range(at - PERIOD, at - PERIOD + 3600 + 1, 300)
    families: dict[str, list[str]] = {}

    def add(name: str, labels: str, value: float, times) -> None:
        families.setdefault(name, []).extend(f"{name}{{{labels}}} {value} {t}" for t in times)

    for i in range(n):
        svc = service_name(i)
        for j, slo in enumerate(SLOS):
            labels = f'service="{svc}",slo="{slo}"'
            error = 0.0005 * (1 + (i * 7 + j) % 40)
            add("slogen:slo_objective:ratio", labels, 0.99, recent)
            add("slogen:sli_error:ratio_period", labels, error, recent)
            add("slogen:slo_error_budget_remaining:ratio", labels, 1 - error / 0.01, recent)
            for w in WINDOWS:
                add(f"slogen:sli_error:ratio_rate{w}", labels, error, recent)
            add("slogen:sli_requests:rate5m", labels, 100.0, list(start) + list(recent))
        job = f'job="{svc}"'
        add("up", job, 1, recent)
        add("queue_depth", job, i % 150, recent)
        for k, t in enumerate(recent):
            families.setdefault("http_requests_total", []).extend([
                f'http_requests_total{{{job},code="200"}} {6000 * k} {t}',
                f'http_requests_total{{{job},code="500"}} {6 * k} {t}'])
            families.setdefault("http_request_duration_seconds_bucket", []).extend(
                f'http_request_duration_seconds_bucket{{{job},le="{le}"}} {int(6006 * k * share)} {t}'
                for le, share in (("0.5", 0.9), ("1", 0.97), ("2", 0.99), ("+Inf", 1.0)))
        if i % 50 == 0:
            add("ALERTS", f'alertname="AvailabilityBudgetBurn",alertstate="firing",service="{svc}",severity="ticket",'
                          f'slo="availability",slogen_kind="slo",window="3d/6h"', 1, recent)
    lines = []
    for name, samples in families.items():
        kind = "counter" if name.endswith("_total") else "gauge"
        lines.append(f"# TYPE {name} {kind}")
        lines += samples  # one series' samples in time order, series one after another
    return "\n".join(lines) + "\n# EOF\n"


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_now() -> float:
    """CPU seconds of this process and of the children it has waited for (the parse pool's)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(cmd: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall time and the CPU time (user + system) of the child: on a shared machine the CPU time
    is the steadier figure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--formats", nargs="+", default=["table", "json", "markdown", "html"])
    args = parser.parse_args()

    WORK.mkdir(parents=True, exist_ok=True)
    specs = write_fleet(WORK / f"fleet-{args.services}", args.services)
    at = int(time.time()) // 60 * 60 - 3600
    root = Path(tempfile.mkdtemp(prefix="slogen-status-bench-"))
    proc = None
    try:
        t0 = time.perf_counter()
        source = root / "history.om"
        source.write_text(openmetrics(args.services, at))
        done = subprocess.run([PROMTOOL, "tsdb", "create-blocks-from", "openmetrics", "--quiet", str(source),
                               str(root / "data")], capture_output=True, text=True, timeout=1800)
        if done.returncode:
            sys.exit(f"promtool failed: {done.stderr[-2000:]}")
        print(f"backfilled {source.stat().st_size / 1e6:.0f} MB of OpenMetrics in {time.perf_counter() - t0:.1f}s")
        port = free_port()
        (root / "prometheus.yml").write_text(yaml.safe_dump({"global": {"evaluation_interval": "1h"}}))
        proc = subprocess.Popen([PROMETHEUS, f"--config.file={root / 'prometheus.yml'}",
                                 f"--storage.tsdb.path={root / 'data'}", f"--web.listen-address=127.0.0.1:{port}",
                                 "--storage.tsdb.retention.time=10y", "--log.level=warn"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                sys.exit("Prometheus did not become ready")
            time.sleep(0.5)
        base = [sys.executable, "-m", "slogen", "status", str(specs), "--prometheus", url, "--at", str(at)]
        os.environ["SLOGEN_CACHE_DIR"] = str(root / "cache")  # empty: the first run is cold
        print(f"load average before the runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        runs = [(fmt, "cold") for fmt in args.formats] + [(fmt, "warm") for fmt in args.formats]
        for fmt, how in runs:
            if how == "cold":  # no kept model: the specs are loaded, checked and kept
                shutil.rmtree(root / "cache", ignore_errors=True)
            server = cpu_of(proc.pid)
            seconds, cpu, done = timed(base + ["--format", fmt, "-o", str(root / f"status.{fmt}")])
            server = cpu_of(proc.pid) - server
            size = (root / f"status.{fmt}").stat().st_size / 1e6 if done.returncode == 0 else 0
            print(f"slogen status --format {fmt:8s} {args.services} services, {how}: {seconds:5.2f}s wall, "
                  f"CPU {cpu:5.2f}s slogen + {server:5.2f}s Prometheus "
                  f"(exit {done.returncode}, {size:.1f} MB){'  ' + done.stderr[-300:] if done.returncode else ''}")
        print(f"load average after the runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        steps(specs, url, at, root)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(root, ignore_errors=True)


def steps(specs: Path, url: str, at: float, root: Path) -> None:
    """The same run in-process, split into its steps."""
    from slogen import api, status
    from slogen.diagnostics import Diagnostics
    from slogen.live.client import Connection, Prometheus
    from slogen.status.catalogue import Filters, catalogue
    from slogen.status.queries import collect
    from slogen.status.report import assemble

    t0, c0 = time.perf_counter(), cpu_now()
    bundle = api.load_bundle([specs], Diagnostics())
    t1, c1 = time.perf_counter(), cpu_now()
    cat = catalogue(bundle, Filters())
    prometheus = Prometheus(Connection(url))
    for plots in (False, True):
        t2, c2 = time.perf_counter(), cpu_now()
        readings = collect(prometheus, cat, at, plots)
        t3, c3 = time.perf_counter(), cpu_now()
        report = assemble(cat, readings, at, url, [])
        text = status.render(report, "html" if plots else "json")
        t4, c4 = time.perf_counter(), cpu_now()
        what = "html (with range queries)" if plots else "json"
        print(f"in-process, {what} (wall / slogen's CPU): load specs (cold) {t1 - t0:.2f}s / {c1 - c0:.2f}s · "
              f"{readings.queries} queries {t3 - t2:.2f}s / {c3 - c2:.2f}s · report and render {t4 - t3:.2f}s / "
              f"{c4 - c3:.2f}s ({len(report.slos)} SLOs, {len(report.thresholds)} thresholds, "
              f"{len(text) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
