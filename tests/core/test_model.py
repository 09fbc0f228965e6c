"""The model is normalised (docs/architecture.md): what the targets read is frozen dataclasses and
plain values, never a spec object, so no target reaches into a spec with getattr or model_dump."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pydantic import BaseModel

from helpers import SPECS
from slogen import api
from slogen.diagnostics import Diagnostics

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
SPEC_FOLDERS = [SPECS] + sorted(p / "specs" for p in GOLDEN.iterdir() if (p / "specs").is_dir())


def spec_objects(value, path: str = "bundle") -> list[str]:
    """Where in `value` a pydantic model (a spec object) or a mutable dataclass is found."""
    if isinstance(value, BaseModel):
        return [f"{path}: {type(value).__name__}"]
    if dataclasses.is_dataclass(value):
        found = [] if value.__dataclass_params__.frozen else [f"{path}: {type(value).__name__} is not frozen"]
        for f in dataclasses.fields(value):
            found += spec_objects(getattr(value, f.name), f"{path}.{f.name}")
        return found
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in spec_objects(v, f"{path}[{k!r}]")]
    if isinstance(value, (list, tuple)):
        return [x for i, v in enumerate(value) for x in spec_objects(v, f"{path}[{i}]")]
    return []


@pytest.mark.parametrize("specs", SPEC_FOLDERS, ids=lambda p: p.parent.name if p != SPECS else "specs")
def test_the_model_holds_no_spec_object(specs):
    diags = Diagnostics()
    bundle = api.load_bundle([specs], diags)
    assert bundle is not None, [str(d) for d in diags]
    assert bundle.services
    assert spec_objects(bundle) == []
