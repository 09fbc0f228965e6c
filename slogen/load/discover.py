"""Find a build's inputs: the spec files under the given paths (in a stable order) and the team's
dashboards folder."""
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


def dashboards_folder(spec_paths: list[Path], explicit: Path | None, diags: Diagnostics) -> str | None:
    """The team's dashboards folder (see slogen.targets.grafana): `--dashboards`, else
    `dashboards/` inside or next to the first specs folder. None when there is none."""
    if explicit is not None:
        if not explicit.is_dir():
            diags.error("grafana/dashboards-missing", f"--dashboards {explicit}: no such folder")
            return None
        return str(explicit.resolve())
    for p in spec_paths[:1]:
        folder = p if p.is_dir() else p.parent
        for candidate in (folder / "dashboards", folder.resolve().parent / "dashboards"):
            if candidate.is_dir():
                return str(candidate.resolve())
    return None
