"""Which jsonnet implementation evaluates the dashboards, from $SLOGEN_JSONNET:
  jsonnet   (the default) the C++ jsonnet's binding (`_jsonnet`), the reference
  rjsonnet  jrsonnet, the Rust implementation (`pip install 'slogen[fast]'`), ~1.7x faster on
            slogen's dashboards; an error when it is not installed
  auto      rjsonnet when it is installed, else jsonnet
Both print sorted keys, and slogen parses what they print (their number and indent formatting
differ, the values do not), so out/ is the same bytes with either: tests/grafana/test_engines.py
builds the shipped specs, the golden trees and a fleet with team files with each and compares
every file. The engine is therefore not a build option: the build record does not hold it, and
switching engines neither renders again nor makes `--check` stale.

Read at each evaluation, in the process that evaluates (forked workers inherit the environment)."""
from __future__ import annotations

import importlib
import importlib.util
import os
from typing import Callable

from slogen.diagnostics import TargetError

ENV = "SLOGEN_JSONNET"
DEFAULT = "jsonnet"
MODULES = {"jsonnet": "_jsonnet", "rjsonnet": "rjsonnet"}
CHOICES = ("jsonnet", "rjsonnet", "auto")


def chosen() -> str:
    """The engine $SLOGEN_JSONNET asks for (unset or empty: the default)."""
    return os.environ.get(ENV, "").strip().lower() or DEFAULT


def evaluate_snippet() -> Callable[..., str]:
    """The chosen engine's `evaluate_snippet(filename, src, jpathdir=, tla_codes=)`; both raise
    RuntimeError on a jsonnet error."""
    name = chosen()
    if name not in CHOICES:
        raise TargetError("grafana/jsonnet-engine", f"{ENV}={name} names no jsonnet engine",
                          hint=f"use one of: {', '.join(CHOICES)} (unset: {DEFAULT})")
    if name == "auto":
        name = "rjsonnet" if importlib.util.find_spec("rjsonnet") else "jsonnet"
    try:
        return importlib.import_module(MODULES[name]).evaluate_snippet
    except ImportError:
        raise TargetError("grafana/jsonnet-engine", f"{ENV} asks for {name}, which is not installed",
                          hint=f"pip install 'slogen[fast]', or unset {ENV} to use the reference engine (jsonnet)"
                          ) from None
