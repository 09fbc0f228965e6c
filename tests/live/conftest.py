"""Tests of the commands that read a live Prometheus. `history` is a real Prometheus holding a
whole SLO period of backfilled history (tests/live/history.py), started once per session."""
from __future__ import annotations

import time

import pytest

from helpers import require
from history import History, SPECS, build_history
from promserver import prometheus


@pytest.fixture(scope="session")
def history(tmp_path_factory) -> History:
    binary, promtool = require("prometheus"), require("promtool")
    root = tmp_path_factory.mktemp("history")
    data, at = build_history(root, binary, promtool, time.time())
    with prometheus(root / "server", binary, data) as url:
        yield History(url, at, SPECS)
