"""Helpers for the foreign-format tests: build a fixture folder once, run promtool on it."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from slogen import api

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def build(paths: list[Path], out: Path, **kw) -> api.Result:
    result = api.build(paths, out, **kw)
    assert result.ok, [f"{d.position}: {d.code}: {d.message}" for d in result.diagnostics]
    return result


def rules_data(out: Path) -> dict[str, dict]:
    """Every rule file, parsed (the generated header differs by spec file name, the data must not)."""
    return {p.name: yaml.safe_load(p.read_text()) for p in sorted((out / "prometheus" / "rules").glob("*.yml"))}


@pytest.fixture(scope="session")
def mixed_out(tmp_path_factory) -> Path:
    """Sloth, the Sloth CRD, OpenSLO v1 and v1alpha and a native Bundle file in one folder."""
    out = tmp_path_factory.mktemp("formats") / "out"
    build([FIXTURES], out)
    return out
