"""`slogen status` against a real Prometheus with a known history (tests/live/history.py): every
number within 0.1% of what the history makes it, the honest states (partial, not deployed), the
filters, --fail-when, each format, and a server that is down."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from e2e.stack import HOST, free_port
from history import DAY, SCALE, STEP
from slogen.status.text import coverage

pytestmark = pytest.mark.e2e

PERIOD = 30 * DAY
HOUR = 3600 * SCALE


def status(history, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "slogen", "status", str(history.specs), "--prometheus", history.url,
           "--at", str(history.at), "--time-scale", str(SCALE), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def report(history, *args: str) -> dict:
    done = status(history, "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def doc(history) -> dict:
    """The whole report as JSON, read once."""
    return report(history)


@pytest.fixture(scope="module")
def table(history) -> str:
    done = status(history)
    assert done.returncode == 0, done.stderr
    return done.stdout


def by_service(doc: dict) -> dict[str, dict]:
    """The ungrouped SLOs' rows by service."""
    return {s["service"]: s for s in doc["slos"] if not s["group_by"]}


def by_provider(doc: dict) -> dict[str | None, dict]:
    """pay availability's rows (one per provider) by provider."""
    return {(s["group"] or {}).get("provider"): s for s in doc["slos"]
            if (s["service"], s["slo"]) == ("pay", "availability")}


def near(value: float, expected: float) -> bool:
    return abs(value - expected) <= 0.001 * abs(expected)


def test_sli_budget_and_burn_rates_agree_with_the_history(doc):
    shop = by_service(doc)["shop"]
    assert shop["state"] == "ok"
    assert near(shop["sli"], 0.994)
    assert near(shop["error_budget_remaining"], 0.4)
    assert shop["coverage_seconds"] == PERIOD
    burns = shop["burn_rates"]
    for window in ("3s", "18s", "36s", "1m12s", "3m36s", "14m24s"):  # 5m … 1d, scaled
        assert near(burns[window], 2.0), window
    assert near(burns["43m12s"], 1.5)  # 3d: two days at 2%, one at 0.5%


def test_when_the_budget_runs_out_at_the_1h_and_6h_burn_rates(doc):
    shop = by_service(doc)["shop"]
    six_days = 0.4 * PERIOD / 2.0
    assert near(shop["budget_exhausted_in_seconds"]["36s"], six_days)
    assert near(shop["budget_exhausted_in_seconds"]["3m36s"], six_days)


def test_an_slo_with_less_history_than_its_period_says_so_instead_of_a_budget(doc, table):
    search = by_service(doc)["search"]
    assert search["state"] == "partial"
    assert abs(search["coverage_seconds"] - 3 * DAY) <= PERIOD / 720 + STEP
    assert near(search["burn_rates"]["36s"], 0.5)  # windows inside the covered days are known
    row = next(line for line in table.splitlines() if line.startswith("search "))
    assert "covers 4" in row or "covers 43m" in row  # 3 scaled days = 43m12s of 7h12m
    assert "%" not in row.split("covers")[1]


def test_an_slo_whose_rules_are_not_loaded_is_not_deployed(doc, table):
    ledger = by_service(doc)["ledger"]
    assert (ledger["state"], ledger["sli"], ledger["error_budget_remaining"]) == ("not-deployed", None, None)
    row = next(line for line in table.splitlines() if line.startswith("ledger "))
    assert "not deployed" in row


def test_worst_known_budget_first_then_partial_then_not_deployed(doc):
    rows = [(s["service"], s["slo"], (s["group"] or {}).get("provider")) for s in doc["slos"]]
    assert rows == [("pay", "availability", "stripe"), ("shop", "availability", None),
                    ("pay", "availability", "adyen"), ("pay", "availability", "klarna"),
                    ("search", "availability", None), ("pay", "refunds", None), ("ledger", "availability", None)]


def test_a_grouped_slo_has_one_row_per_group_with_its_own_numbers(doc):
    groups = by_provider(doc)
    assert set(groups) == {"stripe", "adyen", "klarna"}
    stripe, adyen = groups["stripe"], groups["adyen"]
    assert stripe["group_by"] == ["provider"] and stripe["group"] == {"provider": "stripe"}
    assert stripe["state"] == "exhausted" and adyen["state"] == "ok"
    assert near(stripe["sli"], 0.985) and near(adyen["sli"], 0.995)
    assert near(stripe["error_budget_remaining"], -0.5) and near(adyen["error_budget_remaining"], 0.5)
    assert stripe["coverage_seconds"] == adyen["coverage_seconds"] == PERIOD
    for window in ("3s", "18s", "36s", "1m12s", "3m36s", "14m24s", "43m12s"):  # 5m … 3d, scaled
        assert near(stripe["burn_rates"][window], 1.5), window
        assert near(adyen["burn_rates"][window], 0.5), window
    assert stripe["budget_exhausted_in_seconds"] == {"36s": 0.0, "3m36s": 0.0}
    assert near(adyen["budget_exhausted_in_seconds"]["36s"], PERIOD)  # 50% left at a burn of 0.5


def test_a_group_with_less_history_than_the_period_is_partial_on_its_own(doc):
    klarna = by_provider(doc)["klarna"]
    assert klarna["state"] == "partial"
    assert abs(klarna["coverage_seconds"] - 3 * DAY) <= PERIOD / 720 + STEP
    assert near(klarna["burn_rates"]["36s"], 1.0)


def test_a_grouped_slo_without_any_group_yet_says_so(doc, table):
    [refunds] = [s for s in doc["slos"] if s["slo"] == "refunds"]
    assert (refunds["state"], refunds["group"], refunds["sli"]) == ("no-data", None, None)
    assert refunds["notes"] == ["no group of provider has events in the period yet"]
    row = next(line for line in table.splitlines() if line.startswith("pay ") and "refunds" in line)
    assert "refunds (per provider)" in row and "no data" in row


def test_a_group_is_named_by_its_labels_in_the_table(table):
    row = next(line for line in table.splitlines() if 'provider="stripe"' in line and line.startswith("pay "))
    assert 'availability {provider="stripe"}' in row and "(exhausted)" in row and "ticket 3d/6h" in row


def test_more_groups_than_max_groups_are_all_shown_with_a_warning(doc):
    assert len(by_provider(doc)) == 3
    [warning] = [w for w in doc["warnings"] if w.startswith("pay availability")]
    assert "3 groups of provider, more than its max_groups 2" in warning


def test_a_grouped_alert_goes_to_its_group_only(doc, table):
    groups = by_provider(doc)
    [firing] = groups["stripe"]["firing"]
    assert (firing["alert"], firing["group"], firing["window"]) == ("AvailabilityBudgetBurn", {"provider": "stripe"},
                                                                  "3d/6h")
    assert groups["adyen"]["firing"] == [] and groups["klarna"]["firing"] == []
    assert 'ticket: AvailabilityBudgetBurn pay availability {provider="stripe"} (3d/6h)' in table


def test_threshold_value_against_its_levels(doc):
    [queue] = [t for t in doc["thresholds"] if t["alert"] == "QueueDepthHigh"]
    assert (queue["alert"], queue["value"], queue["state"]) == ("QueueDepthHigh", 250.0, "warning")
    assert (queue["group_by"], queue["group"]) == ([], None)
    assert {lvl["severity"]: lvl["holds"] for lvl in queue["levels"]} == {"warning": True, "critical": False}


def payouts(doc: dict) -> dict[str | None, dict]:
    """PayoutErrorsHigh's rows (one per provider) by provider."""
    return {(t["group"] or {}).get("provider"): t for t in doc["thresholds"] if t["alert"] == "PayoutErrorsHigh"}


def test_a_grouped_threshold_has_one_row_per_group_with_its_own_value_and_state(doc):
    rows = payouts(doc)
    assert {p: (t["state"], t["group_by"], t["group"]) for p, t in rows.items()} == {
        "stripe": ("critical", ["provider"], {"provider": "stripe"}),
        "klarna": ("warning", ["provider"], {"provider": "klarna"}),
        "paypal": ("warning", ["provider"], {"provider": "paypal"}),
        "adyen": ("ok", ["provider"], {"provider": "adyen"}),
    }
    for provider, percent in (("stripe", 3.0), ("klarna", 1.5), ("paypal", 1.0), ("adyen", 0.5)):
        assert near(rows[provider]["value"], percent), provider
    assert {lvl["severity"]: lvl["holds"] for lvl in rows["klarna"]["levels"]} == {"warning": True,
                                                                                  "critical": False}


def test_threshold_rows_worst_state_first_and_the_groups_of_an_alert_by_value(doc):
    rows = [(t["alert"], (t["group"] or {}).get("provider")) for t in doc["thresholds"]]
    assert rows == [("PayoutErrorsHigh", "stripe"), ("PayoutErrorsHigh", "klarna"), ("PayoutErrorsHigh", "paypal"),
                    ("QueueDepthHigh", None), ("PayoutErrorsHigh", "adyen"), ("RefundLatencyHigh", None)]
    assert doc["summary"]["thresholds"] == len(rows)


def test_a_grouped_threshold_alert_goes_to_its_group_only(doc, table):
    rows = payouts(doc)
    [firing] = rows["stripe"]["firing"]
    assert (firing["alert"], firing["group"], firing["severity"]) == ("PayoutErrorsHigh", {"provider": "stripe"},
                                                                      "warning")
    assert firing["runbook_url"] == "https://runbooks.example.invalid/live/pay/PayoutErrorsHigh.md"
    assert all(rows[p]["firing"] == [] for p in ("klarna", "paypal", "adyen"))
    assert firing in doc["firing"]
    assert 'warning: PayoutErrorsHigh pay {provider="stripe"}' in table


def test_a_grouped_threshold_is_named_by_its_group_in_the_table(table):
    rows = {re.split(r"\s{2,}", line)[1]: line for line in table.splitlines()
            if line.startswith("pay ") and "PayoutErrorsHigh {" in line}
    assert "critical (firing)" in rows['PayoutErrorsHigh {provider="stripe"}']
    assert "3%" in rows['PayoutErrorsHigh {provider="stripe"}']
    assert rows['PayoutErrorsHigh {provider="adyen"}'].rstrip().endswith("ok")


def test_a_grouped_threshold_without_any_group_yet_is_one_no_data_row(doc, table):
    [refunds] = [t for t in doc["thresholds"] if t["alert"] == "RefundLatencyHigh"]
    assert (refunds["state"], refunds["group"], refunds["value"]) == ("no-data", None, None)
    row = next(line for line in table.splitlines() if "RefundLatencyHigh" in line)
    assert "RefundLatencyHigh (per provider)" in row and "no data" in row


def test_a_grouped_threshold_with_more_groups_than_max_groups_shows_them_all_with_a_warning(doc):
    assert len(payouts(doc)) == 4
    [warning] = [w for w in doc["warnings"] if w.startswith("pay PayoutErrorsHigh")]
    assert "4 groups of provider, more than its max_groups 3" in warning


@pytest.mark.parametrize("args, rows", [
    (["--label", "provider=klarna"], [("PayoutErrorsHigh", "klarna"), ("RefundLatencyHigh", None)]),
    (["--label", "provider=unknown"], [("PayoutErrorsHigh", None), ("RefundLatencyHigh", None)]),
    (["--service", "pay"], [("PayoutErrorsHigh", p) for p in ("stripe", "klarna", "paypal", "adyen")]
     + [("RefundLatencyHigh", None)]),
], ids=["group label", "no such group", "service"])
def test_filters_select_threshold_groups(history, args, rows):
    doc = report(history, *args)
    assert [(t["alert"], (t["group"] or {}).get("provider")) for t in doc["thresholds"]] == rows


def test_a_label_filter_leaves_out_the_other_groups_threshold_alerts(history):
    doc = report(history, "--label", "provider=klarna")
    assert doc["firing"] == [] and all(t["firing"] == [] for t in doc["thresholds"])
    assert status(history, "--label", "provider=klarna", "--fail-when", "firing").returncode == 0
    assert status(history, "--label", "provider=stripe", "--fail-when", "firing").returncode == 1


def test_firing_alerts_come_with_their_runbook(doc, table):
    [firing] = [f for f in doc["firing"] if f["service"] == "shop"]
    assert (firing["service"], firing["slo"], firing["window"]) == ("shop", "availability", "3d/6h")
    assert firing["runbook_url"] == "https://runbooks.example.invalid/live/shop/AvailabilityBudgetBurn.md"
    assert by_service(doc)["shop"]["firing"] == [firing]
    assert "runbook: https://runbooks.example.invalid/live/shop/AvailabilityBudgetBurn.md" in table


@pytest.mark.parametrize("args, services", [
    (["--team", "finance"], ["ledger"]),
    (["--label", "tier=2"], ["search"]),
    (["--service", "sh*"], ["shop"]),
    (["--service", "shop", "--service", "ledger"], ["shop", "ledger"]),
], ids=["team", "label", "service pattern", "two services"])
def test_filters(history, args, services):
    assert [s["service"] for s in report(history, *args)["slos"]] == services


@pytest.mark.parametrize("args, rows", [
    (["--label", "provider=adyen"], [("availability", {"provider": "adyen"}), ("refunds", None)]),
    (["--team", "payments", "--label", "provider=klarna"], [("availability", {"provider": "klarna"}),
                                                             ("refunds", None)]),
    (["--service", "pay"], [("availability", {"provider": p}) for p in ("stripe", "adyen", "klarna")]
     + [("refunds", None)]),
], ids=["group label", "team and group label", "service"])
def test_filters_select_groups(history, args, rows):
    doc = report(history, *args)
    assert [(s["slo"], s["group"]) for s in doc["slos"]] == rows
    assert {s["service"] for s in doc["slos"]} == {"pay"}


def test_a_filter_that_matches_nothing_is_an_error(history):
    done = status(history, "--team", "nobody")
    assert done.returncode == 2 and "status/no-match" in done.stderr


@pytest.mark.parametrize("condition, code", [("budget-exhausted", 1), ("not-deployed", 1), ("firing", 1),
                                             ("paging", 0), ("no-data", 1)])
def test_fail_when(history, condition, code):
    done = status(history, "--fail-when", condition)
    assert done.returncode == code, done.stderr
    assert (f"--fail-when {condition} holds" in done.stderr) == bool(code)


@pytest.mark.parametrize("args, code", [
    (["--label", "provider=stripe"], 1),   # the exhausted group
    (["--label", "provider=adyen"], 0),    # the other groups of the same SLO
    (["--service", "shop"], 0),
], ids=["exhausted group", "healthy group", "ungrouped"])
def test_fail_when_budget_exhausted_applies_per_group(history, args, code):
    done = status(history, "--fail-when", "budget-exhausted", *args)
    assert done.returncode == code, done.stderr


def test_the_alerts_of_groups_left_out_by_a_label_filter_are_left_out_too(history):
    assert report(history, "--label", "provider=adyen")["firing"] == []
    assert status(history, "--label", "provider=adyen", "--fail-when", "firing").returncode == 0
    firing = report(history, "--label", "provider=stripe")["firing"]
    assert sorted(f["alert"] for f in firing) == ["AvailabilityBudgetBurn", "PayoutErrorsHigh"]
    assert all(f["group"] == {"provider": "stripe"} for f in firing)


def test_markdown_is_a_github_table_with_links(history, tmp_path):
    done = status(history, "--format", "markdown", "-o", str(tmp_path / "status.md"))
    assert done.returncode == 0 and done.stdout == ""
    text = (tmp_path / "status.md").read_text()
    assert "| SERVICE | SLO | OBJECTIVE |" in text
    assert "| shop | [availability](https://grafana.example.invalid/d/slogen-shop) |" in text
    assert '| pay | [availability {provider="stripe"}](https://grafana.example.invalid/d/slogen-pay) |' in text
    assert "pay availability: 3 groups of provider, more than its max\\_groups 2" in text
    assert '| pay | PayoutErrorsHigh {provider="stripe"} | 3% |' in text
    assert '| pay | RefundLatencyHigh (per provider) | no data |' in text
    assert "([runbook](https://runbooks.example.invalid/live/shop/AvailabilityBudgetBurn.md))" in text
    assert len(text) < 65_536


def test_a_server_that_is_down_is_one_clear_error():
    from helpers import SPECS

    url = f"http://{HOST}:{free_port()}"
    done = subprocess.run([sys.executable, "-m", "slogen", "status", str(SPECS), "--prometheus", url,
                           "--timeout", "5"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 4
    assert done.stdout == ""
    errors = [line for line in done.stderr.splitlines() if "error[" in line]
    assert errors == [f"error[prometheus/unreachable]: cannot reach Prometheus at {url}: Connection refused"] or \
        (len(errors) == 1 and "prometheus/unreachable" in errors[0] and url in errors[0])
    assert "Traceback" not in done.stderr


def test_an_invalid_spec_is_exit_2_before_any_query(tmp_path):
    (tmp_path / "bad.yaml").write_text("apiVersion: slogen/v1\nservice: x\nteam: t\nslos: [{name: a}]\n")
    done = subprocess.run([sys.executable, "-m", "slogen", "status", str(tmp_path), "--prometheus",
                           f"http://{HOST}:{free_port()}"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "bad.yaml:" in done.stderr and "Traceback" not in done.stderr


def test_coverage_reads_in_days_for_production_periods():
    assert coverage(3 * 86400, 30 * 86400) == "covers 3 of 30 days"
    assert coverage(2.5 * 86400, 28 * 86400) == "covers 2.5 of 28 days"


@pytest.mark.parametrize("plots", [False, True], ids=["table", "html"])
def test_the_queries_sent_while_the_specs_load_are_the_ones_the_report_asks(history, monkeypatch, plots):
    """slogen.status.prefetch sends the fleet-wide queries of the default windows and period before
    the specs are loaded. These specs use the defaults: every one of those answers is used, and no
    query reaches Prometheus twice."""
    from slogen import status as live_status
    from slogen.live.client import Connection, Prometheus
    from slogen.status import prefetch

    sent, made = [], []
    real_call, real_prefetch = Prometheus._call, prefetch.prefetch

    def call(self, path, form, get=False):
        sent.append((path, tuple(sorted(form.items())) if isinstance(form, dict) else tuple(form)))
        return real_call(self, path, form, get)

    monkeypatch.setattr(Prometheus, "_call", call)
    monkeypatch.setattr(prefetch, "prefetch", lambda *a: made.append(real_prefetch(*a)) or made[-1])
    outcome = live_status.run([history.specs], Connection(history.url), history.at, plots=plots,
                              time_scale=SCALE, use_cache=False)
    assert outcome.report is not None, outcome.diagnostics.items
    [early] = made
    assert early.unused() == []
    assert len(sent) == len(set(sent)) == outcome.report.queries
    guessed = {q[1] for _, q in prefetch.default_shape(SCALE).queries(history.at, plots)}
    assert guessed <= {dict(form)["query"] for _, form in sent}


def test_with_filters_nothing_is_sent_before_the_specs_are_loaded(history, monkeypatch):
    """A filter narrows the queries to the selected services: their text is not the guessed one."""
    from slogen import status as live_status
    from slogen.live.client import Connection
    from slogen.status import prefetch
    from slogen.status.catalogue import Filters

    monkeypatch.setattr(prefetch, "prefetch", lambda *a: pytest.fail("queries sent before the specs were loaded"))
    outcome = live_status.run([history.specs], Connection(history.url), history.at, Filters(services=("shop",)),
                              time_scale=SCALE, use_cache=False)
    assert outcome.report is not None and {s.entry.slo.service for s in outcome.report.slos} == {"shop"}
