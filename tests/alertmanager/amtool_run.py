"""amtool, run the way the tests need it. Kept apart so the e2e drill can reuse it."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from helpers import require


def amtool() -> str:
    return require("amtool")


def _run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([amtool(), *args], capture_output=True, text=True, timeout=60)


def check_config(path: Path) -> subprocess.CompletedProcess:
    return _run(["check-config", str(path)])


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def routes_test(config: Path, labels: dict[str, str], expected: str) -> subprocess.CompletedProcess:
    """Fails (returncode 1) unless `labels` route to exactly `expected`."""
    return _run(["config", "routes", "test", f"--config.file={config}", f"--verify.receivers={expected}",
                 *(f"{k}={_quote(v)}" for k, v in labels.items())])


def render(templates_glob: str, text: str, data: dict, tmp: Path) -> subprocess.CompletedProcess:
    data_file = tmp / "template-data.json"
    data_file.write_text(json.dumps(data))
    return _run(["template", "render", f"--template.glob={templates_glob}", f"--template.text={text}",
                 f"--template.data={data_file}"])


def notification_data(alert, status: str = "firing") -> dict:
    """Alertmanager's template data for a group holding this one generated alert."""
    labels = {"alertname": alert.name, **alert.labels}
    one = {"status": status, "labels": labels, "annotations": alert.annotations,
           "startsAt": "2024-05-01T10:00:00Z",
           "endsAt": "2024-05-01T11:00:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
           "generatorURL": "http://prometheus.invalid/graph", "fingerprint": "0"}
    group = {k: labels[k] for k in ("alertname", "service", "slo") if k in labels}
    return {"receiver": alert.receiver or "catch-all", "status": status, "alerts": [one],
            "groupLabels": group, "commonLabels": labels, "commonAnnotations": alert.annotations,
            "externalURL": "http://alertmanager.invalid"}
