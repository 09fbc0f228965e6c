"""Every panel query of the drill service's dashboard (and of the overview) returns data from a
real Prometheus running slogen's rules: healthy traffic first, then an outage so that the
firing-alerts panels have something to show.

It runs its own stack (stack.running_stack) rather than the session's `drill_stack`: it must make
alerts fire, and the drill test needs a stack that has never notified anyone."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from helpers import require
from stack import running_stack, wait_until

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "grafana"))
from grafana_checks import queries, substitute  # noqa: E402

pytestmark = pytest.mark.e2e
RATE_INTERVAL = "10s"  # Grafana's $__rate_interval for a 500ms scrape interval is at least 4 scrapes


def _missing(stack, exprs: list[tuple[str, str]]) -> list[str]:
    return [f"{title}: {expr}" for title, expr in exprs if not stack.query(substitute(expr, RATE_INTERVAL))]


def test_every_panel_query_returns_data(tmp_path, record_property):
    prometheus, alertmanager = require("prometheus"), require("prometheus-alertmanager")
    with running_stack(tmp_path, prometheus, alertmanager) as stack:
        grafana = stack.out / "grafana"
        exprs = []
        for name in (f"{stack.service}.json", "slo-overview.json"):
            exprs += [(f"{name} / {t}", e) for t, e in queries(json.loads((grafana / name).read_text()))]
        alerts = [(t, e) for t, e in exprs if "ALERTS" in e]
        assert len(exprs) > 20 and alerts

        stack.app.healthy()
        wait_until(lambda: not _missing(stack, [x for x in exprs if x not in alerts]), 60,
                   "every non-alert panel query returns data on healthy traffic")
        stack.app.outage()
        try:
            wait_until(lambda: not _missing(stack, exprs), 60, "every panel query returns data during an outage")
        except TimeoutError as exc:
            pytest.fail(f"{exc}; still empty:\n" + "\n".join(_missing(stack, exprs)) + "\n" + stack.log_tail())
        finally:
            stack.app.healthy()
        record_property("dashboard_queries", len(exprs))
