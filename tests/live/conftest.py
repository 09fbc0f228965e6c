"""Tests of the commands that read a live Prometheus. `history` is a real Prometheus holding a
whole SLO period of backfilled history (tests/live/history.py), started once per session."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from helpers import require
from history import History, SPECS, build_history
from promserver import prometheus


@pytest.fixture(scope="session", autouse=True)
def status_cache(tmp_path_factory) -> Path:
    """`slogen status` keeps the specs' model between runs (slogen.status.model_cache): here in a
    folder of the session, never in the user's own cache."""
    folder = tmp_path_factory.mktemp("status-cache")
    saved = os.environ.get("SLOGEN_CACHE_DIR")
    os.environ["SLOGEN_CACHE_DIR"] = str(folder)
    yield folder
    if saved is None:
        os.environ.pop("SLOGEN_CACHE_DIR", None)
    else:
        os.environ["SLOGEN_CACHE_DIR"] = saved


@pytest.fixture(scope="session")
def history(tmp_path_factory) -> History:
    binary, promtool = require("prometheus"), require("promtool")
    root = tmp_path_factory.mktemp("history")
    data, at = build_history(root, binary, promtool, time.time())
    with prometheus(root / "server", binary, data) as url:
        yield History(url, at, SPECS)
