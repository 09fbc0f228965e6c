"""A target's File → the bytes written: the generated-file header, then YAML, JSON or text."""
from __future__ import annotations

import orjson

from slogen import yamlout
from slogen.files import HEADER, File


def render(f: File, previous: bytes | None = None) -> bytes:
    if f.merge is not None:
        return f.merge(previous)
    header = HEADER.format(source=f.source or "the bundle settings")
    if f.kind == "yaml":
        return yamlout.dump(f.data, header).encode()
    if f.kind == "json":
        # orjson: same bytes as json.dumps(indent=2, ensure_ascii=False) here, ~30x faster
        # (the stdlib falls back to its pure-Python encoder whenever indent is set)
        return orjson.dumps(f.data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n"
    if f.kind == "markdown":
        return f"<!-- {header} -->\n{f.data}".encode()
    return f.data.encode() if isinstance(f.data, str) else f.data
