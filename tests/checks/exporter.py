"""A real Prometheus on 127.0.0.1 scraping a small fixture exporter, for the online checks.

The exporter serves fixed metrics (a counter, a histogram, a gauge, a counter without `_total`)
with their TYPE lines, so the metadata API knows their types. Prometheus scrapes it under two
jobs (`app` and `node`): an `up` selector by instance then matches targets of two jobs.
The exporter is tests/metrics_server.py; processes and readiness polling come from tests/e2e/stack.py."""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import yaml

from e2e.stack import HOST, _Processes, _ready, free_port, http_json, wait_until
from metrics_server import MetricsServer

BUCKETS = ("0.1", "0.5", "1", "2.5", "+Inf")
METRICS = """\
# TYPE app_requests_total counter
app_requests_total{code="200"} 1000
app_requests_total{code="500"} 3
# TYPE app_request_duration_seconds histogram
""" + "".join(f'app_request_duration_seconds_bucket{{le="{le}"}} {100 * (i + 1)}\n' for i, le in enumerate(BUCKETS)) + """\
app_request_duration_seconds_sum 120
app_request_duration_seconds_count 500
# TYPE app_queue_depth gauge
app_queue_depth 42
# TYPE app_processed counter
app_processed 12345
"""


@contextlib.contextmanager
def scraping_prometheus(root: Path, binary: str) -> Iterator[tuple[str, str]]:
    """(Prometheus base URL, the exporter's instance label); everything stopped on exit."""
    exporter = MetricsServer(lambda: METRICS)
    exporter.start()
    port = free_port()
    config = {"global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
              "scrape_configs": [{"job_name": job, "static_configs": [{"targets": [exporter.target]}]}
                                 for job in ("app", "node")]}
    (root / "prometheus.yml").write_text(yaml.safe_dump(config))
    procs = _Processes()
    url = f"http://{HOST}:{port}"
    try:
        procs.start("prometheus", [binary, f"--config.file={root / 'prometheus.yml'}",
                                   f"--storage.tsdb.path={root / 'data'}", f"--web.listen-address={HOST}:{port}",
                                   "--log.level=warn"], root / "prometheus.log")
        wait_until(_ready(f"{url}/-/ready", procs), 30, "Prometheus ready")
        # both jobs scraped, and the metadata of the exporter known
        wait_until(lambda: len(http_json(f"{url}/api/v1/query?query=up")["data"]["result"]) == 2, 30, "two targets up")
        wait_until(lambda: http_json(f"{url}/api/v1/metadata?metric=app_queue_depth")["data"], 30, "metadata")
        yield url, exporter.target
    finally:
        procs.stop_all()
        exporter.stop()
