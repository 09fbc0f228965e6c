"""Stage 2: loaded documents → typed, validated specs. Each document's format is detected from its
header; adding a format (Sloth, OpenSLO) is one entry in FORMATS."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable

from pydantic import BaseModel, ValidationError

from slogen.diagnostics import Diagnostics
from slogen.formats import headers
from slogen.load import Source
from slogen.spec import errors, secrets
from slogen.spec.bundle import BundleSpec
from slogen.spec.service import ServiceSpec


@dataclass(frozen=True)
class Format:
    name: str
    detect: Callable[[dict], bool]
    # Source → list of native specs (ServiceSpec / BundleSpec); reports problems into diags.
    # Foreign formats return `Parsed` items whose source maps native paths back to the user's
    # lines, or (with `link`) their own documents, resolved once every file is read.
    parse: Callable[[Source, Diagnostics], list]
    # For formats whose documents refer to each other (OpenSLO's indicatorRef): all parsed
    # documents → the same list, this format's documents replaced by native specs.
    link: Callable[[list, Diagnostics], list] | None = None


def validate_native(model: type[BaseModel], source: Source, diags: Diagnostics, data: Any = None) -> BaseModel | None:
    try:
        return model.model_validate(source.data if data is None else data)
    except ValidationError as exc:
        errors.report(exc, source, model, diags)
        return None


def _native(source: Source, diags: Diagnostics) -> list[BaseModel]:
    model = BundleSpec if source.data.get("kind") == "Bundle" else ServiceSpec
    spec = validate_native(model, source, diags)
    return [spec] if spec is not None else []


def _later(module: str, name: str) -> Callable:
    """`module.name`, imported when first called: a fleet of native specs never pays for the
    foreign formats' models (~50 ms of every start-up)."""
    def call(*args):
        return getattr(importlib.import_module(module), name)(*args)
    return call


def _openslo_link(parsed: list, diags: Diagnostics) -> list:
    if all(isinstance(p.spec, (ServiceSpec, BundleSpec)) for p in parsed):
        return parsed  # no OpenSLO document (those are never native specs)
    return _later("slogen.formats.openslo", "link")(parsed, diags)


FORMATS: list[Format] = [
    Format("slogen/v1", lambda d: d.get("apiVersion") == "slogen/v1", _native),
    Format("sloth prometheus/v1", headers.sloth, _later("slogen.formats.sloth", "parse")),
    Format("sloth.slok.dev/v1", headers.sloth_crd, _later("slogen.formats.sloth", "parse_crd")),
    Format("openslo/v1, openslo/v1alpha", headers.openslo, _later("slogen.formats.openslo", "parse"), _openslo_link),
]


@dataclass(frozen=True)
class Parsed:
    spec: BaseModel
    source: Source


def parse(source: Source, diags: Diagnostics) -> list[Parsed]:
    if not isinstance(source.data, dict):
        what = "empty" if source.data is None else type(source.data).__name__
        diags.error("spec/not-mapping", f"a spec must be a YAML mapping, this document is {what}",
                    source.at(()), hint="start the file with `apiVersion: slogen/v1`")
        return []
    secrets.scan(source, diags)  # every format: a literal secret is refused before it is read
    for fmt in FORMATS:
        if fmt.detect(source.data):
            return [s if isinstance(s, Parsed) else Parsed(s, source) for s in fmt.parse(source, diags)]
    version = source.data.get("apiVersion") or source.data.get("version")
    known = ", ".join(f.name for f in FORMATS)
    if version is None:
        diags.error("spec/unknown-format", "missing `apiVersion`", source.at(()),
                    hint=f"add `apiVersion: slogen/v1` (known formats: {known})")
    else:
        key = "apiVersion" if "apiVersion" in source.data else "version"
        diags.error("spec/unknown-format", f"unknown spec format {version!r}", source.at((key,)),
                    hint=f"known formats: {known}")
    return []


def link(parsed: list[Parsed], diags: Diagnostics) -> list[Parsed]:
    """After every file is parsed: let formats with cross-document references resolve them."""
    for fmt in FORMATS:
        if fmt.link is not None:
            parsed = fmt.link(parsed, diags)
    return parsed
