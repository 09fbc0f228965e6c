"""`# slogen: ignore[<code>] because <reason>`: silence one check at one place.

The comment goes at the end of the offending value's line, or alone on the line above it. It
names one or more codes (comma-separated) and must give a reason: the silence is reported
(severity info) so a reviewer sees it, and a silence without a reason, for an unknown code or
that silences nothing is itself a problem."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from slogen.checks.base import CODES, ERROR, INFO, WARNING, declare, report
from slogen.diagnostics import Diagnostic, Diagnostics, Position, Severity

declare("checks/silenced", INFO, "a check silenced by a `# slogen: ignore[...]` comment, with its reason")
declare("checks/ignore-reason", WARNING, "a `# slogen: ignore[...]` comment without a reason: it silences nothing")
declare("checks/ignore-unknown", WARNING, "a `# slogen: ignore[...]` comment naming a code that does not exist")
declare("checks/ignore-unused", WARNING, "a `# slogen: ignore[...]` comment with nothing to silence at its place")

_COMMENT = re.compile(r"#\s*slogen:\s*ignore\[([^\]]*)\]\s*(.*)$")
_REASON = re.compile(r"^(?:because\b|[:\-—–])\s*", re.IGNORECASE)


@dataclass
class Silence:
    position: Position        # of the comment
    target: int               # the line it silences
    codes: list[str]
    reason: str
    used: set[str] = field(default_factory=set)


def collect(texts: dict[str, str]) -> list[Silence]:
    """Every ignore comment in the given files (file name as reported → its text)."""
    out = []
    for file, text in texts.items():
        if "slogen:" not in text:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            m = _COMMENT.search(line)
            if m is None:
                continue
            alone = not line[:m.start()].strip()
            codes = [c.strip() for c in m.group(1).split(",") if c.strip()]
            reason = _REASON.sub("", m.group(2).strip()).strip()
            out.append(Silence(Position(file, number, m.start() + 1), number + 1 if alone else number, codes, reason))
    return out


def silenceable(code: str) -> bool:
    return code in CODES and not code.startswith("checks/")


def apply(silences: list[Silence], diags: Diagnostics) -> None:
    """Turn each silenced diagnostic into an info that says so, with the reason."""
    if not silences:
        return
    at: dict[tuple[str, int], list[Silence]] = {}
    for s in silences:
        if s.reason:
            at.setdefault((s.position.file, s.target), []).append(s)
    items = []
    for d in diags.items:
        found = None
        if d.position and d.severity is not Severity.INFO and silenceable(d.code):
            found = next((s for s in at.get((d.position.file, d.position.line), ()) if d.code in s.codes), None)
        if found is None:
            items.append(d)
            continue
        found.used.add(d.code)
        items.append(Diagnostic("checks/silenced", INFO, f"{d.severity.value}[{d.code}] silenced: {found.reason} "
                                f"(was: {d.message})", d.position, ""))
    diags.items = items


def finish(silences: list[Silence], diags: Diagnostics) -> None:
    """Report the silences that are problems themselves."""
    complete = not any(d.severity is ERROR for d in diags.items)
    for s in silences:
        if not s.reason:
            report(diags, "checks/ignore-reason", "this ignore comment gives no reason, so it silences nothing",
                   s.position, hint="write `# slogen: ignore[<code>] because <why this is right here>`")
            continue
        for code in s.codes:
            if not silenceable(code):
                report(diags, "checks/ignore-unknown", f"`{code}` is not a check code", s.position,
                       hint="`slogen validate --list-checks` prints every code")
            elif complete and code not in s.used:
                report(diags, "checks/ignore-unused", f"nothing reports `{code}` on line {s.target}: this ignore "
                       "comment silences nothing", s.position, hint="remove it, or move it to the line it is about")
