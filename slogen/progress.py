"""A progress bar for long builds, on a terminal only (CI logs and pipes stay clean).

The library reports steps through a callback; this draws them on one stderr line and erases it
at the end, so diagnostics that follow start on a clean line."""
from __future__ import annotations

import time
from contextlib import contextmanager

DELAY = 0.5  # seconds: short builds never show a bar


@contextmanager
def bar(stream, width: int = 24):
    if not (hasattr(stream, "isatty") and stream.isatty()):
        yield None
        return
    start, drawn = time.monotonic(), [False]

    def progress(done: int, total: int, label: str) -> None:
        if time.monotonic() - start < DELAY and done < total:
            return
        filled = width * done // max(total, 1)
        stream.write(f"\r\x1b[2Kslogen: [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label}")
        stream.flush()
        drawn[0] = True

    try:
        yield progress
    finally:
        if drawn[0]:
            stream.write("\r\x1b[2K")
            stream.flush()
