"""One /metrics endpoint on 127.0.0.1 for every fixture that Prometheus scrapes: the fixed metrics
of the online-check tests (tests/checks/exporter.py), the simulated services of the end-to-end
tests (tests/e2e/stack.py) and the fleet of the checks benchmark (benchmarks/checks.py, which puts
tests/ on its path for it)."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

HOST = "127.0.0.1"


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a scrape cut off on a loaded machine: Prometheus reports it and retries


class MetricsServer:
    """Serves `metrics()` (the Prometheus text format) at /metrics, read afresh on every scrape,
    on a free port; `target` is what a scrape config names."""

    def __init__(self, metrics: Callable[[], str]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                found = self.path == "/metrics"
                body = metrics().encode() if found else b"not found\n"
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = _Server((HOST, 0), Handler)
        self.port = self.server.server_address[1]
        self.target = f"{HOST}:{self.port}"

    def start(self) -> None:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
