"""A small service spec to edit in tests, and a build that returns what a user would see."""
from __future__ import annotations

from pathlib import Path

from slogen import api

MARKER = b"<!-- slogen: keep below -->"

SPEC = """\
apiVersion: slogen/v1
service: shop
team: shop-team
description: The test shop.
slos:
  - name: availability
    objective: 99.9
    {alerting}
    sli: {{kind: availability, total: 'http_requests_total{{job="shop"}}', bad: 'http_requests_total{{job="shop",code=~"5.."}}'}}
thresholds:
{thresholds}
"""

DISK = """\
  - kind: disk
    {name}
    selector: '{{job="node",mountpoint="/"}}'
    critical: {{below: 10, for: 5m}}
"""
UP = """\
  - kind: up
    selector: '{job="shop"}'
"""


def write_spec(folder: Path, alerting: str = "", disk_name: str = "", with_disk: bool = True,
               with_up: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    parts = []
    if with_disk:
        parts.append(DISK.format(name=f"name: {disk_name}" if disk_name else ""))
    if with_up:
        parts.append(UP)
    (folder / "shop.yaml").write_text(SPEC.format(alerting=alerting, thresholds="".join(parts) or "  []\n"))
    return folder


def build(specs: Path, out: Path, check: bool = False) -> api.Result:
    result = api.build([specs], out, check=check)
    assert result.ok, [f"{d.code}: {d.message}" for d in result.diagnostics]
    return result


def mine(result: api.Result) -> list:
    return [d for d in result.diagnostics if d.code.startswith("runbook/")]


def codes(result: api.Result) -> list[str]:
    return [d.code for d in mine(result)]


def add_notes(path: Path, notes: bytes) -> None:
    data = path.read_bytes()
    assert data.count(MARKER) == 1
    path.write_bytes(data + notes)
