"""docs/reference.md, generated from the models' field descriptions (the same text the JSON Schema
carries), so the documentation cannot drift from the code. A test keeps the page current;
`python -m slogen.spec.reference` rewrites it."""
from __future__ import annotations

import sys
import types
import typing
from pathlib import Path

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

PATH = Path(__file__).resolve().parents[2] / "docs" / "reference.md"
INTRO = """# Spec reference

Every field of the native spec (`apiVersion: slogen/v1`), generated from the models by
`python -m slogen.spec.reference` (a test keeps this page current; do not edit it by hand). The
same descriptions are in the JSON Schema (`slogen schema`, `out/schema/slogen-v1.schema.json`).
[specs.md](specs.md) is the guide to read first."""


def _type_name(tp) -> str:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        return " \\| ".join(dict.fromkeys(names))
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"map {_type_name(args[0])} → {_type_name(args[1])}"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return f"[{tp.__name__}](#{tp.__name__.lower()})"
    return {str: "string", float: "number", int: "integer", bool: "boolean"}.get(tp, getattr(tp, "__name__", str(tp)))


def _default(field) -> str:
    if field.is_required():
        return "**required**"
    if field.default_factory is not None:
        value = field.default_factory()
        if isinstance(value, BaseModel):
            return ", ".join(f"`{k}: {v}`" for k, v in value.model_dump(by_alias=True).items()) if field.alias else ""
        return "" if value in ({}, [], None) else f"`{value}`"
    if field.default in (None, PydanticUndefined, "", {}, []):
        return ""
    return f"`{str(field.default).lower() if isinstance(field.default, bool) else field.default}`"


def _table(model: type[BaseModel]) -> str:
    own = model.__dict__.get("__doc__")
    source = own or (sys.modules[model.__module__].__doc__ or "").split("\n\n")[0]
    doc = " ".join(source.split())
    rows = [f"## {model.__name__}", "", doc, "", "| field | type | default | meaning |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        text = (field.description or "").replace("|", "\\|")
        rows.append(f"| `{field.alias or name}` | {_type_name(field.annotation)} | {_default(field)} | {text} |")
    return "\n".join(rows)


def models() -> list[type[BaseModel]]:
    from slogen.sli import KINDS as SLI
    from slogen.spec.bundle import (BundleSpec, EmailReceiver, PagerDutyReceiver, ReceiverSpec, SlackReceiver,
                                    TeamSpec, WebhookReceiver)
    from slogen.spec.service import AlertingSpec, ServiceSpec, SLOAlerting, SLOSpec, TierSpec, WindowSpec
    from slogen.thresholds import KINDS as THRESHOLDS
    from slogen.thresholds.disk_fill import FillLevel
    from slogen.thresholds.kind import CompareLevel, ForLevel

    return [ServiceSpec, SLOSpec, *[k.spec for k in SLI.values()], SLOAlerting, AlertingSpec, TierSpec,
            WindowSpec, *[k.spec for k in THRESHOLDS.values()], CompareLevel, ForLevel, FillLevel,
            BundleSpec, ReceiverSpec, PagerDutyReceiver, SlackReceiver, WebhookReceiver, EmailReceiver, TeamSpec]


def reference() -> str:
    import slogen.formats  # noqa: F401  (loads every format and kind)

    return "\n\n".join(_table(m) for m in models())


def page() -> str:
    return f"{INTRO}\n\n{reference()}\n"


if __name__ == "__main__":  # pragma: no cover
    PATH.write_text(page())
