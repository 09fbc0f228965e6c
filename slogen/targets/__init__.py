"""Stage 4: the model → documents. Adding an output: one module and one line in TARGETS.

A target has two halves, so that a build can redo only what a change touches (slogen.write.record):
  service_files(bundle, services) -> [File]   files about one service each (File.service set),
                                              made from that service and the bundle's settings only
  summary(service, bundle) -> JSON data       what the bundle-wide files need to know of a service
  shared_files(bundle, summaries) -> [File]   bundle-wide files, from every service's summary
                                              (a dict service name → summary, in name order)
Summaries are plain JSON data (dicts, lists, strings, numbers, booleans, None): an incremental
build reads the unchanged services' summaries back from its cache."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from slogen.diagnostics import Diagnostics
from slogen.model import Bundle, Service
from slogen.targets import alertmanager, grafana, runbooks
from slogen.targets import schema
from slogen.targets.prometheus import packaging, rules, unit_tests
from slogen.files import File


def _no_files(*_args) -> list[File]:
    return []


@dataclass(frozen=True)
class Target:
    name: str
    service_files: Callable[[Bundle, Sequence[Service]], list[File]] = _no_files
    summary: Callable[[Service, Bundle], Any] | None = None
    shared_files: Callable[[Bundle, dict[str, Any]], list[File]] = _no_files


TARGETS: list[Target] = [
    Target("prometheus-rules", rules.service_files),
    Target("prometheus-tests", unit_tests.service_files),
    Target("rule-packaging", packaging.service_files),  # --format prometheus-operator | mimir
    Target("schema", shared_files=schema.shared_files),
    Target("alertmanager", summary=alertmanager.summary, shared_files=alertmanager.shared_files),
    Target("runbooks", runbooks.service_files, runbooks.summary, runbooks.shared_files),
    Target("grafana", grafana.service_files, grafana.summary, grafana.shared_files),
]

# Steps that run after every target has rendered and may look at the previous out/ tree, for
# files people edit: (rendered, previous, diagnostics) -> files to add or replace. Runbooks use
# it to keep the notes of alerts that were removed or renamed.
AFTER_RENDER: list[tuple[str, Callable[[dict[str, bytes], dict[str, bytes], Diagnostics], dict[str, bytes]]]] = [
    ("runbooks", runbooks.carry_over),
]
