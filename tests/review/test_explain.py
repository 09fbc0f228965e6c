"""`slogen explain`: the arithmetic in small tables, then every figure for a shipped SLO checked
by promtool against the real rule file (slogen.review.verify), and a wrong formula shown to fail."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from helpers import SPECS, require, run
from slogen import api, yamlout
from slogen.diagnostics import Diagnostics
from slogen.model import detection
from slogen.review import explain, verify
from slogen.review.plot import write_plot

HOUR, DAY = 3600, 86400


@pytest.fixture(scope="module")
def ggen():
    d = Diagnostics()
    bundle = api.load_bundle([SPECS / "ggen-mcp.yaml"], d)
    assert bundle is not None, [str(x) for x in d]
    return bundle


def _availability(bundle):
    slo = bundle.service("ggen-mcp").slos[0]
    assert slo.name == "availability" and slo.budget == pytest.approx(0.001)
    return slo, {(w.severity, w.long): w for w in slo.windows}


@pytest.mark.parametrize("pair, burn, seconds", [
    pytest.param(("page", HOUR), 1000, 120, id="a total outage at 99.9% pages in 2m: 1h read raw crosses at 1m, for 1m"),
    pytest.param(("page", HOUR), 50, 19 * 60, id="50x pages at the first evaluation after 14.4h/50 + for"),
    pytest.param(("page", HOUR), 14.4, None, id="a burn equal to the factor never fires (the rule needs more)"),
    pytest.param(("page", HOUR), 6, None, id="a burn below the factor never fires"),
    pytest.param(("page", 6 * HOUR), 10, 234 * 60, id="10x on 6h summed from 5m rates: 3 minutes after 216m + for 15m"),
])
def test_detection(ggen, pair, burn, seconds):
    slo, windows = _availability(ggen)
    assert detection.detection_seconds(slo, windows[pair], burn, ggen.base_window) == seconds


def test_detection_lands_between_the_ideal_and_the_base_window_after_it(ggen):
    """f·W/B + for is the continuous ideal; an evaluation every minute can only be later, by at
    most one interval for raw windows and the base window plus one interval for summed ones."""
    slo, windows = _availability(ggen)
    for w in windows.values():
        for burn in (1000, 200, 50, 20, 15.84, 10, 6.6, 3.3, 2, 1.1):
            got = detection.detection_seconds(slo, w, burn, ggen.base_window)
            if burn <= w.factor:
                assert got is None
                continue
            ideal = w.factor * w.long / burn + w.for_seconds
            late = 60 if w.long in slo.raw_queries else ggen.base_window + 60
            assert ideal <= got <= ideal + late, (w, burn, got, ideal)


@pytest.mark.parametrize("pair, burn, seconds", [
    pytest.param(("page", HOUR), 1000, 300, id="after a total outage 1h/5m stops with the short window"),
    pytest.param(("page", 6 * HOUR), 1000, 1800, id="after a total outage 6h/30m (30m read raw) stops with it"),
    pytest.param(("page", HOUR), 10, None, id="an alert that never fired has no reset"),
])
def test_reset(ggen, pair, burn, seconds):
    slo, windows = _availability(ggen)
    assert detection.reset_seconds(slo, windows[pair], burn, ggen.base_window) == seconds


def _rows(bundle, slo):
    found = explain.explain(bundle, slo, Diagnostics())
    return {(e.alert.severity, e.alert.window.long): e.rows for e in found[0].alerts}


def test_budget_spent_is_the_designed_share_plus_the_burn_during_for(ggen):
    rows = _rows(ggen, "availability")
    outage = rows[("page", HOUR)][0]
    assert outage.label == "total outage" and outage.burn == pytest.approx(1000)
    assert outage.detect == 120 and outage.spent == pytest.approx(1000 * 120 / (30 * DAY))


def test_burns_above_a_total_outage_are_impossible_not_never(ggen):
    rows = _rows(ggen, "latency-p95")  # budget 5%: 20x is every request slow
    fifty = next(r for r in rows[("page", HOUR)] if r.label == "50x")
    assert not fifty.possible
    assert "impossible" in explain.render_text(explain.explain(ggen, "latency-p95", Diagnostics()))


def test_unknown_slo_is_a_diagnostic_listing_the_names(ggen):
    d = Diagnostics()
    assert explain.explain(ggen, "nope", d) == []
    assert [x.code for x in d] == ["explain/unknown-slo"] and "availability" in d.items[0].hint


def test_plot_is_deterministic_png_and_svg(ggen, tmp_path):
    found = explain.explain(ggen, None, Diagnostics())
    for suffix in (".png", ".svg"):
        a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
        assert write_plot(found, a, Diagnostics()) and write_plot(found, b, Diagnostics())
        assert a.read_bytes() == b.read_bytes() and a.stat().st_size > 10_000
    d = Diagnostics()
    assert not write_plot(found, tmp_path / "x.pdf", d) and d.items[0].code == "explain/plot-format"


BLOCK_MATPLOTLIB = "import sys; sys.modules['matplotlib'] = None; from slogen.cli import main; main(sys.argv[1:])"


def test_plot_without_matplotlib_is_a_diagnostic_not_a_traceback(tmp_path):
    """matplotlib is the optional extra slogen[plot]: without it `--plot` says what to install."""
    import subprocess
    import sys

    png = tmp_path / "p.png"
    proc = subprocess.run([sys.executable, "-c", BLOCK_MATPLOTLIB, "explain", str(SPECS / "ggen-mcp.yaml"),
                           "--slo", "availability", "--plot", str(png)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "error[explain/plot-missing]" in proc.stderr and "slogen[plot]" in proc.stderr
    assert "Traceback" not in proc.stderr and not png.exists()


# --- against promtool ---------------------------------------------------------------------------

def _promtool_plan(specs: list[Path], service: str, slo: str, out: Path) -> tuple[verify.Plan, list]:
    result = api.build(specs, out)
    assert result.ok, [str(d) for d in result.diagnostics]
    plan = verify.plan_for(result.bundle, service, slo)
    paths = []
    for iv, test_file in plan.files.items():
        p = out / verify.test_file_path(service, slo, iv)
        p.write_text(yamlout.dump(test_file))
        paths.append(p)
    return plan, paths


def _promtool(paths: list[Path]):
    # a few minutes of promtool on a busy machine: more than helpers.run's default 10
    return run([require("promtool"), "test", "rules", *[p.name for p in paths]], cwd=paths[0].parent, timeout=1800)


def test_every_figure_of_a_shipped_slo_holds_in_promtool(tmp_path):
    """ggen-mcp availability (99.9%, 30d, the four default window pairs): each detection time
    is exact (quiet 1 interval before, firing at it), each reset too, and each "never" holds;
    pages at 1-minute resolution, tickets at 5 minutes; a few minutes of promtool."""
    require("promtool")
    plan, paths = _promtool_plan([SPECS], "ggen-mcp", "availability", tmp_path / "out")
    assert not plan.skipped
    bundle = api.load_bundle([SPECS / "ggen-mcp.yaml"], Diagnostics())
    for e in explain.explain(bundle, "availability", Diagnostics())[0].alerts:
        checks = [c for c in plan.checks if c.alert.labels == e.alert.labels]
        fired = [r for r in e.rows if r.possible and r.detect is not None]
        never = [r for r in e.rows if r.possible and r.detect is None]
        assert len(checks) == 4 * len(fired) + len(never), e.alert.labels
    done = _promtool(paths)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


SHORT = """\
apiVersion: slogen/v1
service: shop
team: web
alerting:
  windows:
    - {severity: page, budget_percent: 2, long: 1h, short: 5m, for: 1m}
    - {severity: page, budget_percent: 5, long: 6h, short: 30m, for: 15m}
    - {severity: ticket, budget_percent: 10, long: 6h, short: 2h, for: 30m}
slos:
  - name: checkout
    objective: 99.5
    period: 7d
    sli: {kind: latency, histogram: http_request_duration_seconds, selector: '{job="shop"}', threshold: 1s, percentile: 99.5}
"""


@pytest.fixture
def short_spec(tmp_path) -> Path:
    p = tmp_path / "specs" / "shop.yaml"
    p.parent.mkdir()
    p.write_text(SHORT)
    return p.parent


def test_a_7d_latency_slo_with_own_windows_holds_in_promtool(short_spec, tmp_path):
    """Both tiers at 1-minute resolution: explain's figures for five burn rates (raw and summed
    windows) are exactly what promtool's evaluation of the generated rules gives."""
    require("promtool")
    plan, paths = _promtool_plan([short_spec], "shop", "checkout", tmp_path / "out")
    assert plan.checks and not plan.skipped and set(plan.files) == {60}
    assert {c.alert.severity for c in plan.checks} == {"page", "ticket"}
    assert len({c.burn for c in plan.checks}) >= 4
    done = _promtool(paths)
    assert done.returncode == 0, done.stdout[-4000:]


def test_the_promtool_checks_catch_a_wrong_formula(short_spec, tmp_path, monkeypatch):
    """A figure one evaluation early (here: forgetting `for`) must fail: the checks can fail."""
    require("promtool")
    monkeypatch.setattr(verify, "detection_seconds", lambda slo, w, burn, base, iv: detection.detection_seconds(
        slo, dataclasses.replace(w, for_seconds=0), burn, base, iv))
    _, paths = _promtool_plan([short_spec], "shop", "checkout", tmp_path / "out")
    done = _promtool(paths)
    assert done.returncode != 0 and "FAILED" in done.stdout + done.stderr
