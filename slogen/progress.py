"""A progress bar for long builds (rich), on a terminal only: CI logs and pipes stay clean.

The library reports steps through a callback (done, total, label); the bar appears only once a
build has run for DELAY seconds and is erased at the end, so diagnostics that follow start on a
clean line."""
from __future__ import annotations

import time
from contextlib import contextmanager

DELAY = 0.5  # seconds: short builds never show a bar


@contextmanager
def bar(stream):
    if not (hasattr(stream, "isatty") and stream.isatty()):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    start = time.monotonic()
    shown = Progress(TextColumn("slogen:"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                     TimeElapsedColumn(), console=Console(file=stream), transient=True, auto_refresh=False)
    task = shown.add_task("", total=None)

    def progress(done: int, total: int, label: str) -> None:
        if time.monotonic() - start < DELAY and done < total:
            return
        if not shown.live.is_started:
            shown.start()
        shown.update(task, completed=done, total=total, description=label, refresh=True)

    try:
        yield progress
    finally:
        if shown.live.is_started:
            shown.stop()
