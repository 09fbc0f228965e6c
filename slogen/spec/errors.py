"""Pydantic validation errors → positioned diagnostics, with did-you-mean hints."""
from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from slogen.diagnostics import Diagnostics
from slogen.load import Source

_CODES = {
    "extra_forbidden": "spec/unknown-field",
    "missing": "spec/missing-field",
    "literal_error": "spec/invalid-value",
    "union_tag_invalid": "spec/invalid-value",
    "union_tag_not_found": "spec/missing-field",
    "enum": "spec/invalid-value",
}

_HINTS = {
    "spec/duration": "durations look like 30s, 5m, 1h30m, 30d",
    "spec/objective-range": "objectives are percentages: 99.9 means 99.9%",
    "spec/alert-name": "alert names are CamelCase: start upper-case, letters and digits only",
    "spec/label-name": "label names match [a-zA-Z_][a-zA-Z0-9_]*",
    "spec/window-placeholder": "write the range as [{{window}}], e.g. sum(rate(x[{{window}}]))",
    "spec/name": "e.g. my-service, latency-p95",
}


def data_path(loc: tuple, data: Any) -> tuple:
    """Pydantic's `loc` includes union tags and validator names; keep only real keys and indexes."""
    out = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part not in node and part == loc[-1]:
            out.append(part)  # the missing/extra key itself
    return tuple(out)


def _unwrap(tp):
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    return tp


def _model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class whose fields apply at `loc` (for did-you-mean)."""
    current: Any = root
    for part in loc[:-1]:
        current = _unwrap(current)
        origin = typing.get_origin(current)
        if origin in (list, tuple) and isinstance(part, int):
            current = typing.get_args(current)[0]
            continue
        if origin is dict:
            current = typing.get_args(current)[1]
            continue
        if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            options = [_unwrap(a) for a in typing.get_args(current)]
            match = [o for o in options if isinstance(o, type) and issubclass(o, BaseModel)
                     and _tag(o) == part]
            if match:
                current = match[0]
                continue
            models = [o for o in options if isinstance(o, type) and issubclass(o, BaseModel)]
            if len(models) == 1:
                current = models[0]
            else:
                return None
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part) or next(
                (f for f in current.model_fields.values() if f.alias == part), None)
            if field is None:
                if _tag(current) == part:
                    continue
                return None
            current = field.annotation
        else:
            return None
    current = _unwrap(current)
    if typing.get_origin(current) in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        models = [_unwrap(a) for a in typing.get_args(current)]
        models = [m for m in models if isinstance(m, type) and issubclass(m, BaseModel)]
        current = models[0] if len(models) == 1 else current
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _tag(model: type[BaseModel]) -> str | None:
    field = model.model_fields.get("kind")
    if field is None:
        return None
    args = typing.get_args(_unwrap(field.annotation))
    return args[0] if args else None


def field_names(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def report(exc: ValidationError, source: Source, root: type[BaseModel], diags: Diagnostics) -> None:
    seen = set()
    for err in exc.errors(include_url=False):
        kind = err["type"]
        code = _CODES.get(kind, f"spec/{kind}" if "_" not in kind else "spec/invalid-value")
        loc = tuple(err["loc"])
        path = data_path(loc, source.data)
        message = err["msg"]
        hint = _HINTS.get(code, "")
        if kind == "extra_forbidden":
            field = loc[-1]
            message = f"unknown field `{field}`"
            model = _model_at(root, loc)
            if model is not None:
                known = field_names(model)
                close = difflib.get_close_matches(str(field), known, n=1, cutoff=0.6)
                hint = f"did you mean `{close[0]}`?" if close else "known fields: " + ", ".join(known)
            position = source.at(path, key=True)
        elif kind == "missing" and message == "Field required":
            field = loc[-1]
            message = f"missing required field `{field}`"
            position = source.at(path[:-1] if path and path[-1] == field else path)
        elif kind == "union_tag_invalid":
            ctx = err.get("ctx", {})
            message = f"unknown kind {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
            position = source.at(path + ("kind",))
        elif kind == "union_tag_not_found":
            message = "missing `kind`, which says what type this is"
            position = source.at(path)
        else:
            if message.startswith("Value error, "):
                message = message[len("Value error, "):]
            position = source.at(path, key=loc[-1:] == ("[key]",))
        key = (code, position, message)
        if key in seen:
            continue
        seen.add(key)
        diags.error(code, message, position, hint)
