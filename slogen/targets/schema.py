"""The JSON Schema of the native spec, next to the bundle, so editors can validate specs:
`# yaml-language-server: $schema=../out/schema/slogen-v1.schema.json` at the top of a spec."""
from __future__ import annotations

from slogen.model import Bundle
from slogen.spec.schema import json_schema
from slogen.files import File

PATH = "schema/slogen-v1.schema.json"


def shared_files(bundle: Bundle, summaries: dict) -> list[File]:
    del bundle  # the schema depends on slogen's version only
    return [File(PATH, json_schema(), kind="json")]
