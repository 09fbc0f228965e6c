"""Find spec files under the given paths, in a stable order."""
from __future__ import annotations

import os
from pathlib import Path

from slogen.diagnostics import Diagnostics, Position, relative

SPEC_SUFFIXES = (".yaml", ".yml")


def discover(paths: list[Path], diags: Diagnostics) -> list[Path]:
    found: set[Path] = set()
    for root in paths:
        if root.is_file() or (root.exists() and not root.is_dir()):  # a FIFO or device: load refuses it
            found.add(root)
            continue
        if not root.is_dir():
            diags.error("input/not-found", f"no such file or folder: {root}", Position(relative(root)),
                        hint="pass the folder that holds your spec files, e.g. `slogen build specs/`")
            continue
        seen_dirs: set[tuple[int, int]] = set()
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            st = os.stat(dirpath)
            if (st.st_dev, st.st_ino) in seen_dirs:
                diags.error("input/symlink-loop", f"folder reached twice through links: {dirpath}",
                            Position(relative(Path(dirpath))), hint="remove the symbolic link that loops")
                dirnames[:] = []
                continue
            seen_dirs.add((st.st_dev, st.st_ino))
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in filenames:
                if name.endswith(SPEC_SUFFIXES) and not name.startswith("."):
                    found.add(Path(dirpath) / name)
    return sorted(found)
