"""`slogen convert`: the native `slogen/v1` equivalent of Sloth or OpenSLO files, as YAML.

The output is the very data slogen builds from the foreign files (the mapped specs, dumped with
only the fields the mapping set), so building it gives the same rules. OpenSLO documents may
refer to SLIs and alert policies in other files of the same folder; those are read as context
(problems in unrelated files of the folder are not reported), but only services that come from
the named files are printed."""
from __future__ import annotations

from pathlib import Path

from slogen import load, spec, yamlout
from slogen.diagnostics import Diagnostics, relative
from slogen.formats import openslo_spec as O
from slogen.formats.mapped import MappedSource
from slogen.load.discover import SPEC_SUFFIXES
from slogen.spec.bundle import BundleSpec
from slogen.spec.service import ServiceSpec


def _files_of(source) -> set[str]:
    if isinstance(source, MappedSource):
        return {p.file for p in source.positions.values()}
    return {source.file}


_FIRST = ("apiVersion", "kind", "name", "service", "team")


def _readable(value):
    """Model order puts a discriminating `kind` last; people read it first."""
    if isinstance(value, dict):
        keys = [k for k in _FIRST if k in value] + [k for k in value if k not in _FIRST]
        return {k: _readable(value[k]) for k in keys}
    if isinstance(value, list):
        return [_readable(v) for v in value]
    return value


def convert(paths: list[Path], diags: Diagnostics) -> str | None:
    files = load.discover(paths, diags)
    wanted = {relative(f) for f in files}
    parsed = []
    for path in files:
        for source in load.load_file(path, relative(path), diags):
            parsed.extend(spec.parse(source, diags))
    context = Diagnostics()  # sibling files only lend OpenSLO objects and receivers
    siblings = sorted({s for f in files for s in f.parent.iterdir()
                       if s.suffix in SPEC_SUFFIXES and s.is_file() and relative(s) not in wanted})
    for path in siblings:
        for source in load.load_file(path, relative(path), context):
            parsed.extend(p for p in spec.parse(source, context) if isinstance(p.spec, (O.Doc, BundleSpec)))
    parsed = spec.link(parsed, diags)
    if diags.has_errors:
        return None
    services = [p for p in parsed if isinstance(p.spec, ServiceSpec) and _files_of(p.source) & wanted]
    services.sort(key=lambda p: p.spec.service)
    docs = []
    for p in services:
        origin = ", ".join(sorted(_files_of(p.source) & wanted))
        header = f"Converted by `slogen convert` from {origin}.\nBuilding this file gives the same rules."
        data = _readable(p.spec.model_dump(mode="json", by_alias=True, exclude_unset=True))
        docs.append(yamlout.dump(data, header))
    return "---\n".join(docs)
