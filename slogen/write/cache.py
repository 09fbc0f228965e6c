"""The build cache: skip a build whose inputs and output folder are exactly as the last build left them.

What a build reads is known before it starts: the spec files (names and bytes), the team's
dashboards folder, the build options, and slogen itself (its version and the bytes of its own
source, templates and jsonnet, so an edited checkout never reuses a stale entry). Their SHA-256 is
the key. After a successful build the cache records, under that key, the SHA-256 of every file
written and the warnings reported. A later build or `--check` with the same key and an output
folder that still hashes to that record has nothing to do: the build would produce the same bytes
(builds are deterministic, and the runbook notes it would carry over are the ones already there).

Where: `.slogen-cache/<out folder name>.json` next to the output folder (gitignored), one small
JSON file per output folder, never inside out/ (so `--check` and the committed tree are not
affected). Delete the folder to clear it; `--no-cache` ignores it. A cache file that does not
parse, comes from another format version, or names another key is ignored and replaced; it is
only ever a hint, checked against the real output folder before it is trusted."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import slogen
from slogen.diagnostics import Diagnostic, Diagnostics, Position, Severity

FORMAT = 1
FOLDER = ".slogen-cache"
_PACKAGE = Path(slogen.__file__).resolve().parent
_code_digest: str | None = None


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


def folder_digest(h, folder: str | None) -> None:
    if not folder or not os.path.isdir(folder):
        h.update(b"no dashboards folder\0")
        return
    h.update(f"dashboards {folder}\0".encode())
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        dirnames.sort()
        for name in sorted(filenames):
            p = Path(dirpath) / name
            h.update(f"{p.relative_to(folder).as_posix()}\0".encode())
            h.update(hashlib.sha256(p.read_bytes()).digest())


def inputs_key(spec_files: list[tuple[str, str]], options: dict, dashboards: str | None) -> str:
    """The cache key: spec files as (name as reported, sha256 of the bytes), build options,
    dashboards folder, slogen."""
    h = hashlib.sha256(f"slogen-cache {FORMAT}\0{code_digest()}\0".encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode() + b"\0")
    folder_digest(h, dashboards)
    for name, sha in spec_files:
        h.update(f"{name}\0{sha}\0".encode())
    return h.hexdigest()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Entry:
    key: str
    files: dict[str, str]             # path in out/ → sha256 of its bytes
    warnings: list[Diagnostic]


def _path(out_dir: Path) -> Path:
    out_dir = out_dir.absolute()
    return out_dir.parent / FOLDER / f"{out_dir.name}.json"


def load(out_dir: Path, key: str) -> Entry | None:
    """The entry for `key`, or None: missing, unreadable, foreign, corrupt or another key."""
    try:
        raw = json.loads(_path(out_dir).read_text(encoding="utf-8"))
        if raw.get("format") != FORMAT or raw.get("key") != key:
            return None
        files = raw["files"]
        if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) and len(v) == 64
                                                  for k, v in files.items()):
            return None
        warnings = [Diagnostic(d["code"], Severity.WARNING, d["message"],
                               Position(*d["position"]) if d.get("position") else None, d.get("hint", ""))
                    for d in raw["warnings"]]
        return Entry(key, files, warnings)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def store(out_dir: Path, key: str, files: dict[str, str], diags: Diagnostics) -> None:
    """Record a successful build: path → sha256 of every file in out/. Best effort: a cache that
    cannot be written only costs time."""
    if diags.has_errors:
        return
    record = {
        "format": FORMAT, "key": key,
        "files": dict(sorted(files.items())),
        "warnings": [{"code": d.code, "message": d.message, "hint": d.hint,
                      "position": [d.position.file, d.position.line, d.position.col] if d.position else None}
                     for d in diags.items],
    }
    path = _path(out_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def tree_matches(out_dir: Path, files: dict[str, str]) -> bool:
    """True when out/ holds exactly these files with exactly these bytes (every file is hashed:
    cheap next to a build, and immune to clocks and copies)."""
    root = out_dir.absolute()
    if not root.is_dir():
        return False
    seen = 0
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root).replace(os.sep, "/")
            want = files.get(rel)
            if want is None:
                return False
            with open(p, "rb") as fh:
                if hashlib.sha256(fh.read()).hexdigest() != want:
                    return False
            seen += 1
    return seen == len(files)


@dataclass
class Inputs:
    specs: list[tuple[Path, str, str]]    # (path, name as reported, sha256 of its bytes) of every spec file
    dashboards: str | None                # the team's dashboards folder
    key: str                              # the whole build's cache key
    options: dict                         # the build options in it


def read_inputs(files: list[Path], options: dict, dashboards: str | None) -> Inputs | None:
    """The spec files (found once by the build: slogen.load.discover), dashboards folder and key of
    a build, or None when a spec file cannot be read (the build itself then reports why)."""
    from slogen.diagnostics import relative

    if not files:
        return None
    try:
        specs = [(p, relative(p), digest(p.read_bytes())) for p in files]
    except OSError:
        return None
    return Inputs(specs, dashboards, inputs_key([(name, sha) for _p, name, sha in specs], options, dashboards), options)
