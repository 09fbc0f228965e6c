"""slogen/live/client.py against a real Prometheus (history backfilled by promtool, TLS through
Prometheus' own web config) and, for what a real server cannot be made to do on demand (hang,
answer HTML, show us the headers it received), small stand-in servers."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from e2e.stack import HOST, free_port
from helpers import require, run
from promserver import backfill_openmetrics, prometheus
from slogen.live import client as C
from slogen.live.client import Connection, Prometheus, PrometheusError
from slogen.live.options import connection_options

pytestmark = pytest.mark.e2e

NOW = (int(time.time()) // 3600 - 2) * 3600  # a whole hour in the past: the backfilled history ends here
RULES = """\
groups:
  - name: demo
    rules:
      - record: demo:requests:rate5m
        expr: sum(rate(demo_requests_total[5m]))
"""


def _history() -> str:
    lines = ["# HELP demo_requests_total Requests.", "# TYPE demo_requests_total counter"]
    for minute in range(61):
        t = NOW - 3600 + 60 * minute
        lines.append(f'demo_requests_total{{job="api",code="200"}} {600 * minute} {t}')
        lines.append(f'demo_requests_total{{job="api",code="500"}} {6 * minute} {t}')
    return "\n".join(lines) + "\n# EOF\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> str:
    binary, promtool = require("prometheus"), require("promtool")
    root = tmp_path_factory.mktemp("client")
    backfill_openmetrics(_history(), root / "data", promtool, root)
    (root / "demo.rules.yml").write_text(RULES)
    with prometheus(root / "server", binary, root / "data", [root / "demo.rules.yml"]) as url:
        yield url


def test_instant_query_returns_each_series_with_its_value(server):
    api = Prometheus(Connection(server))
    found = api.query('sum by (code) (rate(demo_requests_total{job="api"}[5m]))', at=NOW)
    assert {s.labels["code"]: round(s.value, 6) for s in found} == {"200": 10.0, "500": 0.1}
    assert all(s.timestamp == NOW for s in found)


def test_a_scalar_is_one_sample_without_labels(server):
    assert Prometheus(Connection(server)).query("1 + 1", at=NOW)[0].labels == {}
    assert Prometheus(Connection(server)).query("1 + 1", at=NOW)[0].value == 2


def test_range_query_returns_points_oldest_first(server):
    found = Prometheus(Connection(server)).query_range('sum(demo_requests_total{code="500"})', NOW - 600, NOW, 300)
    assert found[0].points == [(NOW - 600, 300.0), (NOW - 300, 330.0), (NOW, 360.0)]


def test_a_long_query_is_posted_not_put_in_the_url(server):
    expr = " or ".join(f'demo_requests_total{{code="x{i}"}}' for i in range(3000))  # ~100 kB
    assert len(expr) > 64_000
    assert Prometheus(Connection(server)).query(expr, at=NOW) == []


def test_series_labels_and_label_values(server):
    api = Prometheus(Connection(server))
    series = api.series(['demo_requests_total{job="api"}'], NOW - 3600, NOW)
    assert sorted(s["code"] for s in series) == ["200", "500"]
    assert {"__name__", "code", "job"} <= set(api.label_names(start=NOW - 3600, end=NOW))
    assert api.label_values("code", start=NOW - 3600, end=NOW) == ["200", "500"]


def test_metadata_rules_and_build_info(server):
    api = Prometheus(Connection(server))
    assert api.metadata() == {}  # nothing is scraped: metadata comes from targets only
    groups = api.rules()
    assert [g["name"] for g in groups] == ["demo"]
    assert groups[0]["rules"][0]["name"] == "demo:requests:rate5m"
    assert api.build_info()["version"]


def test_a_bad_query_is_one_query_error(server):
    with pytest.raises(PrometheusError) as caught:
        Prometheus(Connection(server)).query("sum(", at=NOW)
    assert caught.value.code == C.QUERY and caught.value.status == 400
    assert "\n" not in str(caught.value)


def test_a_wrong_path_prefix_is_an_http_error_with_a_hint(server):
    with pytest.raises(PrometheusError) as caught:
        Prometheus(Connection(server + "/prometheus")).query("1")
    assert caught.value.code == C.HTTP and caught.value.status == 404
    assert "base URL" in caught.value.hint


def test_a_server_that_is_down_is_unreachable():
    url = f"http://{HOST}:{free_port()}"
    with pytest.raises(PrometheusError) as caught:
        Prometheus(Connection(url, timeout=2)).query("1")
    assert caught.value.code == C.UNREACHABLE and url in str(caught.value)


@pytest.mark.parametrize("url", ["localhost:9090", "ftp://prometheus", "http://"])
def test_a_url_that_is_not_http_is_a_config_error(url):
    with pytest.raises(PrometheusError) as caught:
        Prometheus(Connection(url))
    assert caught.value.code == C.CONFIG


# --- stand-in servers ------------------------------------------------------------------------------

class _Stub:
    """Answers every request with `reply` (after `delay` seconds) and records the headers."""

    def __init__(self, status: int = 200, reply: bytes = b'{"status":"success","data":{"resultType":"vector",'
                 b'"result":[]}}', delay: float = 0.0, content_type: str = "application/json") -> None:
        self.headers: list[dict] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                stub.headers.append(dict(self.headers))
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except OSError:  # the client gave up (the timeout test)
                    pass

            do_GET = do_POST = _answer  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.url = f"http://{HOST}:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_bearer_token_is_read_from_its_file_without_the_trailing_newline(tmp_path):
    (tmp_path / "token").write_text("s3cret-token\n")
    with _Stub() as stub:
        Prometheus(Connection(stub.url, bearer_token_file=tmp_path / "token")).query("1")
    assert stub.headers[0]["Authorization"] == "Bearer s3cret-token"


def test_basic_auth_password_is_read_from_its_file(tmp_path):
    (tmp_path / "password").write_text("pa:ss\n")
    with _Stub() as stub:
        Prometheus(Connection(stub.url, basic_auth_user="ops", basic_auth_password_file=tmp_path / "password")).query("1")
    assert stub.headers[0]["Authorization"] == "Basic b3BzOnBhOnNz"  # base64("ops:pa:ss")


@pytest.mark.parametrize("connection", [
    pytest.param(dict(bearer_token_file=Path("/nonexistent/token")), id="missing token file"),
    pytest.param(dict(basic_auth_password_file=Path("/nonexistent/pw")), id="password without user"),
    pytest.param(dict(bearer_token_file=Path("/dev/null"), basic_auth_user="ops"), id="token and basic auth"),
    pytest.param(dict(bearer_token_file=Path("/dev/null")), id="empty token file"),
])
def test_bad_credentials_options_are_config_errors(connection):
    with pytest.raises(PrometheusError) as caught:
        Prometheus(Connection("http://127.0.0.1:9", **connection))
    assert caught.value.code == C.CONFIG


def test_unauthorized_says_how_to_give_credentials():
    with _Stub(401, b"Unauthorized\n", content_type="text/plain") as stub:
        with pytest.raises(PrometheusError) as caught:
            Prometheus(Connection(stub.url)).query("1")
    assert caught.value.code == C.HTTP and caught.value.status == 401
    assert "--bearer-token-file" in caught.value.hint


def test_a_slow_server_times_out():
    with _Stub(delay=3) as stub:
        with pytest.raises(PrometheusError) as caught:
            Prometheus(Connection(stub.url, timeout=0.5)).query("1")
    assert caught.value.code == C.UNREACHABLE and "0.5s" in str(caught.value)


@pytest.mark.parametrize("reply", [b"<html>Grafana</html>", b'{"hello": "world"}', b'{"status":"success","data":1}'])
def test_an_answer_that_is_not_the_prometheus_api_is_a_bad_response(reply):
    with _Stub(reply=reply) as stub:
        with pytest.raises(PrometheusError) as caught:
            Prometheus(Connection(stub.url)).query("1")
    assert caught.value.code == C.BAD_RESPONSE


# --- TLS, served by Prometheus itself ------------------------------------------------------------

@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    binary, openssl = require("prometheus"), require("openssl")
    root = tmp_path_factory.mktemp("tls")
    done = run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(root / "key.pem"),
                "-out", str(root / "cert.pem")])
    assert done.returncode == 0, done.stderr
    web = {"tls_server_config": {"cert_file": str(root / "cert.pem"), "key_file": str(root / "key.pem")}}
    with prometheus(root / "server", binary, root / "data", web_config=web, scheme="https") as url:
        yield url, root / "cert.pem"


def test_tls_with_the_servers_ca(tls_server):
    url, ca = tls_server
    assert Prometheus(Connection(url, tls_ca_file=ca)).query("1 + 1")[0].value == 2


def test_tls_without_the_ca_is_refused_and_says_how_to_fix_it(tls_server):
    url, _ = tls_server
    with pytest.raises(PrometheusError) as caught:
        Prometheus(Connection(url)).query("1")
    assert caught.value.code == C.UNREACHABLE and "--tls-ca-file" in caught.value.hint


def test_tls_insecure_skips_verification(tls_server):
    url, _ = tls_server
    assert Prometheus(Connection(url, tls_insecure=True)).query("1 + 1")[0].value == 2


# --- the shared command-line options -------------------------------------------------------------

def _app(required: bool) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @connection_options(required=required)
    def show(name: str = typer.Argument("x"), connection: Connection | None = None) -> None:
        print(json.dumps({"name": name, "connection": connection and {k: str(v) for k, v in vars(connection).items()}}))

    return app


def test_connection_options_become_one_connection(tmp_path):
    done = CliRunner().invoke(_app(True), ["svc", "--prometheus", "http://p:9090", "--timeout", "3",
                                           "--bearer-token-file", "t", "--tls-insecure"])
    assert done.exit_code == 0, done.output
    got = json.loads(done.output)
    assert got["name"] == "svc"
    assert got["connection"]["url"] == "http://p:9090"
    assert (got["connection"]["timeout"], got["connection"]["bearer_token_file"],
            got["connection"]["tls_insecure"]) == ("3.0", "t", "True")


def test_the_url_can_come_from_the_environment():
    done = CliRunner().invoke(_app(True), [], env={"SLOGEN_PROMETHEUS_URL": "http://env:9090"})
    assert json.loads(done.output)["connection"]["url"] == "http://env:9090"


def test_a_required_url_that_is_missing_is_a_usage_error():
    done = CliRunner().invoke(_app(True), [], env={"SLOGEN_PROMETHEUS_URL": ""})
    assert done.exit_code == 2


def test_an_optional_url_that_is_missing_gives_no_connection():
    done = CliRunner().invoke(_app(False), [], env={"SLOGEN_PROMETHEUS_URL": ""})
    assert json.loads(done.output)["connection"] is None


def test_answers_asked_ahead_are_the_same_and_bring_their_warnings_only_when_used():
    """slogen.status.prefetch: a query asked again gets the early answer (or its error), and
    Prometheus' warnings about an answer reach the report only if the answer is used."""
    from slogen.status.prefetch import Prefetched

    reply = b'{"status":"success","warnings":["w"],"data":{"resultType":"vector","result":[]}}'
    with _Stub(reply=reply) as stub:
        api = Prometheus(Connection(stub.url))
        early = Prefetched(api, [("query", "a", 1.0), ("query", "b", 1.0)])
        assert early.query("a", 1.0) == [] and api.warnings == ["w"]
        assert early.query("c", 2.0) == [] and api.warnings == ["w", "w"]  # not asked ahead: sent now
        early.close()
        assert early.unused() == [("query", "b", 1.0)] and api.warnings == ["w", "w"]
    with _Stub(status=500, reply=b"oops") as stub:
        early = Prefetched(Prometheus(Connection(stub.url)), [("query", "a", 1.0)])
        with pytest.raises(PrometheusError):
            early.query("a", 1.0)
