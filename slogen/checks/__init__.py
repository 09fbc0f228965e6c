"""Semantic checks: a spec that validates can still page wrongly (a level in the wrong unit, a
warning beyond the critical level, an `up` selector that matches every team...). Each check
reports under a stable code documented in `docs/checks/<code>.md`; `validate` and `build` run the
same checks. Adding a check: a function decorated with `@check` in one of these modules (or a new
module listed below), its code `declare`d, and its page in docs/checks/."""
from __future__ import annotations

from slogen.checks import bundle, labels, levels, live, lost, routing, selectors, silences, units, windows  # noqa: F401
from slogen.checks.base import CODES, RUNS, Code, Context, report
from slogen.diagnostics import Diagnostics
from slogen.spec import Parsed

__all__ = ["CODES", "Code", "run", "listing", "report"]


def run(parsed: list[Parsed], diags: Diagnostics) -> None:
    """Every check over the specs of one run (the documents that validated)."""
    ctx = Context(parsed, diags)
    for fn in RUNS:
        fn(ctx)


def listing() -> str:
    """`slogen validate --list-checks`: code, severity, one line."""
    width = max(len(c) for c in CODES)
    return "\n".join(f"{c.code:<{width}}  {c.severity.value:<7}  {c.summary}" for c in sorted(CODES.values(),
                                                                                        key=lambda c: c.code)) + "\n"
