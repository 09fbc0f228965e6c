"""JSON Schema of the native spec: a service document or a bundle document."""
from __future__ import annotations

from pydantic import TypeAdapter
from typing import Union

from slogen.spec.bundle import BundleSpec
from slogen.spec.service import ServiceSpec


def json_schema() -> dict:
    schema = TypeAdapter(Union[ServiceSpec, BundleSpec]).json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://slogen.dev/schema/slogen-v1.json"
    schema["title"] = "slogen/v1 spec"
    return schema
