"""The drill stack as a session fixture: built and started once, stopped at the end of the
session even when a test fails. Tests that change the app's traffic restore `healthy()`.

Why the re-export below: test folders have no __init__.py, so every conftest.py is the module
`conftest`, and pytest leaves the most recently imported one in sys.modules. Test modules that
are collected after this folder and do `from conftest import require` would then find this file;
so it offers the root conftest's helpers too (not its fixtures, which pytest already provides)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from stack import Stack, running_stack


def _root_helpers() -> dict:
    spec = importlib.util.spec_from_file_location("slogen_tests_root_helpers",
                                                  Path(__file__).resolve().parent.parent / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {k: v for k, v in vars(module).items() if not k.startswith("_")
            and not hasattr(v, "_fixture_function_marker") and not hasattr(v, "_pytestfixturefunction")
            and type(v).__name__ != "FixtureFunctionDefinition"}


globals().update({k: v for k, v in _root_helpers().items() if k not in globals()})
require = globals()["require"]


@pytest.fixture(scope="session")
def drill_stack(tmp_path_factory) -> Stack:
    prometheus, alertmanager = require("prometheus"), require("prometheus-alertmanager")
    with running_stack(tmp_path_factory.mktemp("drill"), prometheus, alertmanager) as stack:
        yield stack
