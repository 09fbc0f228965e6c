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

import fcntl
import os
import shutil
import threading
from pathlib import Path
from typing import Any, Iterator, Mapping

from slogen.files import content_digest
from slogen.write import record, tree


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
    """A scratch folder next to out/, named after this process, swapped in by `commit`.

    With `reuse` (a path beside out/, in slogen's cache folder): the tree the previous build
    swapped out is kept there, and the next build assembles its tree in it, so an incremental
    build links, writes and removes only what changed (tree.swap_in). Only one build uses it at a
    time (a lock on it; a second build uses a scratch folder as without it)."""

    def __init__(self, out_dir: Path, reuse: Path | None = None) -> None:
        super().__init__()
        self.out_dir = out_dir.absolute()
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.reuse = reuse if reuse is not None and _beside(reuse, self.out_dir) else None
        self._held = _hold(self.reuse) if self.reuse is not None else -1
        self.reused = self._held >= 0
        self.root = reuse if self.reused else tree.scratch(self.out_dir, "new")
        if not self.reused:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root.mkdir()
        self._base = str(self.root) + "/"
        self._made: set[str] = set()
        self._background_work: list[threading.Thread] = []
        self._mirror, self._mirror_made = self._start_mirror(), set()

    def _start_mirror(self) -> str | None:
        """A build with no out/ before it (a clean build) also links every file it writes into
        `reuse`, by whichever process writes it: the next build's tree, made while rendering on
        every core instead of after the swap."""
        if self.reuse is None or self.reused or self.out_dir.exists():
            return None
        try:
            self.reuse.mkdir()  # in the cache folder _beside made
        except OSError:
            return None  # one is there (another build's): not needed
        self._held = _hold(self.reuse)
        return str(self.reuse) + "/" if self._held >= 0 else None

    def _store(self, path: str, data: bytes) -> None:
        folder = path.rpartition("/")[0]
        if not self.reused:
            if folder:
                tree.make_folders(self._base, folder, self._made)  # never the root: a removed scratch stays gone
            _write(self._base + path, data, os.O_TRUNC)  # a file written twice stays one file: the link holds
            if self._mirror is not None:
                if folder:
                    tree.make_folders(self._mirror, folder, self._mirror_made)
                try:
                    os.link(self._base + path, self._mirror + path)
                except FileExistsError:
                    pass  # written before, by this build: the same file
            return
        try:
            if folder:
                tree.make_folders(self._base, folder, self._made)
            _unlink(self._base + path)  # never write through a link to the file out/ still shows
        except OSError:  # something of the previous tree in the way: a file where a folder must be...
            _clear_way(self._base, path)
        _write(self._base + path, data, os.O_EXCL)  # a new file, or an error

    def __getitem__(self, path: str) -> bytes:
        if path not in self.digests:
            raise KeyError(path)
        with open(self._base + path, "rb") as fh:
            return fh.read()

    def commit(self, keep: Mapping[str, list[int]] | None = None, lock_wait: float = 30.0,
               surveyed: tuple[dict[str, list[int]], set[str]] | None = None) -> dict[str, list[int]]:
        """Swap the tree in; path → identity of every file of the new out/ (tree.swap_in). With
        `reuse`, the tree swapped out is kept there for the next build when it shares most files
        with the new one; otherwise it is removed, and a tree of links to the new out/ is made
        there instead, by threads while the build records its cache (`abort` waits for them)."""
        identities = tree.swap_in(self.out_dir, self.root, keep or {}, set(self.digests), lock_wait, self.reused,
                                  surveyed)
        previous = self.root if self.root.is_dir() else None  # the tree swapped out; None: no out/ before
        if previous is not None and len(keep or {}) >= len(self.digests):  # it shares most files with out/
            if self.reused or self._keep_previous():
                self.root = None  # it waits there for the next build
                return identities
        if previous is not None:  # it shares little with the new out/: removed, and links made instead
            if self.reused:
                previous = tree.scratch(self.out_dir, "old")
                os.rename(self.root, previous)  # frees the path for the tree of links
            self._background(shutil.rmtree, previous, ignore_errors=True)
        self.root = None
        if self._mirror is not None:
            self._mirror = None  # made while rendering: links to every file of the new out/
        elif self.reuse is not None:
            self._background(prepare_previous, self.out_dir, self.reuse, sorted(identities))
        return identities

    def _background(self, fn, *args, **kwargs) -> None:
        """Run fn in a thread (file system calls: they release the GIL); `abort` waits for it."""
        thread = threading.Thread(target=fn, args=args, kwargs=kwargs)
        thread.start()
        self._background_work.append(thread)

    def _keep_previous(self) -> bool:
        """Move the tree just swapped out to `reuse`, if there is none there."""
        if self.reuse is None:
            return False
        try:
            os.rename(self.root, self.reuse)  # fails if another build left one meanwhile
            return True
        except OSError:
            return False

    def abort(self) -> None:
        for thread in self._background_work:
            thread.join()
        if self.root is not None and not self.reused:  # not swapped in
            shutil.rmtree(self.root, ignore_errors=True)
        if self._mirror is not None:  # nor was the bundle it mirrors
            shutil.rmtree(self.reuse, ignore_errors=True)
            self._mirror = None
        if self._held >= 0:
            os.close(self._held)  # and its lock
            self._held = -1


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


def for_build(check: bool, out_dir: Path, existing: Mapping[str, bytes], reuse: Path | None = None) -> Sink:
    return CompareSink(existing) if check else DiskSink(out_dir, reuse)


def _beside(reuse: Path, out_dir: Path) -> bool:
    """Whether `reuse` can hold the next build's tree: on out/'s file system (hard links, and the
    atomic swap, work only there; a cache folder may be a link to elsewhere). Makes the folder."""
    try:
        record.cache_folder(reuse.parent)
        return os.stat(reuse.parent).st_dev == os.stat(out_dir.parent).st_dev
    except OSError:
        return False


def prepare_previous(out_dir: Path, reuse: Path, paths: list[str]) -> None:
    """A tree for the next build to assemble its own in (DiskSink's `reuse`), where there is none:
    hard links to the files `paths` of out_dir (the next build checks each one anyway)."""
    if not _beside(reuse, out_dir.absolute()):
        return
    try:
        reuse.mkdir()
    except OSError:
        return  # one is there already (another build's), or no room for it: not needed
    held = _hold(reuse)
    if held < 0:
        return
    try:
        tree.link_all(str(out_dir.absolute()) + "/", str(reuse) + "/", paths)
    except OSError:
        pass  # a partial tree is as good: the next build links what is missing
    finally:
        os.close(held)


def _hold(folder: Path) -> int:
    """A descriptor of `folder` holding an exclusive lock on it; -1 if it is not a folder or
    another build holds it."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return -1
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return -1
    return fd


def _write(path: str, data: bytes, mode: int) -> None:
    """open, write, close: what open(path, "wb") does without the buffered file object's checks
    (fstat, isatty, lseek): half the system calls, for the 14,000 files of a 1,000-service bundle."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | mode, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _clear_way(base: str, path: str) -> None:
    """In a reused tree: no file where a folder of `path` must be, those folders made, and
    nothing at `path` itself."""
    parts = path.split("/")
    for i in range(1, len(parts)):
        prefix = base + "/".join(parts[:i])
        if os.path.lexists(prefix) and not os.path.isdir(prefix):
            os.unlink(prefix)
    if len(parts) > 1:
        os.makedirs(base + "/".join(parts[:-1]), exist_ok=True)
    if os.path.isdir(base + path) and not os.path.islink(base + path):
        shutil.rmtree(base + path)
    else:
        _unlink(base + path)


def discard(sink: Sink) -> None:
    if isinstance(sink, DiskSink):
        sink.abort()
