"""Stage 4: the model → documents. Each target is a pure function `files(bundle) -> list[File]`;
the writer renders and writes them. Adding an output: one module and one line here."""
from __future__ import annotations

from typing import Callable

from slogen.model import Bundle
from slogen.targets import alertmanager
from slogen.targets.prometheus import rules, unit_tests
from slogen.writer import File

TARGETS: list[tuple[str, Callable[[Bundle], list[File]]]] = [
    ("prometheus-rules", rules.files),
    ("prometheus-tests", unit_tests.files),
    ("alertmanager", alertmanager.files),
]
