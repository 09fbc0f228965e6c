"""A runbook file is a generated top, the keep-below marker line, and a human bottom.

Everything after the marker line belongs to people: it is carried over byte for byte (line endings,
trailing spaces, a missing final newline) on every rebuild. Only the top is regenerated."""
from __future__ import annotations

import re

from slogen.files import NOTES_MARKER as MARKER
# On its own line at the start of a generated top; read back to recognise a renamed alert.
_IDENTITY = re.compile(rb"^<!-- slogen: runbook service=(\S+) identity=(\S+) -->$", re.M)
RETIRED_BANNER = (b"<!-- slogen: retired runbook. Its alert is no longer in the specs; slogen keeps this file "
                  b"for the notes below the keep-below marker until you delete it. -->\n")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def identity_line(service: str, identity: str) -> str:
    return f"<!-- slogen: runbook service={service} identity={identity} -->"


def identity(data: bytes) -> tuple[str, str] | None:
    """(service, identity) recorded in a runbook's generated top, if any."""
    parts = split(data)
    m = _IDENTITY.search(parts[0] if parts is not None else data)
    return (m.group(1).decode(), m.group(2).decode()) if m else None


def split(data: bytes) -> tuple[bytes, bytes] | None:
    """(top, bottom) around the first marker that is a whole line; bottom starts right after the
    marker's own text, so it keeps the marker line's ending. None if there is no marker."""
    start = 0
    while True:
        i = data.find(MARKER, start)
        if i < 0:
            return None
        end = i + len(MARKER)
        at_line_start = i == 0 or data[i - 1:i] == b"\n"
        at_line_end = end == len(data) or data[end:end + 1] in (b"\n", b"\r")
        if at_line_start and at_line_end:
            return data[:i], data[end:]
        start = end


def bottom_of(previous: bytes | None) -> bytes | None:
    """The human part of a previous runbook. A file whose marker was deleted keeps its whole
    text as the human part: nothing people wrote is dropped, they can tidy it up."""
    if previous is None:
        return None
    parts = split(previous)
    return parts[1] if parts is not None else b"\n\n" + previous


def join(top: str, bottom: bytes) -> bytes:
    return top.encode() + MARKER + bottom


def has_notes(bottom: bytes, template_bottom: bytes) -> bool:
    """Whether people wrote anything below the marker: text other than comments and the headings
    of the template's own human section."""
    template_lines = {line.strip() for line in _COMMENT.sub("", template_bottom.decode()).splitlines()}
    text = _COMMENT.sub("", bottom.decode("utf-8", "replace"))
    return any(line.strip() and line.strip() not in template_lines for line in text.splitlines())
