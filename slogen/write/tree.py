"""The output folder on disk: read it as a mapping, and replace the whole folder in one atomic step.

The new tree is built in a sibling scratch folder (named after the building process) and swapped
in with renameat2(RENAME_EXCHANGE), so a crash or kill at any moment leaves either the previous
bundle or the new one, never a mix. A lock on the parent folder serialises the swaps of concurrent
builds into the same place; a scratch folder whose process is gone is removed by the next swap.
Files are not fsynced one by one (that would dominate large builds); the swap protects against
crashes and kills, not against power loss in the same second.

A build may assemble the new tree in the previous build's leftover tree instead of an empty folder
(`swap_in(..., reused=True)`, see slogen.write.sinks): after a swap, that tree is the bundle before,
its unchanged files hard links to the same files as out/. Then only what changed is linked,
unlinked or written, and no folder is made or removed. Its files are never written through (a
file is unlinked before it is written, so out/'s file behind a shared link is untouched), and
what it holds is never trusted: every path is a file this build wrote, or the very file of out/
it keeps (same inode, identity checked), or is removed."""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Mapping

class Tree(Mapping[str, bytes]):
    """The files under a folder as a read-only mapping path → bytes; a file is read when asked
    for, and not kept (`--check` of a large bundle reads each once). Paths use forward slashes."""

    def __init__(self, root: Path, paths: Iterable[str] | None = None):
        """`paths`: the files under root, if they were just listed (in any order)."""
        self.root = root
        self._paths: list[str] = []
        if paths is not None:
            self._paths = sorted(paths, key=_walk_order)
        elif root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames.sort()
                rel = os.path.relpath(dirpath, root).replace(os.sep, "/")
                prefix = "" if rel == "." else rel + "/"
                self._paths.extend(prefix + name for name in sorted(filenames))
        self._set = set(self._paths)

    def __getitem__(self, path: str) -> bytes:
        if path not in self._set:
            raise KeyError(path)
        with open(os.path.join(self.root, path), "rb") as fh:
            return fh.read()

    def __contains__(self, path: object) -> bool:
        return path in self._set

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def _walk_order(path: str) -> tuple[tuple[str, ...], str]:
    """The order os.walk with sorted names gives: a folder's files, then each sub-folder's."""
    folder, _, name = path.rpartition("/")
    return (tuple(folder.split("/")) if folder else (), name)


def read_tree(root: Path) -> dict[str, bytes]:
    tree = Tree(root)
    return {p: tree[p] for p in tree}


class Overlay(Mapping[str, bytes]):
    """The new bundle while it is being assembled: the files rendered now, plus the paths kept
    as they are in the previous tree (read from it when asked for)."""

    def __init__(self, fresh: dict[str, bytes], kept: Iterable[str], previous: Mapping[str, bytes]):
        self.fresh, self.previous = fresh, previous
        self.kept = set(kept) - fresh.keys()

    def __getitem__(self, path: str) -> bytes:
        if path in self.fresh:
            return self.fresh[path]
        if path in self.kept:
            return self.previous[path]
        raise KeyError(path)

    def __contains__(self, path: object) -> bool:
        return path in self.fresh or path in self.kept

    def __iter__(self) -> Iterator[str]:
        yield from self.fresh
        yield from (p for p in self.kept)

    def __len__(self) -> int:
        return len(self.fresh) + len(self.kept)


@dataclass
class CheckResult:
    changed: list[str]
    added: list[str]
    removed: list[str]

    @property
    def stale(self) -> bool:
        return bool(self.changed or self.added or self.removed)


class Busy(RuntimeError):
    pass


class _Lock:
    """flock on the parent folder: no lock file to commit or clean up."""

    def __init__(self, folder: Path, wait_seconds: float):
        self.folder, self.wait = folder, wait_seconds
        self.fd = -1

    def __enter__(self):
        self.fd = os.open(self.folder, os.O_RDONLY)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(self.fd)
                    raise Busy(f"another slogen build is writing into {self.folder}") from None
                time.sleep(0.05)

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2). False where the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    if not hasattr(libc, "renameat2"):
        return False
    rc = libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc != 0:
        err = ctypes.get_errno()
        if err in (errno.ENOSYS, errno.EINVAL):
            return False
        raise OSError(err, os.strerror(err), str(a))
    return True


def scratch(out_dir: Path, tag: str) -> Path:
    return out_dir.parent / f".{out_dir.name}.slogen-{tag}-{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_dead_scratch(out_dir: Path) -> None:
    """Remove what builds that died left beside out_dir, if no other build is swapping now.

    Every build calls this, not only the ones that swap a tree in: a build killed after its swap
    and its cache record, while it was still removing the previous tree, leaves that tree behind,
    and the next build of the same specs is a cache hit that never swaps."""
    if not out_dir.parent.is_dir():
        return
    try:
        with _Lock(out_dir.parent, 0):
            _clean_scratch(out_dir)
    except (Busy, OSError):
        pass  # another build holds the lock: its swap cleans up


def _clean_scratch(out_dir: Path) -> None:
    """Scratch folders of builds that died (killed, crashed); this build's and running ones' stay."""
    for p in out_dir.parent.glob(f".{out_dir.name}.slogen-*"):
        pid = p.name.rpartition("-")[2]
        if pid.isdigit() and (int(pid) == os.getpid() or _alive(int(pid))):
            continue
        shutil.rmtree(p, ignore_errors=True)


def make_folders(base: str, folder: str, made: set[str]) -> None:
    """mkdir -p of `folder` under `base`, which must exist (it is not recreated); `made` holds the
    folders made so far (each mkdir costs, even a failing one)."""
    if folder in made:
        return
    parent = folder.rpartition("/")[0]
    if parent:
        make_folders(base, parent, made)
    try:
        os.mkdir(base + folder)
    except FileExistsError:
        pass
    made.add(folder)


def _keep(src: str, dst: str, want: list[int]) -> list[int]:
    """Take the file `src` into the new tree as `dst`, if it is still the file whose identity is
    `want` (else Moved); its identity in the new tree."""
    try:
        os.link(src, dst)
    except OSError:  # a file system without hard links: a copy, of the file as it was
        if identity(src) != want:
            raise Moved(f"{src} changed during the build") from None
        shutil.copyfile(src, dst)
        return identity(dst)
    # a hard link shares the file's identity: the link is the file the build meant to keep, or it
    # changed after out/ was read, and then nothing is swapped in
    if identity(dst) != want:
        raise Moved(f"{src} changed during the build")
    return want


class Moved(RuntimeError):
    """A file an incremental build meant to keep changed meanwhile (another build, an editor)."""


def identity(path: Path | str) -> list[int] | None:
    """What tells a file apart without reading it: [size, mtime_ns, inode]."""
    try:
        return stat_identity(os.lstat(path))
    except OSError:
        return None


def stat_identity(st: os.stat_result) -> list[int]:
    """identity() of a file already stat'ed (e.g. by os.scandir)."""
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def survey(root: Path | str, skip: type[OSError] | tuple[type[OSError], ...] = (FileNotFoundError, NotADirectoryError)
           ) -> tuple[dict[str, list[int]], set[str]]:
    """Every file under `root` (path → identity(), an lstat each) and every folder; paths
    relative, with forward slashes. What cannot be read with an error of `skip` is left out. By
    default that is only what vanishes meanwhile: a build surveys the tree it reuses in a forked
    child while it renders into it (slogen.api), and the render removes only files it then writes
    again, and what stood in their way; anything else unreadable there is an error. (The stat
    cache's walk of out/ skips every OSError: slogen.write.record.)"""
    files: dict[str, list[int]] = {}
    folders: set[str] = set()
    pending = [(str(root), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except skip:
            continue
        for entry in entries:
            rel = prefix + entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.add(rel)
                    pending.append((entry.path, rel + "/"))
                else:
                    files[rel] = stat_identity(entry.stat(follow_symlinks=False))
            except skip:
                continue
    return files, folders


def _refresh(base: str, src: str, keep: Mapping[str, list[int]], kept: list[str], written: set[str],
             surveyed: tuple[dict[str, list[int]], set[str]] | None) -> dict[str, list[int]]:
    """Make the reused tree under `base` hold exactly the files `written` (already there) and
    `kept` (taken from `src`, the current out/); their identities. `surveyed`: survey() of it,
    taken while the build rendered (what the render wrote is in `written` either way)."""
    present, folders = surveyed if surveyed is not None else survey(base)
    wanted = written | set(kept)
    needed = {rel.rpartition("/")[0] for rel in wanted} - {""}
    needed |= {parent for folder in needed for parent in _parents(folder)}
    # What the render wrote after the survey may have cleared its way (a file where a folder of it
    # must be: sinks.DiskSink), so a stale entry may be gone, or be a needed folder now.
    for rel in present.keys() - wanted:
        try:
            os.unlink(base + rel)
        except FileNotFoundError:
            pass
        except IsADirectoryError:
            if rel not in needed:
                shutil.rmtree(base + rel)
    for folder in sorted(folders - needed, key=len, reverse=True):
        try:
            os.rmdir(base + folder)  # deepest first: each is empty once its files and sub-folders are gone
        except (FileNotFoundError, NotADirectoryError):
            pass
    made = folders & needed
    identities = {rel: identity(base + rel) for rel in written}
    for rel in kept:
        want, have = keep[rel], present.get(rel)
        if have is not None and have[2] == want[2]:  # already the very file out/ keeps: still as it was?
            if have != want:
                raise Moved(f"{src}{rel} changed during the build")
            identities[rel] = want
            continue
        if rel in present:
            os.unlink(base + rel)
        folder = rel.rpartition("/")[0]
        if folder:
            make_folders(base, folder, made)
        identities[rel] = _keep(src + rel, base + rel, want)
    return identities


def link_all(src: str, dst: str, paths: list[str]) -> None:
    """Hard links under `dst` to the files `paths` under `src` (both ending with a slash)."""
    made: set[str] = set()
    for rel in paths:
        folder = rel.rpartition("/")[0]
        if folder:
            make_folders(dst, folder, made)
        os.link(src + rel, dst + rel)


def _parents(folder: str) -> Iterator[str]:
    while "/" in folder:
        folder = folder.rpartition("/")[0]
        yield folder


def swap_in(out_dir: Path, new: Path, keep: Mapping[str, list[int]], written: set[str],
            lock_wait: float, reused: bool = False,
            surveyed: tuple[dict[str, list[int]], set[str]] | None = None) -> dict[str, list[int]]:
    """Make the scratch tree `new` the output folder, in one atomic step. First the files `keep`
    names (path → identity()) are taken from the current out_dir as they are: hard links, so an
    incremental build writes only what changed. Raises Moved, and changes nothing, if one of them
    is not that file any more. Afterwards `new` holds the previous tree, for the caller to remove.
    Returns path → identity of every file of the new out_dir (what the stat cache records).
    `reused`: `new` is a previous tree holding other files too (see the module's docstring),
    `surveyed` what it held while the build rendered (survey())."""
    with _Lock(out_dir.parent, lock_wait):
        _clean_scratch(out_dir)
        kept = sorted(p for p in keep if p not in written)
        base, src = str(new) + "/", str(out_dir) + "/"
        if reused:
            identities = _refresh(base, src, keep, kept, written, surveyed)
        else:
            made: set[str] = set()
            for folder in sorted({rel.rpartition("/")[0] for rel in kept} - {""}):
                make_folders(base, folder, made)
            identities = {rel: identity(base + rel) for rel in written}
            for rel in kept:
                identities[rel] = _keep(src + rel, base + rel, keep[rel])
        if not out_dir.exists():
            os.rename(new, out_dir)
        elif not _exchange(new, out_dir):  # pragma: no cover - non-Linux: two renames, recovered on the next run
            old = scratch(out_dir, "old")
            os.rename(out_dir, old)
            os.rename(new, out_dir)
            os.rename(old, new)
        # `new` now holds the previous tree (if any): the caller removes it, outside the lock
    return identities
