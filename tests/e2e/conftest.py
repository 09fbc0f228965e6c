"""The drill stack as a session fixture: built and started once, stopped at the end of the
session even when a test fails. Tests that change the app's traffic restore `healthy()`."""
from __future__ import annotations

import pytest

from helpers import require
from stack import Stack, running_stack


@pytest.fixture(scope="session")
def drill_stack(tmp_path_factory) -> Stack:
    prometheus, alertmanager = require("prometheus"), require("prometheus-alertmanager")
    with running_stack(tmp_path_factory.mktemp("drill"), prometheus, alertmanager) as stack:
        yield stack
