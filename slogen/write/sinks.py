"""Where rendered files go while a build runs, so that a fleet's bundle is never held in memory.

- `DiskSink` (slogen build): each file is written into a scratch folder next to out/ as soon as
  it is rendered, by whichever process rendered it (slogen.parallel), and the folder is swapped in
  at the end (`commit`, see slogen.write.tree). Only the SHA-256 of each file is kept in memory.
- `CompareSink` (slogen build --check): each file is compared with out/ as it is rendered; only
  the files out/ does not have yet are kept (the runbook step may read them).
- `MemorySink` (validate, library callers): every file's bytes, in memory.

All three are mappings path → bytes of what was rendered, and record `digests` (path → SHA-256).
A worker process renders into its inherited copy of the sink and sends `export()` back; the parent
`absorb`s it."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any, Iterator, Mapping

from slogen.files import content_digest
from slogen.write import tree


class Sink(Mapping[str, bytes]):
    def __init__(self) -> None:
        self.digests: dict[str, str] = {}

    def put(self, path: str, data: bytes) -> None:
        self.digests[path] = content_digest(data)
        self._store(path, data)

    def _store(self, path: str, data: bytes) -> None:
        raise NotImplementedError

    def export(self) -> Any:
        return self.digests

    def absorb(self, payload: Any) -> None:
        self.digests.update(payload)

    def __contains__(self, path: object) -> bool:
        return path in self.digests

    def __iter__(self) -> Iterator[str]:
        return iter(self.digests)

    def __len__(self) -> int:
        return len(self.digests)


class MemorySink(Sink):
    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, bytes] = {}

    def _store(self, path: str, data: bytes) -> None:
        self.files[path] = data

    def __getitem__(self, path: str) -> bytes:
        return self.files[path]

    def export(self) -> Any:
        return self.digests, self.files

    def absorb(self, payload: Any) -> None:
        self.digests.update(payload[0])
        self.files.update(payload[1])


class CompareSink(Sink):
    """Compares with `existing` (out/ as a tree.Tree) as files arrive."""

    def __init__(self, existing: Mapping[str, bytes]) -> None:
        super().__init__()
        self.existing = existing
        self.changed: set[str] = set()
        self.added: dict[str, bytes] = {}

    def _store(self, path: str, data: bytes) -> None:
        self.changed.discard(path)
        self.added.pop(path, None)
        if path not in self.existing:
            self.added[path] = data
        elif self.existing[path] != data:
            self.changed.add(path)

    def __getitem__(self, path: str) -> bytes:
        if path in self.added:
            return self.added[path]
        if path in self.digests and path not in self.changed:
            return self.existing[path]
        raise KeyError(f"{path}: rendered, but not kept by --check")

    def export(self) -> Any:
        return self.digests, self.changed, self.added

    def absorb(self, payload: Any) -> None:
        digests, changed, added = payload
        self.digests.update(digests)
        self.changed |= changed
        self.added.update(added)

    def result(self) -> tree.CheckResult:
        return tree.CheckResult(changed=sorted(self.changed), added=sorted(self.added),
                                  removed=sorted(p for p in self.existing if p not in self.digests))


class DiskSink(Sink):
    """A scratch folder next to out/, named after this process, swapped in by `commit`."""

    def __init__(self, out_dir: Path) -> None:
        super().__init__()
        self.out_dir = out_dir.absolute()
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.root = tree.scratch(self.out_dir, "new")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir()
        self._base = str(self.root) + "/"
        self._made: set[str] = set()
        self._remover: threading.Thread | None = None

    def _store(self, path: str, data: bytes) -> None:
        folder = path.rpartition("/")[0]
        if folder:
            tree.make_folders(self._base, folder, self._made)  # never the root: a removed scratch stays gone
        with open(self._base + path, "wb") as fh:
            fh.write(data)

    def __getitem__(self, path: str) -> bytes:
        if path not in self.digests:
            raise KeyError(path)
        with open(self._base + path, "rb") as fh:
            return fh.read()

    def commit(self, keep: Mapping[str, list[int]] | None = None, lock_wait: float = 30.0) -> dict[str, list[int]]:
        """Swap the tree in; path → identity of every file of the new out/ (tree.swap_in). The
        previous tree (now at the scratch path) is removed by a thread while the build records its
        cache; `abort` waits for it."""
        identities = tree.swap_in(self.out_dir, self.root, keep or {}, set(self.digests), lock_wait)
        self._remover = threading.Thread(target=shutil.rmtree, args=(self.root,), kwargs={"ignore_errors": True})
        self._remover.start()
        return identities

    def abort(self) -> None:
        if self._remover is not None:
            self._remover.join()
        shutil.rmtree(self.root, ignore_errors=True)


def write_tree(out_dir: Path, rendered: Mapping[str, bytes], lock_wait: float = 30.0,
               keep: Mapping[str, list[int]] | None = None) -> None:
    """Replace out_dir with `rendered` plus the files `keep` names (see tree.swap_in)."""
    sink = DiskSink(out_dir)
    try:
        for rel in sorted(rendered):
            sink.put(rel, rendered[rel])
        sink.commit(keep, lock_wait)
    finally:
        sink.abort()  # nothing left once committed


def for_build(check: bool, out_dir: Path, existing: Mapping[str, bytes]) -> Sink:
    return CompareSink(existing) if check else DiskSink(out_dir)


def discard(sink: Sink) -> None:
    if isinstance(sink, DiskSink):
        sink.abort()
