"""--format prometheus-operator / mimir hold exactly the plain rule groups, and promtool accepts them."""
from __future__ import annotations

import pytest
import yaml

from slogen.model.types import RuleOutput
from helpers import require, run
from tests.formats.conftest import FIXTURES, build, rules_data


@pytest.fixture(scope="module")
def packaged(tmp_path_factory):
    root = tmp_path_factory.mktemp("packaged")
    operator, mimir = root / "operator", root / "mimir"
    build([FIXTURES], operator, output=RuleOutput("prometheus-operator", "observability",
                                                   {"prometheus": "k8s", "role": "alert-rules"}))
    build([FIXTURES], mimir, output=RuleOutput("mimir"))
    return operator, mimir


def _extract(docs: dict, groups_of, tmp_path) -> list[str]:
    paths = []
    for name, doc in docs.items():
        p = tmp_path / f"{name}.rules.yml"
        p.write_text(yaml.safe_dump({"groups": groups_of(doc)}, sort_keys=False))
        paths.append(str(p))
    return paths


def test_prometheus_rule_objects(packaged, tmp_path):
    operator, _ = packaged
    docs = {p.stem: yaml.safe_load(p.read_text()) for p in sorted((operator / "prometheus-operator").glob("*.yaml"))}
    assert sorted(docs) == ["checkout", "inventory", "ledger", "search"]
    for name, doc in docs.items():
        assert doc["apiVersion"] == "monitoring.coreos.com/v1" and doc["kind"] == "PrometheusRule"
        assert doc["metadata"] == {"name": f"slogen-{name}", "namespace": "observability",
                                   "labels": {"app.kubernetes.io/managed-by": "slogen", "prometheus": "k8s",
                                              "role": "alert-rules"}}
        assert doc["spec"]["groups"] == rules_data(operator)[f"{name}.rules.yml"]["groups"]
    promtool = require("promtool")
    r = run([promtool, "check", "rules", *_extract(docs, lambda d: d["spec"]["groups"], tmp_path)])
    assert r.returncode == 0, r.stdout + r.stderr


def test_mimir_rule_namespaces(packaged, tmp_path):
    _, mimir = packaged
    docs = {p.stem: yaml.safe_load(p.read_text()) for p in sorted((mimir / "mimir").glob("*.yaml"))}
    assert sorted(docs) == ["checkout", "inventory", "ledger", "search"]
    for name, doc in docs.items():
        assert list(doc) == ["namespace", "groups"] and doc["namespace"] == name
        assert doc["groups"] == rules_data(mimir)[f"{name}.rules.yml"]["groups"]
    promtool = require("promtool")
    r = run([promtool, "check", "rules", *_extract(docs, lambda d: d["groups"], tmp_path)])
    assert r.returncode == 0, r.stdout + r.stderr


def test_default_format_writes_plain_files_only(mixed_out):
    assert not (mixed_out / "prometheus-operator").exists() and not (mixed_out / "mimir").exists()
    assert (mixed_out / "prometheus" / "rules").is_dir()
