"""Shared test helpers. Tests that need a real tool call `require(tool)`: with
SLOGEN_REQUIRE_TOOLS=1 (set by .ci/run) a missing tool fails the test, otherwise it skips."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path:
        return path
    message = f"{tool} is not installed (Debian: prometheus / prometheus-alertmanager)"
    if os.environ.get("SLOGEN_REQUIRE_TOOLS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def run(cmd: list[str], cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def built_specs(tmp_path_factory) -> Path:
    """The shipped specs built once per session into a temporary out/."""
    from slogen import api

    out = tmp_path_factory.mktemp("bundle") / "out"
    result = api.build([SPECS], out)
    assert result.ok, [str(d) for d in result.diagnostics]
    return out
