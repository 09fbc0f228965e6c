"""The published JSON Schema accepts every shipped spec, and is written into out/schema/."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from slogen.spec.schema import json_schema
from slogen.targets.schema import PATH
from helpers import SPECS

jsonschema = pytest.importorskip("jsonschema")

SPEC_FILES = sorted(p for p in SPECS.rglob("*") if p.suffix in (".yaml", ".yml"))


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: str(p.relative_to(SPECS)))
def test_every_shipped_spec_validates_against_the_schema(path: Path):
    validator = jsonschema.Draft202012Validator(json_schema())
    for doc in yaml.safe_load_all(path.read_text()):
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_schema_rejects_an_unknown_field():
    validator = jsonschema.Draft202012Validator(json_schema())
    doc = {"apiVersion": "slogen/v1", "service": "x", "team": "t", "thresholds": [], "colour": "red"}
    assert list(validator.iter_errors(doc))


def test_the_build_publishes_the_schema(mixed_out):
    assert json.loads((mixed_out / PATH).read_text()) == json_schema()
    jsonschema.Draft202012Validator.check_schema(json_schema())
