"""The generated Alertmanager documents, checked as data: what the issue asks for, stated once."""
from __future__ import annotations

from pathlib import Path

import yaml

from slogen.spec.secrets import find_in_text

HERE = Path(__file__).parent


def _load(out: Path, name: str) -> dict:
    return yaml.safe_load((out / "alertmanager" / name).read_text())


def _walk_routes(route: dict):
    yield route
    for child in route.get("routes", []):
        yield from _walk_routes(child)


def test_root_groups_by_alertname_service_and_slo_and_catches_everything(built_specs):
    route = _load(built_specs, "alertmanager.yml")["route"]
    assert route["receiver"] == "slogen-catch-all"
    # specs/mcp-hub.yaml groups llm-success by provider: two providers, two notifications
    assert route["group_by"] == ["alertname", "service", "slo", "provider"]
    assert "matchers" not in route


def test_pages_notify_faster_and_repeat_more_often_than_tickets(built_specs):
    routes = list(_walk_routes(_load(built_specs, "alertmanager.yml")["route"]))
    page = next(r for r in routes if r.get("matchers", [None])[-1] == 'slogen_tier="page"')
    ticket = next(r for r in routes if r.get("matchers", [None])[-1] == 'slogen_tier="ticket"')
    assert (page["group_wait"], page["group_interval"], page["repeat_interval"]) == ("30s", "5m", "4h")
    assert (ticket["group_wait"], ticket["group_interval"], ticket["repeat_interval"]) == ("5m", "30m", "1d")


def test_the_three_inhibitions(built_specs):
    rules = _load(built_specs, "alertmanager.yml")["inhibit_rules"]
    assert [(r["source_matchers"], r["target_matchers"], r["equal"]) for r in rules] == [
        (['slogen_kind="slo"', 'slogen_tier="page"'], ['slogen_kind="slo"', 'slogen_tier="ticket"'],
         ["service", "slo", "provider"]),  # a page covers the ticket of its own group only
        (['slogen_kind=~".+"', 'slogen_kind!="slo"', 'slogen_tier="page"'],
         ['slogen_kind=~".+"', 'slogen_kind!="slo"', 'slogen_tier="ticket"'], ["alertname", "service", "provider"]),
        (['slogen_kind="up"', 'slogen_tier="page"'], ['slogen_kind=~".+"', 'slogen_kind!="up"'], ["service"]),
    ]


def test_secrets_are_absolute_file_paths_under_secrets_dir(built_specs):
    config = _load(built_specs, "alertmanager.yml")
    files = [c[key] for r in config["receivers"] for kind in ("pagerduty_configs", "slack_configs")
             for c in r.get(kind, []) for key in ("routing_key_file", "api_url_file") if key in c]
    assert files and all(f.startswith("/etc/alertmanager/secrets/") for f in files), files
    assert not any(k in c for r in config["receivers"] for kind in ("pagerduty_configs", "slack_configs")
                   for c in r.get(kind, []) for k in ("routing_key", "api_url", "service_key"))


def test_the_fragment_is_the_generated_roots_slogen_subtree(built_specs):
    config, fragment = _load(built_specs, "alertmanager.yml"), _load(built_specs, "fragment.yml")
    assert config["route"]["routes"] == [fragment["route"]]
    assert fragment["route"]["matchers"] == ['slogen_kind=~".+"']
    for key in ("receivers", "inhibit_rules", "templates"):
        assert fragment[key] == config[key]


def test_no_secret_in_out(built_specs):
    """Nothing under out/ looks like a webhook URL or a routing key."""
    hits = {p.relative_to(built_specs).as_posix(): find_in_text(p.read_text(errors="replace"))
            for p in built_specs.rglob("*") if p.is_file()}
    assert not {p: kinds for p, kinds in hits.items() if kinds}


def test_two_builds_are_byte_identical(tmp_path):
    from helpers import SPECS
    from slogen import api

    a, b = api.build([SPECS], tmp_path / "a"), api.build([SPECS], tmp_path / "b")
    assert a.ok and b.ok
    for name in ("alertmanager.yml", "fragment.yml", "templates/slogen.tmpl"):
        assert (tmp_path / "a/alertmanager" / name).read_bytes() == (tmp_path / "b/alertmanager" / name).read_bytes()
