"""A document rewritten into another shape that still knows where each part came from.

Formats build native spec data out of foreign documents; a `Mapper` records, for each native
path, the position of the value it was made from (possibly in another file: OpenSLO joins an
SLO with the SLI and alert policies it refers to). Validation errors and model checks then
point at the user's own lines."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slogen.diagnostics import Position
from slogen.load import Source

PathKey = tuple


@dataclass
class MappedSource(Source):
    positions: dict[PathKey, Position] = field(default_factory=dict)
    key_positions: dict[PathKey, Position] = field(default_factory=dict)

    def at(self, path: PathKey, key: bool = False) -> Position:
        p = tuple(path)
        while p:
            if key and p in self.key_positions:
                return self.key_positions[p]
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), Position(self.file, 1, 1))


class Mapper:
    """Collects native path → original position links while a format builds native data."""

    def __init__(self) -> None:
        self.positions: dict[PathKey, Position] = {}
        self.keys: dict[PathKey, Position] = {}

    def link(self, new: PathKey, source: Source, old: PathKey) -> None:
        self.positions[tuple(new)] = source.at(old)
        self.keys[tuple(new)] = source.at(old, key=True)

    def copy(self, new: PathKey, source: Source, old: PathKey, value: Any) -> Any:
        """Link `new` and everything below it to the same structure under `old`; returns value."""
        self.link(new, source, old)
        if isinstance(value, dict):
            for k, v in value.items():
                self.copy(tuple(new) + (k,), source, tuple(old) + (k,), v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self.copy(tuple(new) + (i,), source, tuple(old) + (i,), v)
        return value

    def source(self, file: str, data: Any, text: str = "") -> MappedSource:
        return MappedSource(file=file, data=data, text=text, positions=dict(self.positions),
                            key_positions=dict(self.keys))


def renamed(source: Source, renames: dict[str, str], prefix: PathKey = ()) -> MappedSource:
    """The subtree at `prefix` with mapping keys renamed (e.g. Sloth's camelCase CRD fields to
    their snake_case spelling), so one typed model reads both spellings."""
    m = Mapper()

    def walk(value, old: PathKey, new: PathKey):
        m.link(new, source, old)
        if isinstance(value, dict):
            return {renames.get(k, k): walk(v, old + (k,), new + (renames.get(k, k),)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, old + (i,), new + (i,)) for i, v in enumerate(value)]
        return value

    node = source.data
    for part in prefix:
        node = node[part]
    return m.source(source.file, walk(node, tuple(prefix), ()), source.text)


def grouping(sli: dict, to: PathKey, m: Mapper, source: Source, at: PathKey) -> dict:
    """`{"group_by": [...]}` for an SLO whose SLI queries all aggregate `sum by (labels)`: Sloth and
    OpenSLO have no grouping field, but such queries already alert per label value there, so the
    native spec says so and gets per-group tests, routes and dashboards. `at`: where the queries are."""
    from slogen import groups

    labels = groups.common_grouping([v for k, v in sli.items() if k.endswith("_query")])
    if not labels:
        return {}
    m.link(tuple(to) + ("group_by",), source, at)
    return {"group_by": list(labels)}
