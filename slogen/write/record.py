"""The build record: what the last build of an output folder read and wrote, so that the next build
(or `--check`) redoes only what changed, and one where nothing changed does nothing.

One record, one key, one atomic write: `slogen-manifest.json` inside out/, written into the
scratch tree with every other file and swapped in with it, committed with the bundle. It holds:
  slogen, options, dashboards   slogen's version and the libraries' whose output is in out/
                                (producer()), the build options, the digest of the team's
                                dashboards folder: the record is used only when all three match
  specs                         every spec file (name as reported → SHA-256 of its bytes)
  units                         spec files made only of self-contained services (slogen/v1,
                                Sloth): their services and the per-service files made from them
  summaries                     each service's summaries for the bundle-wide files (slogen.targets)
  shared                        each target's bundle-wide files and the digest of the summaries
                                they were made from
  warnings                      the warnings the build reported (replayed for what is reused)
  files                         every other file of out/ → SHA-256 of its bytes

A spec file is reused when its bytes and every output file made from it are as recorded; every
other spec file (changed, new, or one whose output was edited by hand) and every "global" spec
file (the Bundle settings, OpenSLO files that refer to each other) goes through the pipeline. A
fresh checkout can so prove out/ fresh by hashing: the specs, and every file of out/ (~0.3 s for
a 276 MB bundle). A hand edit of a generated file changes its digest; a hand edit of the manifest
makes it differ from the manifest the check writes (which is compared byte for byte like every
other file). What hashing cannot catch is a generated file and its digest in the manifest both
edited to agree: a full render does (`--no-cache`, see docs/performance.md).

Beside it, not committed: `.slogen-cache/<out folder>.json` next to out/ remembers which slogen
code made out/ (the digest of every file of the package, so an edited checkout never reuses what
older code made: then everything is rendered again) and each file's size, mtime and inode, so a
build on the same machine tells an untouched file from an edited one without reading it, as git's
index does. Delete it at will: slogen then hashes. Without it (a fresh checkout), the manifest is
trusted for the slogen version it names; a different version renders everything. In the same
folder, `<out folder>.previous/` is the tree the last build swapped out, which the next build
assembles its own tree in (slogen.write.sinks.DiskSink)."""
from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import Any

import orjson

import slogen
from slogen.diagnostics import Diagnostic, Position, Severity
from slogen.files import content_digest
from slogen.write.tree import survey

FORMAT = 1
MANIFEST = "slogen-manifest.json"
FOLDER = ".slogen-cache"
_PACKAGE = Path(slogen.__file__).resolve().parent
_code_digest: str | None = None


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def producer() -> str:
    """What made the bundle: slogen's version, and the versions of the libraries whose own output
    lands in out/ (pydantic writes the JSON Schema, jsonnet evaluates the dashboards). The record
    is trusted only by the same producer: after a library upgrade a fresh checkout renders again."""
    import _jsonnet
    import pydantic

    return f"{slogen.__version__} (pydantic {pydantic.VERSION}, jsonnet {_jsonnet.version})"


def code_digest() -> str:
    """slogen's version and the bytes of every file of the package (source, data, templates, jsonnet)."""
    global _code_digest
    if _code_digest is None:
        h = hashlib.sha256(f"slogen {slogen.__version__}\n".encode())
        for dirpath, dirnames, filenames in os.walk(_PACKAGE, followlinks=True):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith((".pyc", ".pyo")):
                    continue
                p = Path(dirpath) / name
                h.update(f"{p.relative_to(_PACKAGE).as_posix()}\0".encode())
                h.update(hashlib.sha256(p.read_bytes()).digest())
        _code_digest = h.hexdigest()
    return _code_digest


def folder_digest(folder: str | None) -> str | None:
    """The team's dashboards folder: names and bytes of its files (not where it is)."""
    if not folder or not os.path.isdir(folder):
        return None
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        dirnames.sort()
        for name in sorted(filenames):
            p = Path(dirpath) / name
            h.update(f"{p.relative_to(folder).as_posix()}\0".encode())
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def _plain(value: Any) -> Any:
    return asdict(value) if is_dataclass(value) else value


@dataclass
class Inputs:
    """What a build reads, found once (slogen.load.discover) and hashed once."""
    specs: dict[str, tuple[Path, str]]  # name as reported → (path, sha256 of its bytes)
    options: dict                      # the build options, as plain JSON data
    dashboards: str | None             # digest of the team's dashboards folder


def read_inputs(files: list[Path], options: dict, dashboards: str | None) -> Inputs | None:
    """None when a spec file cannot be read (the build itself then reports why)."""
    from slogen.diagnostics import relative

    try:
        specs = {relative(p): (p, digest(p.read_bytes())) for p in files}
        return Inputs(specs, {k: _plain(v) for k, v in sorted(options.items())}, folder_digest(dashboards))
    except OSError:
        return None


def _warning(d: dict) -> Diagnostic:
    return Diagnostic(d["code"], Severity(d.get("severity", "warning")), d["message"],
                      Position(*d["position"]) if d.get("position") else None, d.get("hint", ""))


def _warning_record(d: Diagnostic) -> dict:
    return {"code": d.code, "severity": d.severity.value, "message": d.message, "hint": d.hint,
            "position": [d.position.file, d.position.line, d.position.col] if d.position else None}


@dataclass
class Plan:
    """What this build must do: `clean` spec files (and their services, files, summaries and
    warnings) are reused; every other spec file is parsed."""
    inputs: Inputs
    clean: dict[str, dict] = field(default_factory=dict)  # spec file → its unit record
    globals: list[str] = field(default_factory=list)      # the recorded build's global spec files
    incremental: bool = False          # the record was usable (even if nothing is clean)
    unchanged: bool = False            # nothing to do: out/ is exactly what this build makes
    manifest: dict = field(default_factory=dict)
    manifest_bytes: bytes = b""
    hashed: bool = False               # some file of out/ was read to know its digest
    digests: dict[str, str] = field(default_factory=dict)  # path → sha256 of the files of out/ as they are
    stats: dict[str, list[int]] = field(default_factory=dict)  # path → identity of the files of out/
    shared_clean: set[str] = field(default_factory=set)   # targets whose bundle-wide files are untouched

    @property
    def parse(self) -> list[tuple[Path, str]]:
        return [(path, name) for name, (path, _sha) in self.inputs.specs.items() if name not in self.clean]

    def clean_services(self) -> set[str]:
        return {s for unit in self.clean.values() for s in unit["services"]}

    def cached_summaries(self) -> dict[str, dict[str, Any]]:
        summaries = self.manifest.get("summaries", {})
        return {s: summaries[s] for s in self.clean_services()}

    def memo(self) -> dict[str, tuple[str, list[str]]]:
        """For slogen.parallel.render_shared: target → (digest of its summaries, its files)."""
        shared = self.manifest.get("shared", {})
        return {t: (shared[t]["digest"], shared[t]["files"]) for t in self.shared_clean}

    def kept_files(self, shared_kept: list[str]) -> dict[str, list[int]]:
        """path → identity of every file taken as it is from out/: the clean units' files and the
        bundle-wide files `shared_kept` (render_shared kept them: summaries unchanged)."""
        paths = [p for unit in self.clean.values() for p in unit["files"]] + list(shared_kept)
        return {p: self.stats[p] for p in paths}

    def warnings(self) -> list[Diagnostic]:
        return [_warning(w) for w in self.manifest.get("warnings", [])
                if w.get("position") and w["position"][0] in self.clean]

    def all_warnings(self) -> list[Diagnostic]:
        return [_warning(w) for w in self.manifest.get("warnings", [])]

    def file_count(self) -> int:
        return len(self.digests)


def _stat_path(out_dir: Path) -> Path:
    out_dir = out_dir.absolute()
    return out_dir.parent / FOLDER / f"{out_dir.name}.json"


def previous_tree(out_dir: Path) -> Path:
    """Where the tree a build swapped out waits for the next build (slogen.write.sinks.DiskSink)."""
    out_dir = out_dir.absolute()
    return out_dir.parent / FOLDER / f"{out_dir.name}.previous"


CACHEDIR_TAG = b"Signature: 8a477f597d28d172789f06886806bc55\n# slogen's cache (see docs/performance.md)\n"


def cache_folder(folder: Path) -> Path:
    """Make slogen's cache folder: with a .gitignore of everything in it (nothing there is to be
    committed) and a CACHEDIR.TAG (backup tools skip it)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in ((".gitignore", b"# made by slogen: nothing here is to be committed\n*\n"),
                       ("CACHEDIR.TAG", CACHEDIR_TAG)):
        if not (folder / name).exists():
            (folder / name).write_bytes(data)
    return folder


def _read_stat_cache(out_dir: Path) -> dict | None:
    try:
        raw = orjson.loads(_stat_path(out_dir).read_bytes())
        return raw if raw.get("format") == FORMAT and isinstance(raw.get("stat"), dict) else None
    except (OSError, ValueError, AttributeError):
        return None


def _walk(out_dir: Path) -> dict[str, list[int]]:
    """path → identity of every file of out/ (one lstat each); what cannot be read is left out
    (then it is missing, and rendered again)."""
    return survey(out_dir, skip=OSError)[0]


def _hash(path: str) -> str:
    with open(path, "rb") as fh:
        return content_digest(fh.read())


def plan(out_dir: Path, inputs: Inputs | None) -> Plan | None:
    """Which spec files can be reused; None when nothing can (no usable record: build it all)."""
    if inputs is None:
        return None
    out_dir = out_dir.absolute()
    try:
        raw_bytes = (out_dir / MANIFEST).read_bytes()
        manifest = orjson.loads(raw_bytes)
        if (manifest.get("format") != FORMAT or manifest.get("slogen") != producer()
                or manifest.get("options") != inputs.options or manifest.get("dashboards") != inputs.dashboards):
            return None
        specs, units, files = manifest["specs"], manifest["units"], manifest["files"]
        shared = manifest["shared"]
        recorded = {p: sha for u in units.values() for p, sha in u["files"].items()} | files | {
            p: sha for m in shared.values() for p, sha in m["files"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    stat_cache = _read_stat_cache(out_dir)
    if stat_cache is not None and stat_cache.get("code") != code_digest():
        return None  # slogen's code changed since it made out/: everything is rendered again
    trusted = stat_cache["stat"] if stat_cache and stat_cache.get("manifest") == digest(raw_bytes) else {}
    stats = _walk(out_dir)
    root = str(out_dir) + "/"
    digests, hashed = {}, False
    for path, ident in stats.items():
        if path == MANIFEST:
            continue
        want = recorded.get(path)
        if want is not None and trusted.get(path) == ident:
            digests[path] = want
        else:
            digests[path], hashed = _hash(root + path), True
    bad = {p for p, sha in recorded.items() if digests.get(p) != sha}  # edited or missing
    globals_ = manifest.get("globals", [])
    if any(specs.get(name) != inputs.specs.get(name, (None, None))[1] for name in globals_):
        return None  # the bundle settings or a cross-file document changed: everything is rendered again
    result = Plan(inputs, globals=list(globals_), incremental=True, manifest=manifest, manifest_bytes=raw_bytes,
                  hashed=hashed or not trusted, digests=digests, stats=stats)
    known = set(units) | set(globals_)
    replayable = all(w.get("position") and w["position"][0] in known for w in manifest.get("warnings", []))
    for name, unit in units.items() if replayable else ():  # else a warning could be lost: parse everything
        if name in inputs.specs and inputs.specs[name][1] == specs.get(name) and not bad & unit["files"].keys():
            result.clean[name] = {"services": unit["services"], "files": list(unit["files"])}
    result.shared_clean = {t for t, m in shared.items() if not bad & m["files"].keys()}
    extra = digests.keys() - recorded.keys()
    result.unchanged = (not bad and not extra and len(result.clean) == len(units)
                        and set(inputs.specs) == set(units) | set(globals_)
                        and raw_bytes == dump(manifest))  # the manifest as a build writes it
    return result


def dump(manifest: dict) -> bytes:
    """The manifest's bytes: every key sorted, one value per line (a review diff shows which
    outputs changed). Summaries are sorted the same way before any target reads them
    (slogen.parallel), so one read back from here renders the same bytes."""
    return orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def manifest(inputs: Inputs, units: dict[str, list[str]], owners: dict[str, str], digests: dict[str, str],
             summaries: dict[str, dict[str, Any]], shared: dict[str, tuple[str, list[str]]],
             warnings: list[Diagnostic]) -> bytes:
    """The record of this build. `units` spec file → its services (self-contained spec files
    only), `owners` path → service of every per-service file, `digests` path → sha256 of every
    file of the new out/ but the manifest, `summaries` service → target → summary, `shared`
    target → (digest of its summaries, its files), `warnings` every warning to replay."""
    service_unit = {s: name for name, services in units.items() for s in services}
    unit_files: dict[str, dict[str, str]] = {name: {} for name in units}
    claimed = set()
    for path, service in owners.items():
        unit = service_unit.get(service)
        if unit is not None and path in digests:
            unit_files[unit][path] = digests[path]
            claimed.add(path)
    shared_record = {}
    for target, (summary_digest, paths) in shared.items():
        shared_record[target] = {"digest": summary_digest, "files": {p: digests[p] for p in paths if p in digests}}
        claimed.update(paths)
    record = {
        "format": FORMAT, "slogen": producer(), "options": inputs.options, "dashboards": inputs.dashboards,
        "specs": {name: sha for name, (_path, sha) in inputs.specs.items()},
        "globals": sorted(name for name in inputs.specs if name not in units),
        "units": {name: {"services": sorted(services), "files": unit_files[name]} for name, services in units.items()},
        "summaries": {s: summaries[s] for s in sorted(service_unit) if s in summaries},
        "shared": shared_record,
        "warnings": sorted((_warning_record(d) for d in warnings),
                           key=lambda w: (w["position"] or ["", 0, 0], w["code"], w["message"], w["hint"])),
        "files": {p: sha for p, sha in digests.items() if p not in claimed},
    }
    return dump(record)


def remember(out_dir: Path, manifest_bytes: bytes, stats: dict[str, list[int]] | None = None) -> None:
    """After a build or a clean check: which code made out/, and the identity of each of its
    files (read from out/ unless given). Best effort: without it slogen only hashes more."""
    out_dir = out_dir.absolute()
    record = {"format": FORMAT, "code": code_digest(), "manifest": digest(manifest_bytes),
              "stat": stats if stats is not None else _walk(out_dir)}
    path = _stat_path(out_dir)
    try:
        cache_folder(path.parent)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_bytes(orjson.dumps(record))
        os.replace(tmp, path)
    except OSError:
        forget(out_dir)


def forget(out_dir: Path) -> None:
    try:
        _stat_path(out_dir).unlink()
    except OSError:
        pass


def units_of(parsed_by_file: dict[str, list], service_type: type) -> dict[str, list[str]]:
    """Spec files whose documents are all self-contained services (`service_type`) → their names."""
    return {name: [p.spec.service for p in docs] for name, docs in parsed_by_file.items()
            if docs and all(isinstance(p.spec, service_type) for p in docs)}
