"""Helpers shared by every test folder. A module of its own (not conftest.py): test folders have no
__init__.py, so every conftest.py is the module `conftest` and `from conftest import ...` would
find whichever one pytest imported last.

Tests that need a real tool call `require(tool)`: with SLOGEN_REQUIRE_TOOLS=1 (set by .ci/run) a
missing tool fails the test, otherwise it skips."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"

# The smallest valid spec: tests break it one way at a time.
GOOD = """\
apiVersion: slogen/v1
service: api
team: platform
slos:
  - name: availability
    objective: 99.9
    sli:
      kind: availability
      total: http_requests_total{job="api"}
      bad: http_requests_total{job="api",code=~"5.."}
"""

# Files whose bytes are a library's own output: pydantic writes the JSON Schema. They are
# compared byte for byte under the lock (requirements/ci.txt, which built the committed out/ and
# golden trees). Under `bash .ci/run --latest` (SLOGEN_LATEST=1) a newer release may write them
# differently; there they are checked for what users rely on instead (the shipped specs validate
# against the schema just built: tests/formats/test_formats_schema.py), not for bytes.
LIBRARY_OUTPUT = ("schema/", "slogen-manifest.json")  # (the manifest names those libraries' versions)
LATEST = os.environ.get("SLOGEN_LATEST") == "1"


def compared_bytewise(path: str) -> bool:
    """Whether this run compares the file at `path` (relative to out/) byte for byte."""
    return not (LATEST and path.startswith(LIBRARY_OUTPUT))


_PACKAGES = {"promtool": "Debian package prometheus", "prometheus": "Debian package prometheus",
             "amtool": "Debian package prometheus-alertmanager",
             "prometheus-alertmanager": "Debian package prometheus-alertmanager",
             "npm": "Debian package npm", "node": "Debian package nodejs",
             "chromium": "Debian package chromium", "openssl": "Debian package openssl"}


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path:
        return path
    message = f"{tool} is not installed ({_PACKAGES.get(tool, 'see CONTRIBUTING.md')})"
    if os.environ.get("SLOGEN_REQUIRE_TOOLS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def run(cmd: list[str], cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
