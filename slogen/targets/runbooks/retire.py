"""After rendering: what happens to runbooks whose alert is gone. Nobody's notes are lost.

A previous runbook that is no longer generated (its alert was removed or renamed):
- without human notes below the marker, it is dropped: it held nothing slogen cannot rebuild;
- if it was renamed (a new runbook of the same service records the same identity: the same SLO,
  or the same threshold kind at the same position), its notes move into the new runbook;
- failing that, if exactly one runbook of the same service and kind of alert appeared while
  exactly one such runbook disappeared, that pair is taken for a rename too;
- otherwise it is kept under `runbooks/_retired/<service>/<Alert>.md`.
Each of these (except the silent drop) is a warning saying what happened and how to undo it.
Retired runbooks are part of the previous tree, so they stay retired on every rebuild until
someone deletes them (or empties their notes); if their alert comes back, the notes go back."""
from __future__ import annotations

import re

from slogen.diagnostics import Diagnostics
from slogen.targets.runbooks import sections
from slogen.targets.runbooks.templates import template_bottom

ROOT = "runbooks"
RETIRED = f"{ROOT}/_retired"
_RUNBOOK = re.compile(rf"^{ROOT}/(?!_retired/)[^/]+/[^/]+\.md$")


def _is_runbook(path: str) -> bool:
    return bool(_RUNBOOK.match(path))


def retired_path(path: str) -> str:
    return f"{RETIRED}/{path[len(ROOT) + 1:]}"


def _kind(ident: tuple[str, str] | None) -> tuple[str, str] | None:
    """(service, kind of alert) from an identity: `slo` or `threshold/<kind>`."""
    if ident is None:
        return None
    service, rest = ident
    return service, rest.split("/")[0] if rest.startswith("slo/") else rest.rsplit("/", 1)[0]


def carry_over(rendered: dict[str, bytes], previous: dict[str, bytes], diags: Diagnostics) -> dict[str, bytes]:
    """Files to add to (or replace in) `rendered`. Pure apart from the warnings it appends."""
    blank = template_bottom()
    out: dict[str, bytes] = {}
    new = {p for p in rendered if _is_runbook(p) and p not in previous}

    def notes(data: bytes) -> bytes | None:
        bottom = sections.bottom_of(data)
        return bottom if bottom is not None and sections.has_notes(bottom, blank) else None

    def move_notes(old_path: str, bottom: bytes, new_path: str) -> None:
        top = sections.split(rendered[new_path])[0]
        out[new_path] = top + sections.MARKER + bottom
        new.discard(new_path)

    # Only files rendered now: a file an incremental build keeps (writer.Overlay) is slogen's own
    # output, marker included.
    for path in sorted(p for p in getattr(rendered, "fresh", rendered) if _is_runbook(p) and p in previous):
        if sections.split(previous[path]) is None and notes(previous[path]) is not None:
            diags.warning("runbook/marker-missing", f"{path} had no `{sections.MARKER.decode()}` line; its whole "
                          "previous text is kept below a new marker", hint="tidy it up and commit")

    # Retired runbooks whose alert came back: their notes go home.
    for path in sorted(p for p in previous if p.startswith(RETIRED + "/")):
        bottom = notes(previous[path])
        if bottom is None:
            continue  # someone emptied the notes: let the file go
        home = f"{ROOT}/{path[len(RETIRED) + 1:]}"
        if home in new:
            move_notes(path, bottom, home)
            diags.warning("runbook/restored", f"alert of {path} is back; its notes moved to {home}")
        else:
            out[path] = previous[path]

    gone = {p for p in previous if _is_runbook(p) and p not in rendered}
    orphans = {p: notes(previous[p]) for p in sorted(gone)}
    orphans = {p: b for p, b in orphans.items() if b is not None}  # no notes: dropped silently

    # Renames, first by recorded identity, then by "the only one of its kind that changed".
    for match in (sections.identity, lambda data: _kind(sections.identity(data))):
        for old in sorted(orphans):
            key = match(previous[old])
            if key is None:
                continue
            same = sorted(p for p in new if match(rendered[p]) == key)
            rivals = [p for p in gone if match(previous[p]) == key]
            if len(same) == 1 and len(rivals) == 1:
                move_notes(old, orphans.pop(old), same[0])
                gone.discard(old)
                diags.warning("runbook/renamed", f"{old} is no longer generated; its notes were carried over to "
                              f"{same[0]}, taken to be the same alert renamed",
                              hint=f"if {same[0]} is a different alert, the notes below its marker came from "
                              f"{old}: edit or remove them there")

    for old, _bottom in sorted(orphans.items()):
        out[retired_path(old)] = sections.RETIRED_BANNER + previous[old]
        diags.warning("runbook/retired", f"{old} is no longer generated but holds notes; kept as "
                      f"{retired_path(old)}",
                      hint="if the alert was renamed, move the text below the keep-below marker into the new "
                      "runbook and delete the retired file; delete it when the notes are no longer useful")
    return out
