"""The validated model of the specs, kept between `slogen status` runs (a cron job, a CI gate that
runs it every few minutes): reading and checking 1,000 service specs costs seconds, the same each
time while the specs do not change.

The key is the bytes of every spec file (with its name), the time scale, the dashboards folder
and slogen's own code (every file of the package) with the Python and pydantic versions: any
change to any of them is a miss, and a miss is the full load with every check. Only a load
without errors is kept, with its diagnostics (warnings are replayed on a hit), so a wrong spec is
refused every time, exactly as without the cache.

The entries are pickles in the user's own cache folder (`$SLOGEN_CACHE_DIR`, else
`$XDG_CACHE_HOME/slogen`, else `~/.cache/slogen`), created private (0700); a few are kept. An
entry that cannot be read (another version, a partial write) is a miss. `--no-cache` skips it.
The model is plain frozen values (tests/core/test_model.py), so it pickles as it is."""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from slogen.diagnostics import Diagnostic
from slogen.model import Bundle

PREFIX = "status-model-"
KEEP = 4  # entries: a few spec trees (or time scales) used side by side


def folder() -> Path:
    if os.environ.get("SLOGEN_CACHE_DIR"):
        return Path(os.environ["SLOGEN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "slogen"


def key(files: list[Path], time_scale: float, dashboards: str | None) -> str:
    import pydantic

    from slogen.write.record import code_digest

    h = hashlib.sha256(f"{code_digest()}\0{sys.version}\0{pydantic.VERSION}\0{time_scale!r}\0{dashboards}\0".encode())
    for path in files:
        h.update(f"{path}\0".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def read(digest: str) -> tuple[Bundle, list[Diagnostic]] | None:
    try:
        with open(folder() / f"{PREFIX}{digest}.pickle", "rb") as f:
            bundle, items = pickle.load(f)
    except Exception:  # none yet, a partial write, another version's classes: load the specs instead
        return None
    return (bundle, items) if isinstance(bundle, Bundle) else None


def write(digest: str, bundle: Bundle, items: list[Diagnostic]) -> None:
    """Best effort: a cache that cannot be written only costs the next run its load."""
    try:
        where = folder()
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        data = pickle.dumps((bundle, items), protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(prefix=PREFIX, suffix=".tmp", dir=where)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, where / f"{PREFIX}{digest}.pickle")
        except BaseException:
            os.unlink(tmp)  # a full disk must not leave a half entry behind on every run
            raise
        entries = sorted(where.glob(f"{PREFIX}*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except Exception:
        return

