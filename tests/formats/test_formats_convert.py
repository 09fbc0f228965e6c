"""`slogen convert` prints native specs that build into exactly the same rules."""
from __future__ import annotations

import shutil

import pytest
import yaml

from slogen import api
from slogen.cli import main
from tests.formats.conftest import FIXTURES, build, rules_data


@pytest.mark.parametrize("folder", [
    pytest.param("sloth", id="Sloth prometheus/v1 and CRD files round-trip"),
    pytest.param("openslo", id="OpenSLO v1 (with cross-file references) and v1alpha round-trip"),
])
def test_building_the_converted_file_gives_the_same_rules(tmp_path, folder):
    original = tmp_path / "original"
    build([FIXTURES / folder], original)
    files = sorted(p for p in (FIXTURES / folder).glob("*.yaml"))
    diags, text = api.convert(files)
    assert text is not None, [str(d.message) for d in diags]
    native = tmp_path / "native"
    native.mkdir()
    (native / "converted.yaml").write_text(text)
    for p in files:  # Bundle files are not converted (they are native already): keep them
        if any(d.get("kind") == "Bundle" for d in yaml.safe_load_all(p.read_text())):
            shutil.copy(p, native / p.name)
    assert all(d["apiVersion"] == "slogen/v1" for d in yaml.safe_load_all(text))
    converted = tmp_path / "converted-out"
    build([native], converted)
    assert rules_data(converted) == rules_data(original)


def test_convert_is_deterministic():
    files = sorted((FIXTURES / "openslo").glob("*.yaml"))
    assert api.convert(files)[1] == api.convert(list(reversed(files)))[1]


def test_one_openslo_file_resolves_references_in_its_folder():
    """ledger-slo.yaml names an SLI, a policy and targets that live in ledger-shared.yaml."""
    diags, text = api.convert([FIXTURES / "openslo" / "ledger-slo.yaml"])
    assert text is not None, [d.message for d in diags]
    [doc] = list(yaml.safe_load_all(text))
    assert doc["service"] == "ledger"
    assert doc["slos"][0]["sli"] == {"kind": "ratio", "bad": 'ledger_writes_total{outcome="error"}',
                                     "total": "ledger_writes_total"}


def test_cli_convert_prints_yaml(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["convert", str(FIXTURES / "sloth" / "checkout.yaml")])
    assert exc.value.code == 0
    doc = yaml.safe_load(capsys.readouterr().out)
    assert doc["slos"][0]["alerting"]["name"] == "CheckoutHighErrorRate"
    assert doc["slos"][0]["alerting"]["page"]["labels"]["severity"] == "critical"
