"""Incremental builds: after one spec changed, redo only that spec's services.

The unit of work is a spec file whose documents are all self-contained services (slogen/v1 and
Sloth files). Everything else, the Bundle settings file and OpenSLO files (whose documents refer
to each other across files), is "global": read on every build, and part of the key. A build
records, per unit, the SHA-256 of its bytes, its services, the warnings it produced, each
service's summaries for the bundle-wide files (slogen.targets) and, for each file it wrote, the
file's SHA-256 and its identity on disk (size, mtime, inode).

The next build (`Plan`) reads every spec file and hashes it. When slogen, the options, the
dashboards folder and every global file are as recorded, a unit whose bytes are unchanged and
whose output files are still the very files written (same size, mtime and inode: like git's index,
an edit of a generated file is noticed without reading it) is clean: its files are linked into the
new output tree as they are, its summaries and warnings reused. Changed, new and disturbed units
and all global files go through the whole pipeline; the bundle-wide files are always rendered.
Anything unexpected (a new file that is not a unit, a service name in two files, an error) means
a full build, which also reports it exactly as usual.

The record lives next to the whole-build cache: `.slogen-cache/<out folder>.units.json`. The
correctness tests (tests/scale/test_incremental.py) prove an incremental build writes the same
bytes and reports the same warnings as a clean build, after edits, additions, removals, renames,
hand edits of out/, and changes of the bundle settings."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from slogen.write import cache
from slogen.write import tree as writer
from slogen.diagnostics import Diagnostic, Position, Severity

FORMAT = 1


def _path(out_dir: Path) -> Path:
    out_dir = out_dir.absolute()
    return out_dir.parent / cache.FOLDER / f"{out_dir.name}.units.json"


def global_key(options: dict, dashboards: str | None, global_files: list[tuple[str, str]]) -> str:
    """slogen, the options, the dashboards folder and the (name, sha256) of every global spec file."""
    h = hashlib.sha256(f"slogen-units {FORMAT}\0{cache.code_digest()}\0".encode())
    h.update(orjson.dumps(options, default=str, option=orjson.OPT_SORT_KEYS) + b"\0")
    cache.folder_digest(h, dashboards)
    for name, sha in sorted(global_files):
        h.update(f"{name}\0{sha}\0".encode())
    return h.hexdigest()



@dataclass
class Unit:
    sha: str
    services: list[str]
    warnings: list[dict]
    summaries: dict[str, dict[str, Any]]          # service → target → summary
    files: dict[str, list]                        # path in out/ → [sha256, size, mtime_ns, inode]


@dataclass
class Plan:
    """What this build must do. `clean` units are reused; every other spec file is parsed."""
    specs: dict[str, tuple[Path, str]]            # name as reported → (path, sha256 of its bytes)
    clean: dict[str, Unit] = field(default_factory=dict)
    incremental: bool = False                     # the record was usable (even if no unit is clean)
    globals: list[str] = field(default_factory=list)  # the global spec files of the recorded build
    shared: dict[str, dict] = field(default_factory=dict)  # target → {"digest", "files": {path: record}}

    def memo(self) -> dict[str, tuple[str, list[str]]]:
        """For slogen.parallel.render_shared: target → (digest of its summaries, its files)."""
        return {t: (m["digest"], sorted(m["files"])) for t, m in self.shared.items()}

    def kept_files(self, shared: list[str]) -> dict[str, list]:
        """path → [sha256, *identity] of every file kept from the previous out/: the clean units'
        files and the bundle-wide files `shared` (render_shared kept them: summaries unchanged)."""
        records = {p: rec for m in self.shared.values() for p, rec in m["files"].items()}
        return {p: rec for unit in self.clean.values() for p, rec in unit.files.items()} | {p: records[p] for p in shared}

    @classmethod
    def of(cls, specs: list[tuple[Path, str, str]]) -> "Plan":
        return cls({name: (path, sha) for path, name, sha in specs})

    def clean_services(self) -> set[str]:
        return {s for unit in self.clean.values() for s in unit.services}

    @property
    def parse(self) -> list[tuple[Path, str]]:
        return [(path, name) for name, (path, _sha) in self.specs.items() if name not in self.clean]

    def cached_summaries(self) -> dict[str, dict[str, Any]]:
        return {name: s for unit in self.clean.values() for name, s in unit.summaries.items()}

    def warnings(self) -> list[Diagnostic]:
        return [_warning(w) for unit in self.clean.values() for w in unit.warnings]


def _warning(d: dict) -> Diagnostic:
    return Diagnostic(d["code"], Severity.WARNING, d["message"],
                      Position(*d["position"]) if d.get("position") else None, d.get("hint", ""))


def _record(d: Diagnostic) -> dict:
    return {"code": d.code, "message": d.message, "hint": d.hint,
            "position": [d.position.file, d.position.line, d.position.col] if d.position else None}


def plan(out_dir: Path, specs: list[tuple[Path, str, str]], options: dict, dashboards: str | None) -> Plan:
    """Which units can be reused. Falls back to "parse everything" whenever the record is missing,
    foreign, or was made with other global inputs."""
    full = Plan.of(specs)
    named = full.specs
    try:
        raw = orjson.loads(_path(out_dir).read_bytes())
        if raw.get("format") != FORMAT:
            return full
        globals_ = raw["globals"]
        if any(name not in named for name in globals_):
            return full
        if raw["key"] != global_key(options, dashboards, [(n, named[n][1]) for n in globals_]):
            return full
        units = {name: Unit(**u) for name, u in raw["units"].items()}
        shared = dict(raw["shared"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return full
    root = str(out_dir.absolute())
    for name, unit in units.items():
        if name in named and named[name][1] == unit.sha and all(
                writer.identity(os.path.join(root, p)) == rec[1:] for p, rec in unit.files.items()):
            full.clean[name] = unit
    full.shared = {t: m for t, m in shared.items()
                   if all(writer.identity(os.path.join(root, p)) == rec[1:] for p, rec in m["files"].items())}
    full.incremental, full.globals = True, list(globals_)
    return full


def units_of(parsed_by_file: dict[str, list]) -> dict[str, list[str]]:
    """Spec files whose documents are all self-contained services → their service names."""
    from slogen.spec.service import ServiceSpec

    return {name: [p.spec.service for p in docs] for name, docs in parsed_by_file.items()
            if docs and all(isinstance(p.spec, ServiceSpec) for p in docs)}


def store(out_dir: Path, options: dict, dashboards: str | None, plan_: Plan, units: dict[str, list[str]],
          warnings: list[Diagnostic], summaries: dict[str, dict[str, Any]], unit_files: dict[str, dict[str, str]],
          shared: dict[str, tuple[str, dict[str, str]]], known: dict[str, list[int]] | None = None) -> None:
    """Record this build: `units` spec file → its services, `warnings` every replayable warning,
    `summaries` service → target → summary, `unit_files` spec file → {path: sha256} of the
    per-service files written for it (reused ones included), `shared` target → (digest of its
    summaries, {path: sha256} of its bundle-wide files), `known` path → identity of files kept as
    they were (hard links keep size, mtime and inode: no need to look again)."""
    known = known or {}
    globals_ = _globals(plan_, units)
    by_file: dict[str, list[dict]] = {name: [] for name in units}
    for w in warnings:
        file = w.position.file if w.position else None
        if file in by_file:
            by_file[file].append(_record(w))
        elif file not in globals_:
            forget(out_dir)  # a warning that belongs to no spec file could not be replayed
            return
    root = str(out_dir.absolute())
    files: dict[str, dict[str, list]] = {}
    for name in units:
        files[name] = {}
        for path, sha in unit_files.get(name, {}).items():
            ident = known.get(path) or writer.identity(os.path.join(root, path))
            if ident is None:
                forget(out_dir)
                return
            files[name][path] = [sha, *ident]
    shared_record = {}
    for target, (digest, paths) in shared.items():
        idents = {p: known.get(p) or writer.identity(os.path.join(root, p)) for p in paths}
        if all(idents.values()):
            shared_record[target] = {"digest": digest, "files": {p: [sha, *idents[p]] for p, sha in paths.items()}}
    record = {
        "format": FORMAT,
        "key": global_key(options, dashboards, [(n, plan_.specs[n][1]) for n in globals_]),
        "globals": globals_,
        "units": {name: {"sha": plan_.specs[name][1], "services": services, "warnings": by_file[name],
                         "summaries": {s: summaries[s] for s in services}, "files": files[name]}
                  for name, services in units.items()},
        "shared": shared_record,
    }
    path = _path(out_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_bytes(orjson.dumps(record))
        os.replace(tmp, path)
    except OSError:
        forget(out_dir)


def _globals(plan_: Plan, units: dict[str, list[str]]) -> list[str]:
    return sorted(name for name in plan_.specs if name not in units)


def forget(out_dir: Path) -> None:
    try:
        _path(out_dir).unlink()
    except OSError:
        pass
