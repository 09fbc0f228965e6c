"""A real Prometheus on 127.0.0.1 for the tests of the live commands: history backfilled with
promtool (raw series from OpenMetrics, recorded series from the rules themselves), rule files
loaded, no scraping, so every value the tests read is known exactly.

Processes, ports and readiness polling come from tests/e2e/stack.py."""
from __future__ import annotations

import contextlib
import socket
import subprocess
from pathlib import Path
from typing import Iterator

import yaml

from e2e.stack import HOST, _Processes, _ready, free_port, wait_until


def backfill_openmetrics(text: str, data: Path, promtool: str, root: Path) -> None:
    """Write `text` (OpenMetrics, ending in `# EOF`) as TSDB blocks into `data`."""
    source = root / f"backfill-{len(list(root.glob('backfill-*')))}.om"
    source.write_text(text)
    data.mkdir(parents=True, exist_ok=True)
    _promtool(promtool, ["tsdb", "create-blocks-from", "openmetrics", str(source), str(data)])


def backfill_rules(rule_files: list[Path], start: float, end: float, url: str, data: Path, promtool: str,
                   step: str = "1m") -> None:
    """Evaluate the recording rules over [start, end] against the server at `url` (which holds the
    raw history) and write what they record as blocks into `data`, like Prometheus would have."""
    out = data.parent / "rule-blocks"
    _promtool(promtool, ["tsdb", "create-blocks-from", "rules", f"--start={int(start)}", f"--end={int(end)}",
                         f"--url={url}", f"--output-dir={out}", f"--eval-interval={step}",
                         *map(str, rule_files)])
    for block in out.iterdir():
        block.rename(data / block.name)
    out.rmdir()


def _promtool(promtool: str, args: list[str]) -> None:
    done = subprocess.run([promtool, *args], capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise RuntimeError(f"promtool {' '.join(args[:3])} failed:\n{done.stdout}\n{done.stderr}")


def _listening(port: int, procs: _Processes):
    def probe() -> bool:
        procs.check_alive()
        with socket.create_connection((HOST, port), timeout=2):
            return True
    return probe


@contextlib.contextmanager
def prometheus(root: Path, binary: str, data: Path, rule_files: list[Path] = (),
               web_config: dict | None = None, scheme: str = "http") -> Iterator[str]:
    """Run Prometheus on the TSDB in `data`; yields its base URL and stops it on exit."""
    root.mkdir(parents=True, exist_ok=True)
    config = root / "prometheus.yml"
    config.write_text(yaml.safe_dump({"global": {"evaluation_interval": "1h"},
                                      "rule_files": [str(f) for f in rule_files]}))
    port = free_port()
    cmd = [binary, f"--config.file={config}", f"--storage.tsdb.path={data}",
           f"--web.listen-address={HOST}:{port}", "--storage.tsdb.retention.time=10y", "--log.level=warn"]
    if web_config is not None:
        web = root / "web.yml"
        web.write_text(yaml.safe_dump(web_config))
        cmd.append(f"--web.config.file={web}")
    procs = _Processes()
    log = root / "prometheus.log"
    url = f"{scheme}://{HOST}:{port}"
    try:
        procs.start("prometheus", cmd, log)
        try:
            wait_until(_ready(f"http://{HOST}:{port}/-/ready", procs) if scheme == "http" else _listening(port, procs),
                       30, "Prometheus ready")
        except (TimeoutError, RuntimeError) as exc:
            raise RuntimeError(f"{exc}\n{log.read_text(errors='replace')[-3000:]}") from None
        yield url
    finally:
        procs.stop_all()
