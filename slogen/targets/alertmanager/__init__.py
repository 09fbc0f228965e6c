"""Alertmanager target: a complete `alertmanager.yml`, its notification templates, and the same
routes, receivers and inhibitions as a fragment for teams that already run an Alertmanager.

Both documents come from the same data: the fragment's `route` is the generated root's only child.
"""
from __future__ import annotations

from slogen.model import Bundle
from slogen.targets.alertmanager import templates
from slogen.targets.alertmanager.inhibitions import inhibit_rules
from slogen.targets.alertmanager.receivers import receivers
from slogen.targets.alertmanager.routes import (all_summaries, group_labels, root_route, slogen_route,  # noqa: F401
                                                summary)  # summary: see slogen.targets
from slogen.files import File

FOLDER = "alertmanager"
CONFIG = f"{FOLDER}/alertmanager.yml"
FRAGMENT = f"{FOLDER}/fragment.yml"
TEMPLATES = f"{FOLDER}/{templates.PATH}"


def config(bundle: Bundle, summaries: dict[str, dict] | None = None) -> dict:
    return {"route": root_route(bundle, summaries), "inhibit_rules": _inhibitions(bundle, summaries),
            "receivers": receivers(bundle.settings), "templates": [templates.PATH]}


def fragment(bundle: Bundle, summaries: dict[str, dict] | None = None) -> dict:
    """Merge into an existing config (see docs/alertmanager.md): `route` goes first in the root
    route's `routes`, the lists are appended to the config's own."""
    return {"route": slogen_route(bundle, summaries), "inhibit_rules": _inhibitions(bundle, summaries),
            "receivers": receivers(bundle.settings), "templates": [templates.PATH]}


def _inhibitions(bundle: Bundle, summaries: dict[str, dict] | None) -> list[dict]:
    return inhibit_rules(group_labels(all_summaries(bundle, summaries)))


def shared_files(bundle: Bundle, summaries: dict[str, dict]) -> list[File]:
    """Every file is bundle-wide; what they need of each service is `routes.summary`."""
    source = bundle.settings.source
    return [File(CONFIG, config(bundle, summaries), source=source),
            File(FRAGMENT, fragment(bundle, summaries), source=source),
            File(TEMPLATES, templates.text(source), kind="text")]
