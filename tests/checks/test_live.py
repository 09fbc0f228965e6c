"""Online checks against a real Prometheus on 127.0.0.1 scraping the fixture exporter: each check
reported at the selector's (or level's) position, a clean spec reported clean, and a server that
cannot answer reported as one error, never a traceback (exit 4, as `slogen status`)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from exporter import scraping_prometheus
from helpers import require

from slogen import checks
from slogen.cli import app

LIVE_SPEC = """\
apiVersion: slogen/v1
service: app
team: platform
slos:
  - name: availability
    objective: 99.9
    sli:
      kind: availability
      total: app_requests_total{job="app"}
      bad: app_requests_total{job="app",code=~"5.."}
  - name: latency
    sli: {kind: latency, histogram: app_request_duration_seconds, selector: '{job="app"}', threshold: 300ms, percentile: 95}
  - name: typo
    objective: 99
    sli:
      kind: availability
      total: app_requests_total{job="ap"}
      bad: app_requests_total{job="ap",code=~"5.."}
  - name: per-job
    objective: 99
    group_by: [job]
    max_groups: 1
    sli:
      kind: availability
      total: app_requests_total
      bad: app_requests_total{code=~"5.."}
thresholds:
  - kind: expression
    name: QueueGrowing
    expr: deriv(app_queue_depth{job="app"}[5m]) + rate(app_queue_depth{job="app"}[5m])
    warning: {above: 100}
  - kind: gauge
    name: ProcessedHigh
    metric: app_processed{job="app"}
    warning: {above: 1000000000}
  - kind: up
    selector: '{instance="INSTANCE"}'
  - kind: gauge
    name: QueueDeep
    metric: app_queue_depth{job="app"}
    warning: {above: 10}
"""

CLEAN_SPEC = """\
apiVersion: slogen/v1
service: app
team: platform
slos:
  - name: availability
    objective: 99.9
    sli:
      kind: availability
      total: app_requests_total{job="app"}
      bad: app_requests_total{job="app",code=~"5.."}
  - name: latency
    sli: {kind: latency, histogram: app_request_duration_seconds, selector: '{job="app"}', threshold: 500ms, percentile: 95}
thresholds:
  - kind: up
    selector: '{job="app"}'
  - kind: gauge
    name: QueueDeep
    metric: app_queue_depth{job="app"}
    warning: {above: 100}
"""


class _Quiet(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # the client gave up (the timeout under test): nothing to report


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    binary = require("prometheus")
    with scraping_prometheus(tmp_path_factory.mktemp("live-prometheus"), binary) as running:
        yield running


def _validate(tmp_path, monkeypatch, text: str, *options: str):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "specs").mkdir(exist_ok=True)
    (tmp_path / "specs" / "app.yaml").write_text(text)
    result = CliRunner().invoke(app, ["validate", "specs", "--diagnostics", "json", *options])
    assert "Traceback" not in result.output
    found, _ = json.JSONDecoder().raw_decode(result.output[result.output.index("["):])
    return result.exit_code, found


def _at(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_each_online_check_is_reported_at_the_selector(tmp_path, monkeypatch, server):
    url, instance = server
    text = LIVE_SPEC.replace("INSTANCE", instance)
    code, found = _validate(tmp_path, monkeypatch, text, "--prometheus", url)
    live = {(d["code"], d["line"]): d["message"] for d in found if d["code"].startswith("live/")}
    expected = {
        ("live/bucket", _at(text, "threshold: 300ms")),
        ("live/no-series", _at(text, 'total: app_requests_total{job="ap"}')),
        ("live/no-series", _at(text, 'bad: app_requests_total{job="ap"')),
        ("live/metric-type", _at(text, "expr: deriv(app_queue_depth")),
        ("live/metric-type", _at(text, "metric: app_processed")),
        ("live/up-other-jobs", _at(text, "selector: '{instance=")),
        ("live/firing-now", _at(text, "warning: {above: 10}")),
        ("live/too-many-groups", _at(text, "max_groups: 1")),
    }
    assert set(live) == expected, found
    assert {c for c, _ in expected} == {c for c in checks.CODES if c.startswith("live/")}  # every online code
    assert code == 2  # live/bucket is an error
    bucket = live[("live/bucket", _at(text, "threshold: 300ms"))]
    assert "0.1, 0.5, 1, 2.5" in bucket
    missing = live[("live/no-series", _at(text, 'total: app_requests_total{job="ap"}'))]
    assert "app" in missing and "job" in missing  # the labels that do exist
    assert "app, node" in live[("live/up-other-jobs", _at(text, "selector: '{instance="))]
    assert "`job` has 2 values" in live[("live/too-many-groups", _at(text, "max_groups: 1"))]


def test_a_spec_that_matches_the_server_is_clean(tmp_path, monkeypatch, server):
    url, _ = server
    assert _validate(tmp_path, monkeypatch, CLEAN_SPEC, "--prometheus", url) == (0, [])


def test_build_runs_the_online_checks_too(tmp_path, monkeypatch, server):
    url, instance = server
    text = LIVE_SPEC.replace("INSTANCE", instance)
    _validate(tmp_path, monkeypatch, text)
    result = CliRunner().invoke(app, ["build", "specs", "-o", "out", "--prometheus", url, "--diagnostics", "json"])
    assert result.exit_code == 2 and "live/bucket" in result.output
    assert not (tmp_path / "out").exists()


def test_an_unreachable_server_is_one_clear_error(tmp_path, monkeypatch):
    from e2e.stack import free_port

    code, found = _validate(tmp_path, monkeypatch, CLEAN_SPEC, "--prometheus", f"http://127.0.0.1:{free_port()}")
    assert code == 4 and [d["code"] for d in found] == ["prometheus/unreachable"]


def test_a_failing_server_is_one_clear_error(tmp_path, monkeypatch):
    class Failing(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_error(500, "boom")

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        code, found = _validate(tmp_path, monkeypatch, CLEAN_SPEC, "--prometheus", url)
    finally:
        server.shutdown()
        server.server_close()
    assert code == 4 and [d["code"] for d in found] == ["prometheus/http"]


def test_a_timeout_is_one_clear_error(tmp_path, monkeypatch):
    class Slow(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            threading.Event().wait(3)

        do_GET = do_POST

        def log_message(self, *args):
            pass

    server = _Quiet(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        code, found = _validate(tmp_path, monkeypatch, CLEAN_SPEC, "--prometheus", url, "--timeout", "0.5")
    finally:
        server.shutdown()
        server.server_close()
    assert code == 4 and [d["code"] for d in found] == ["prometheus/unreachable"]
    assert "0.5s" in found[0]["message"]
