"""JSON Schema of the native spec: a service document or a bundle document."""
from __future__ import annotations

import copy
from functools import lru_cache

from pydantic import TypeAdapter
from typing import Union

from slogen.spec.bundle import BundleSpec
from slogen.spec.service import ServiceSpec


def json_schema() -> dict:
    return copy.deepcopy(_json_schema())


@lru_cache(maxsize=1)
def _json_schema() -> dict:
    # Depends on slogen's version only, and pydantic takes ~0.5 s to build it: once per process.
    schema = TypeAdapter(Union[ServiceSpec, BundleSpec]).json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://slogen.dev/schema/slogen-v1.json"
    schema["title"] = "slogen/v1 spec"
    return schema
