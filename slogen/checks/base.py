"""What a check is, and what it sees.

A check reads the validated specs (with the position of every value) and reports problems as
plain diagnostics with a stable code, the code's severity, and a hint that ends with the code's
documentation page (`docs/checks/<code>.md`). Codes are the user's contract: CI filters and
`# slogen: ignore[<code>]` comments name them, so a code is never renamed silently."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

from slogen.diagnostics import Diagnostics, Severity
from slogen.load import Source
from slogen.spec import Parsed
from slogen.spec.bundle import BundleSpec
from slogen.spec.service import ServiceSpec

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
DOCS = "docs/checks"


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    summary: str          # one line, for `slogen validate --list-checks`

    @property
    def doc(self) -> str:
        return f"{DOCS}/{self.code}.md"


CODES: dict[str, Code] = {}
RUNS: list[Callable[["Context"], None]] = []


def declare(code: str, severity: Severity, summary: str) -> Code:
    """A documented code. Codes reported outside a check run (the loader, the model) are declared too."""
    CODES[code] = Code(code, severity, summary)
    return CODES[code]


def check(fn: Callable[["Context"], None]) -> Callable[["Context"], None]:
    """Register a check: a function of the Context that reports through `ctx.report`."""
    RUNS.append(fn)
    return fn


def hint_for(code: str, hint: str = "") -> str:
    page = f"see {CODES[code].doc}" if code in CODES else ""
    return "; ".join(p for p in (hint, page) if p)


def report(diags: Diagnostics, code: str, message: str, position, hint: str = "") -> None:
    diags.add(CODES[code].severity, code, message, position, hint_for(code, hint))


@dataclass
class Context:
    """The specs of one run: every service document and the bundle settings document."""
    parsed: list[Parsed]
    diags: Diagnostics
    services: list[Parsed] = field(init=False)
    bundle: Parsed | None = field(init=False)

    def __post_init__(self):
        self.services = [p for p in self.parsed if isinstance(p.spec, ServiceSpec)]
        bundles = [p for p in self.parsed if isinstance(p.spec, BundleSpec)]
        self.bundle = bundles[0] if bundles else None

    def report(self, code: str, message: str, source: Source, path: tuple, hint: str = "", key: bool = False):
        report(self.diags, code, message, source.at(path, key=key), hint)

    def thresholds(self) -> Iterator[tuple[Parsed, tuple, object]]:
        """(service document, path of the threshold, its spec) for every threshold alert."""
        for p in self.services:
            for i, t in enumerate(p.spec.thresholds):
                yield p, ("thresholds", i), t

    def slos(self) -> Iterator[tuple[Parsed, tuple, object]]:
        for p in self.services:
            for i, s in enumerate(p.spec.slos):
                yield p, ("slos", i), s


def raw(source: Source, path: tuple):
    """The value as the user wrote it (e.g. the string `1GiB` before it became a number)."""
    node = source.data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node
