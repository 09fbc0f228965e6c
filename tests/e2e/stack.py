"""A real alerting stack on 127.0.0.1 for end-to-end tests, built from the drill specs:

    DrillApp (metrics) ← Prometheus (slogen's rules) → Alertmanager (slogen's config)
                                                        → PagerDuty stand-in, Slack stand-in

Everything listens on 127.0.0.1 on free ports, keeps its data in a temporary folder and is
stopped when the `running_stack` context exits, whatever happened inside it. The bundle is built
with `--time-scale` (the same code path as production rules), so an outage pages in seconds.
Other e2e tests reuse the session fixture `drill_stack` (tests/e2e/conftest.py), e.g. to run
dashboard queries against the same Prometheus."""
from __future__ import annotations

import contextlib
import json
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

from metrics_server import HOST, MetricsServer

DRILL_SPECS = Path(__file__).parent / "drill"
SERVICE = "drill-api"
TIME_SCALE = 0.005          # 5m base window → 2s, 1h → 18s, ticket `for: 1h` → 18s
SCRAPE_INTERVAL = "500ms"   # several samples inside the 2s base window
EVAL_INTERVAL = "1s"
ROUTING_KEY = "drill-routing-key-not-a-secret"  # what the PagerDuty stand-in must receive
BUCKETS = (0.1, 0.5, 1.0, 2.5)
FAST, SLOW = 0.05, 2.0      # seconds per request: healthy, and during an outage (a timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.2) -> Any:
    """Poll until `predicate()` is truthy; bounded, with a message that says what never happened."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except (OSError, ValueError, KeyError) as exc:  # not up yet / not there yet
            last_error = exc
        time.sleep(interval)
    raise TimeoutError(f"{what}: not within {timeout:.0f}s" + (f" (last error: {last_error})" if last_error else ""))


def http_json(url: str, timeout: float = 5) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read())


# --- the service under drill -------------------------------------------------------------------

class MetricsApp:
    """Serves /metrics for a simulated request stream; a ticker thread calls `_tick` every TICK
    seconds, so rates never depend on scrapes. Subclasses say what a tick adds and what /metrics
    shows."""

    TICK = 0.05

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self.server = MetricsServer(self.metrics)
        self.port = self.server.port

    def _tick(self) -> None:
        raise NotImplementedError

    def metrics(self) -> str:
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.wait(self.TICK):
            self._tick()

    def start(self) -> None:
        self.server.start()
        threading.Thread(target=self._run, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self.server.stop()


class DrillApp(MetricsApp):
    """The drill service: requests whose error and slow shares the test sets (200 requests/s)."""

    RATE = 200          # requests per second

    def __init__(self) -> None:
        super().__init__()
        self.error_share = 0.0
        self.slow_share = 0.0
        self.requests = {"200": 0, "500": 0}
        self.buckets = {le: 0 for le in BUCKETS}
        self.count = 0
        self.sum = 0.0
        self._carry = 0.0

    def set(self, error_share: float, slow_share: float) -> None:
        with self.lock:
            self.error_share, self.slow_share = error_share, slow_share

    def healthy(self) -> None:
        self.set(0.0, 0.0)

    def outage(self) -> None:
        """Every request fails, slowly (a dependency times out)."""
        self.set(1.0, 1.0)

    def _tick(self) -> None:
        n = self.RATE * self.TICK + self._carry
        whole = int(n)
        self._carry = n - whole
        with self.lock:
            errors = round(whole * self.error_share)
            slow = round(whole * self.slow_share)
            self.requests["500"] += errors
            self.requests["200"] += whole - errors
            for le in BUCKETS:
                self.buckets[le] += (whole - slow if le >= FAST else 0) + (slow if le >= SLOW else 0)
            self.count += whole
            self.sum += (whole - slow) * FAST + slow * SLOW

    def metrics(self) -> str:
        with self.lock:
            lines = ["# TYPE drill_requests_total counter"]
            lines += [f'drill_requests_total{{code="{code}"}} {n}' for code, n in sorted(self.requests.items())]
            lines.append("# TYPE drill_request_duration_seconds histogram")
            lines += [f'drill_request_duration_seconds_bucket{{le="{le}"}} {n}' for le, n in self.buckets.items()]
            lines.append(f'drill_request_duration_seconds_bucket{{le="+Inf"}} {self.count}')
            lines.append(f"drill_request_duration_seconds_sum {self.sum}")
            lines.append(f"drill_request_duration_seconds_count {self.count}")
        return "\n".join(lines) + "\n"


# --- stand-ins for Slack and PagerDuty ---------------------------------------------------------

@dataclass
class Received:
    at: float            # time.monotonic() when it arrived
    path: str
    body: Any


class StubReceiver:
    """Records every POST (JSON body) and answers like the real service would."""

    def __init__(self, name: str, status: int, reply: bytes) -> None:
        self.name = name
        self.received: list[Received] = []
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode(errors="replace")
                with stub.lock:
                    stub.received.append(Received(time.monotonic(), self.path, body))
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.url = f"http://{HOST}:{self.server.server_address[1]}"

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def start(self) -> None:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- the stack ---------------------------------------------------------------------------------

@dataclass
class Stack:
    root: Path
    out: Path
    bundle: Any                      # slogen.model.Bundle of the drill specs
    app: DrillApp
    pagerduty: StubReceiver
    slack: StubReceiver
    prometheus_url: str
    alertmanager_url: str
    logs: dict[str, Path] = field(default_factory=dict)
    service: str = SERVICE

    def query(self, expr: str) -> list[dict]:
        """Instant query; the result vector."""
        url = f"{self.prometheus_url}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        data = http_json(url)
        if data.get("status") != "success":
            raise ValueError(f"query failed: {data}")
        return data["data"]["result"]

    def alerts(self, **labels: str) -> list[dict]:
        """Alertmanager's view (active, silenced and inhibited), filtered by exact labels."""
        found = http_json(f"{self.alertmanager_url}/api/v2/alerts")
        return [a for a in found if all(a["labels"].get(k) == v for k, v in labels.items())]

    def log_tail(self, lines: int = 30) -> str:
        out = []
        for name, path in self.logs.items():
            text = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
            out.append(f"--- {name} ---\n" + "\n".join(text))
        return "\n".join(out)


def _write_specs(root: Path, secrets: Path, pagerduty_url: str, services: Path = DRILL_SPECS) -> Path:
    """The service specs of `services` with the drill's bundle (receivers pointed at the stand-ins)."""
    specs = root / "specs"
    shutil.copytree(services, specs)
    bundle = yaml.safe_load((DRILL_SPECS / "bundle.yaml").read_text())
    bundle["secrets_dir"] = str(secrets)
    for r in bundle["receivers"]:
        if "pagerduty" in r:
            r["pagerduty"]["url"] = pagerduty_url
    (specs / "bundle.yaml").write_text(yaml.safe_dump(bundle, sort_keys=False))
    return specs


def _write_secrets(secrets: Path, slack_url: str) -> None:
    # Real secret files, with the trailing newline editors leave: Alertmanager must read them.
    (secrets / "pagerduty").mkdir(parents=True)
    (secrets / "slack").mkdir()
    (secrets / "pagerduty" / "drill.key").write_text(ROUTING_KEY + "\n")
    (secrets / "slack" / "drill.url").write_text(slack_url + "\n")


def _build(specs: Path, out: Path):
    from slogen import api

    result = api.build([specs], out, time_scale=TIME_SCALE)
    if not result.ok:
        raise RuntimeError("drill specs do not build: " + "; ".join(d.message for d in result.diagnostics))
    return result.bundle


def _prometheus_config(root: Path, out: Path, app_port: int, am_port: int) -> Path:
    config = {
        "global": {"scrape_interval": SCRAPE_INTERVAL, "scrape_timeout": SCRAPE_INTERVAL,
                   "evaluation_interval": EVAL_INTERVAL},
        "rule_files": [str(out / "prometheus" / "rules" / "*.yml")],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [f"{HOST}:{am_port}"]}]}]},
        "scrape_configs": [{"job_name": SERVICE, "static_configs": [{"targets": [f"{HOST}:{app_port}"]}]}],
    }
    path = root / "prometheus.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


class _Processes:
    """Child processes, each in its own process group, always stopped in reverse start order."""

    def __init__(self) -> None:
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, cmd: list[str], log: Path) -> subprocess.Popen:
        with log.open("wb") as fh:
            proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
        self.procs.append((name, proc))
        return proc

    def stop_all(self) -> None:
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)

    def check_alive(self) -> None:
        for name, proc in self.procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}")


def _ready(url: str, procs: _Processes) -> Callable[[], bool]:
    def probe() -> bool:
        procs.check_alive()
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status == 200
    return probe


@contextlib.contextmanager
def running_stack(root: Path, prometheus: str, alertmanager: str, services: Path = DRILL_SPECS,
                  app: Any = None) -> Iterator[Stack]:
    """Build the drill bundle and run the whole stack; stop everything on exit, even on failure.
    `services` and `app`: other service specs and the app serving their metrics (job drill-api);
    the drill's by default."""
    app = app or DrillApp()
    pagerduty = StubReceiver("pagerduty", 202, b'{"status":"success","message":"Event processed"}')
    slack = StubReceiver("slack", 200, b"ok")
    procs = _Processes()
    started: list[Callable[[], None]] = []
    try:
        for part in (app, pagerduty, slack):
            part.start()
            started.append(part.stop)
        secrets = root / "secrets"
        _write_secrets(secrets, f"{slack.url}/services/drill")
        specs = _write_specs(root, secrets, f"{pagerduty.url}/v2/enqueue", services)
        out = root / "out"
        bundle = _build(specs, out)

        am_port, prom_port = free_port(), free_port()
        logs = {"alertmanager": root / "alertmanager.log", "prometheus": root / "prometheus.log"}
        procs.start("alertmanager", [
            alertmanager, f"--config.file={out / 'alertmanager' / 'alertmanager.yml'}",
            f"--storage.path={root / 'am-data'}", f"--web.listen-address={HOST}:{am_port}",
            "--cluster.listen-address=", "--log.level=info"], logs["alertmanager"])
        procs.start("prometheus", [
            prometheus, f"--config.file={_prometheus_config(root, out, app.port, am_port)}",
            f"--storage.tsdb.path={root / 'prom-data'}", f"--web.listen-address={HOST}:{prom_port}",
            "--web.enable-lifecycle", "--log.level=info"], logs["prometheus"])
        stack = Stack(root=root, out=out, bundle=bundle, app=app, pagerduty=pagerduty, slack=slack,
                      prometheus_url=f"http://{HOST}:{prom_port}", alertmanager_url=f"http://{HOST}:{am_port}",
                      logs=logs)
        try:
            wait_until(_ready(f"{stack.alertmanager_url}/-/ready", procs), 20, "Alertmanager ready")
            wait_until(_ready(f"{stack.prometheus_url}/-/ready", procs), 20, "Prometheus ready")
        except (TimeoutError, RuntimeError) as exc:
            raise RuntimeError(f"{exc}\n{stack.log_tail()}") from None
        yield stack
    finally:
        procs.stop_all()
        for stop in reversed(started):
            stop()
