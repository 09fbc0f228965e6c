"""Stage 4: the model → documents. Each target is a pure function `files(bundle) -> list[File]`;
the writer renders and writes them. Adding an output: one module and one line here."""
from __future__ import annotations

from typing import Callable

from slogen.diagnostics import Diagnostics
from slogen.model import Bundle
from slogen.targets import alertmanager, grafana, runbooks
from slogen.targets import schema
from slogen.targets.prometheus import packaging, rules, unit_tests
from slogen.writer import File

TARGETS: list[tuple[str, Callable[[Bundle], list[File]]]] = [
    ("prometheus-rules", rules.files),
    ("prometheus-tests", unit_tests.files),
    ("rule-packaging", packaging.files),  # --format prometheus-operator | mimir
    ("schema", schema.files),
    ("alertmanager", alertmanager.files),
    ("runbooks", runbooks.files),
    ("grafana", grafana.files),
]

# Steps that run after every target has rendered and may look at the previous out/ tree, for
# files people edit: (rendered, previous, diagnostics) -> files to add or replace. Runbooks use
# it to keep the notes of alerts that were removed or renamed.
AFTER_RENDER: list[tuple[str, Callable[[dict[str, bytes], dict[str, bytes], Diagnostics], dict[str, bytes]]]] = [
    ("runbooks", runbooks.carry_over),
]
