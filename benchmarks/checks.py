"""What the checks cost (issue 14): the offline checks against a clean 1,000-service build, and the
online checks (`validate --prometheus`) of 1,000 services against a local Prometheus.

    python benchmarks/checks.py                # 1,000 services
    python benchmarks/checks.py --services 200

Offline, in one process on the fleet of fleetgen.py (in benchmarks/.work/checks-<n>/, gitignored):
  build        api.build of the whole fleet, no cache (the checks included)
  checks       slogen.checks.run + the ignore comments, on the same parsed specs
  generated    parsing every rule expression the Prometheus target writes (`promql/generated`,
               which build now runs as validate did)
Online, against a Prometheus on 127.0.0.1 that scrapes one exporter holding the fleet's series
(honor_labels: each service's job; `up` exists only for the exporter's own job, so every service's
`up` selector is reported as matching no series):
  online checks    slogen.checks.live.run on the parsed fleet, in process
  with --cli also `slogen validate specs` and `slogen validate specs --prometheus URL`, each a fresh
                   process (slow: validate renders every target, dashboards included)
Every server this starts listens on 127.0.0.1 only and is stopped on exit."""
from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent / "tests"))
import fleetgen  # noqa: E402
from metrics_server import HOST, MetricsServer  # noqa: E402

WORK = Path(__file__).resolve().parent / ".work"


def cpu() -> float:
    """CPU seconds of this process and its waited-for children: on a shared, loaded machine wall
    time mostly measures the neighbours."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))


def offline(folder: Path, specs: Path) -> dict[str, float]:
    from slogen import api, checks, promql
    from slogen.checks import silences
    from slogen.diagnostics import Diagnostics, relative
    from slogen.load import discover
    from slogen.targets.prometheus.rules import rule_groups

    t, c = time.perf_counter(), cpu()
    result = api.build([specs], folder / "out", use_cache=False)
    build, build_cpu = time.perf_counter() - t, cpu() - c
    assert result.ok, [str(d) for d in result.diagnostics][:5]
    diags = Diagnostics()
    by_file = api.parse_files([(p, relative(p)) for p in discover([specs], diags)], diags)
    parsed = [p for docs in by_file.values() for p in docs]
    c = cpu()
    found = silences.collect({p.source.file: p.source.text for p in parsed})
    checks.run(parsed, diags)
    silences.apply(found, diags)
    silences.finish(found, diags)
    run = cpu() - c
    bundle = api.model_of(by_file, Diagnostics())
    exprs = [r["expr"] for s in bundle.services for g in rule_groups(s, bundle) for r in g["rules"]]
    c = cpu()
    for e in exprs:
        promql.parse_uncached(e)
    generated = cpu() - c
    return {"build": build, "build_cpu": build_cpu, "checks": run, "generated": generated, "rules": len(exprs)}


def online_checks(specs: Path, url: str) -> dict:
    from slogen import api
    from slogen.checks import live
    from slogen.diagnostics import Diagnostics, relative
    from slogen.live import client
    from slogen.load import discover

    diags = Diagnostics()
    by_file = api.parse_files([(p, relative(p)) for p in discover([specs], diags)], diags)
    parsed = [p for docs in by_file.values() for p in docs]
    calls = {"series": 0, "query": 0}
    real_series, real_query = client.Prometheus.series, client.Prometheus.query

    def series(self, *a, **k):
        calls["series"] += 1
        return real_series(self, *a, **k)

    def query(self, *a, **k):
        calls["query"] += 1
        return real_query(self, *a, **k)

    client.Prometheus.series, client.Prometheus.query = series, query
    try:
        t, c = time.perf_counter(), cpu()
        live.run(parsed, client.Connection(url), diags)
        wall, used = time.perf_counter() - t, cpu() - c
    finally:
        client.Prometheus.series, client.Prometheus.query = real_series, real_query
    assert not any(d.code.startswith("prometheus/") for d in diags.items), [str(d) for d in diags.items][:3]
    codes = {}
    for d in diags.items:
        codes[d.code] = codes.get(d.code, 0) + 1
    return {"wall": wall, "cpu": used, "series": calls["series"], "queries": calls["query"],
            "uses": len(live.collect(parsed)), "codes": ", ".join(f"{k} ×{v}" for k, v in sorted(codes.items()))}


def exposition(n: int) -> str:
    lines = ["# TYPE http_requests_total counter", "# TYPE cache_hits_total counter",
             "# TYPE cache_lookups_total counter", "# TYPE queue_depth gauge",
             "# TYPE http_request_duration_seconds histogram", "# TYPE queue_wait_seconds histogram"]
    for i in range(n):
        job = f'job="{fleetgen.service_name(i)}"'
        lines += [f'http_requests_total{{{job},code="200"}} 1000', f'http_requests_total{{{job},code="500"}} 1',
                  f"cache_hits_total{{{job}}} 80", f"cache_lookups_total{{{job}}} 100", f"queue_depth{{{job}}} 3"]
        for hist in ("http_request_duration_seconds", "queue_wait_seconds"):
            for k, le in enumerate(("0.1", "0.5", "1", "2", "+Inf")):
                lines.append(f'{hist}_bucket{{{job},le="{le}"}} {200 * (k + 1)}')
            lines += [f"{hist}_count{{{job}}} 1000", f"{hist}_sum{{{job}}} 300"]
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def prometheus(n: int, root: Path):
    text = exposition(n)
    exporter = MetricsServer(lambda: text)
    exporter.start()
    with __import__("socket").socket() as s:
        s.bind((HOST, 0))
        port = s.getsockname()[1]
    (root / "prometheus.yml").write_text(
        "global: {scrape_interval: 10s, scrape_timeout: 10s}\nscrape_configs:\n"
        f"  - {{job_name: fleet, honor_labels: true, static_configs: [{{targets: ['{exporter.target}']}}]}}\n")
    proc = subprocess.Popen([shutil.which("prometheus") or "prometheus", f"--config.file={root / 'prometheus.yml'}",
                             f"--storage.tsdb.path={root / 'data'}", f"--web.listen-address={HOST}:{port}",
                             "--log.level=warn"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:  # ready, and the fleet scraped at least once
            try:
                q = f"{url}/api/v1/query?query=count(queue_depth)"
                with urllib.request.urlopen(q, timeout=2) as r:
                    if b'"value"' in r.read():
                        break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            raise TimeoutError("Prometheus did not scrape the fleet within 300s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        exporter.stop()


def timed(args: list[str], cwd: Path) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds, exit code, stderr) of one slogen process."""
    t, c = time.perf_counter(), cpu()
    proc = subprocess.run([sys.executable, "-c", "from slogen.cli import main; main()", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=3600)
    return time.perf_counter() - t, cpu() - c, proc.returncode, proc.stderr


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--services", type=int, default=1000)
    ap.add_argument("--online-only", action="store_true", help="skip the offline build measurement")
    ap.add_argument("--cli", action="store_true", help="also time `slogen validate [--prometheus]` processes")
    args = ap.parse_args(argv)
    n = args.services
    folder = WORK / f"checks-{n}"
    specs = fleetgen.write_fleet(folder, n)
    if not args.online_only:
        shutil.rmtree(folder / "out", ignore_errors=True)
        report_offline(n, offline(folder, specs))
    with tempfile.TemporaryDirectory() as tmp, prometheus(n, Path(tmp)) as url:
        alone = online_checks(specs, url)
        print(f"{n} services, online checks alone (slogen.checks.live.run, in process):")
        print(f"  {alone['wall']:.2f}s wall, {alone['cpu']:.2f}s CPU of slogen (limit 30s), {alone['series']} "
              f"series requests for {alone['uses']} selectors, {alone['queries']} level queries; "
              f"reported: {alone['codes']}", flush=True)
        if args.cli:
            plain = timed(["validate", "specs"], folder)
            online = timed(["validate", "specs", "--prometheus", url], folder)
            print(f"{n} services, fresh processes (wall, CPU in brackets):")
            print(f"  slogen validate               {plain[0]:7.2f}s  [{plain[1]:.2f}s] (exit {plain[2]})")
            print(f"  slogen validate --prometheus  {online[0]:7.2f}s  [{online[1]:.2f}s] (exit {online[2]})")


def report_offline(n: int, off: dict) -> None:
    added = off["checks"] + off["generated"]
    share = added / (off["build_cpu"] - added)
    print(f"{n} services, offline (one process; CPU seconds, wall in brackets):")
    print(f"  clean build, checks included  {off['build_cpu']:7.2f}s  [{off['build']:.2f}s]")
    print(f"  checks + ignore comments      {off['checks']:7.2f}s")
    print(f"  parse {off['rules']} generated rules {off['generated']:7.2f}s")
    print(f"  added to a build without them {share:7.1%} (limit 10%)", flush=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
