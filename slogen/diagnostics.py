"""Problems found in a run, as plain data.

Every stage appends to a `Diagnostics` list instead of raising, so one run reports everything.
The CLI renders them; the library never prints.
"""
from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class Severity(str, Enum):
    ERROR = "error"      # nothing is written
    WARNING = "warning"  # output is still produced
    INFO = "info"        # for the record: e.g. a check silenced by a `# slogen: ignore[...]` comment


@dataclass(frozen=True, order=True)
class Position:
    file: str
    line: int = 0  # 1-based; 0 = the whole file
    col: int = 0   # 1-based

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    position: Position | None = None
    hint: str = ""

    def sort_key(self):
        p = self.position or Position("")
        return (p.file, p.line, p.col, self.code, self.message)


@dataclass
class Diagnostics:
    items: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, message: str, position: Position | None = None, hint: str = "") -> None:
        self.items.append(Diagnostic(code, Severity.ERROR, message, position, hint))

    def warning(self, code: str, message: str, position: Position | None = None, hint: str = "") -> None:
        self.items.append(Diagnostic(code, Severity.WARNING, message, position, hint))

    def info(self, code: str, message: str, position: Position | None = None, hint: str = "") -> None:
        self.items.append(Diagnostic(code, Severity.INFO, message, position, hint))

    def add(self, severity: Severity, code: str, message: str, position: Position | None = None,
            hint: str = "") -> None:
        self.items.append(Diagnostic(code, severity, message, position, hint))

    def strict(self) -> None:
        """`--strict`: every warning becomes an error (CI wants a wrong-looking spec refused)."""
        self.items = [Diagnostic(d.code, Severity.ERROR, d.message, d.position, d.hint)
                      if d.severity is Severity.WARNING else d for d in self.items]

    def extend(self, other: "Diagnostics") -> None:
        self.items.extend(other.items)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=Diagnostic.sort_key)

    def __iter__(self):
        return iter(self.sorted())

    def __len__(self) -> int:
        return len(self.items)


def _source_line(position: Position) -> str | None:
    if not position.line:
        return None
    try:
        with open(position.file, encoding="utf-8", errors="replace") as fh:
            for number, text in enumerate(fh, 1):
                if number == position.line:
                    return text.rstrip("\n")
    except OSError:
        return None
    return None


def render_human(diag: Diagnostic) -> str:
    where = f"{diag.position}: " if diag.position else ""
    lines = [f"{where}{diag.severity.value}[{diag.code}]: {diag.message}"]
    if diag.position:
        source = _source_line(diag.position)
        if source is not None:
            lines.append(f"    {source.expandtabs(1)}")
            lines.append("    " + " " * max(diag.position.col - 1, 0) + "^")
    if diag.hint:
        lines.append(f"    hint: {diag.hint}")
    return "\n".join(lines)


def render_json(diags: Diagnostics) -> str:
    out = []
    for d in diags:
        p = d.position
        out.append({
            "code": d.code, "severity": d.severity.value, "message": d.message, "hint": d.hint,
            "file": p.file if p else None, "line": p.line if p else None, "col": p.col if p else None,
        })
    return json.dumps(out, indent=2, ensure_ascii=False)


def _gh_escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def render_github(diag: Diagnostic) -> str:
    kind = {Severity.ERROR: "error", Severity.WARNING: "warning"}.get(diag.severity, "notice")
    props = []
    if diag.position:
        props.append(f"file={diag.position.file}")
        if diag.position.line:
            props.append(f"line={diag.position.line},col={diag.position.col}")
    props.append(f"title={diag.code}")
    text = diag.message + (f" (hint: {diag.hint})" if diag.hint else "")
    return f"::{kind} {','.join(props)}::{_gh_escape(text)}"


def relative(path: Path) -> str:
    """Paths in messages and headers: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(_resolved(os.getcwd())))
    except (ValueError, RuntimeError, OSError):  # RuntimeError: resolve() on a symlink loop
        return str(path)


@functools.lru_cache(maxsize=8)
def _resolved(folder: str) -> Path:
    """The working directory, resolved once per directory (relative() is called per spec file)."""
    return Path(folder).resolve()


class TargetError(Exception):
    """A problem only a target can see in what the user gave it (e.g. a team's custom dashboard
    jsonnet): `api.render_bundle` turns it into an error diagnostic instead of an internal error."""

    def __init__(self, code: str, message: str, hint: str = ""):
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint
