"""Session fixtures shared by every test folder (plain helpers are in helpers.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import SPECS


@pytest.fixture(scope="session")
def built_specs(tmp_path_factory) -> Path:
    """The shipped specs built once per session into a temporary out/."""
    from slogen import api

    out = tmp_path_factory.mktemp("bundle") / "out"
    result = api.build([SPECS], out)
    assert result.ok, [str(d) for d in result.diagnostics]
    return out


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/*/out from a fresh build")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.xdist_group("e2e"))
