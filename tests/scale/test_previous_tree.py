"""The tree a build swaps out is kept in slogen's cache folder, and the next build assembles its
tree in it (slogen.write.sinks.DiskSink, tree.swap_in): out/ is still never written to before the
swap, what the kept tree holds is never trusted, and the result is what a full build makes."""
from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

from slogen import api, write as writer
from slogen.write import record, tree

from tests.scale.test_incremental import (N, _service, build_and_compare, fleet, fleetgen,  # noqa: F401 (fixtures)
                                          small_fork_threshold)


def _previous(specs: Path) -> Path:
    return record.previous_tree(specs.parent / "out")


def _folders(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_dir()}


def test_a_build_leaves_a_tree_of_links_to_out_in_the_ignored_cache_folder(fleet):
    out, previous = fleet.parent / "out", _previous(fleet)
    assert writer.read_tree(previous) == writer.read_tree(out)
    assert all((previous / p).stat().st_ino == (out / p).stat().st_ino for p in writer.Tree(out))
    cache = previous.parent
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (cache / "CACHEDIR.TAG").read_bytes().startswith(b"Signature: 8a477f597d28d172789f06886806bc55")
    assert not any(fleet.parent.glob(".out.slogen-*"))


def test_out_is_not_touched_before_the_swap(fleet, monkeypatch):
    """The reused tree shares files with out/ (hard links): writing a changed file must replace
    the link, never write into the file out/ still shows."""
    out = fleet.parent / "out"
    for revision in (1, 2):  # the second build reuses the tree the first one swapped out
        _service(fleet, 3).write_text(fleetgen.service_yaml(3, revision=revision))
        before = writer.read_tree(out)
        exchange, seen = tree._exchange, []

        def checked(a, b):
            if Path(b) == out.absolute():  # not the reference build's
                seen.append(writer.read_tree(out) == before)
            return exchange(a, b)

        monkeypatch.setattr(tree, "_exchange", checked)
        result = build_and_compare(fleet, monkeypatch)
        monkeypatch.setattr(tree, "_exchange", exchange)
        assert seen == [True] and result.reused > 0


def test_removed_services_leave_no_file_nor_folder(fleet, monkeypatch):
    out = fleet.parent / "out"
    _service(fleet, 4).unlink()
    build_and_compare(fleet, monkeypatch)
    assert _folders(out) == _folders(fleet.parent / "reference")
    assert not any(fleetgen.service_name(4) in p for p in writer.Tree(out))


def test_whatever_the_kept_tree_holds_the_build_is_a_full_builds(fleet, monkeypatch):
    """Junk in the kept tree: a stray file and folder, a file where a folder must be and a folder
    where a file must be, a file with the right name and other bytes, a missing file."""
    _service(fleet, 1).write_text(fleetgen.service_yaml(1, revision=1))
    assert api.build([fleet], fleet.parent / "out").ok  # the swapped-out tree is kept now
    previous = _previous(fleet)
    (previous / "stray.txt").write_bytes(b"stray")
    (previous / "stray" / "deep").mkdir(parents=True)
    victim = sorted(p for p in writer.Tree(previous) if p.startswith("runbooks/"))[0]
    folder = previous / victim.rpartition("/")[0]
    shutil.rmtree(folder)
    folder.write_bytes(b"a file where a folder must be")
    rules = sorted(p for p in writer.Tree(previous) if p.startswith("prometheus/rules/"))
    (previous / rules[0]).unlink()
    (previous / rules[0]).mkdir()
    (previous / rules[1]).unlink()
    (previous / rules[1]).write_bytes(b"other bytes")
    (previous / rules[2]).unlink()
    _service(fleet, 1).write_text(fleetgen.service_yaml(1, revision=2))
    result = build_and_compare(fleet, monkeypatch)
    assert result.reused > 0
    out = fleet.parent / "out"
    assert _folders(out) == _folders(fleet.parent / "reference")


def test_an_out_file_edited_in_place_is_rebuilt_and_out_stays_whole(fleet, monkeypatch):
    """An editor that writes in place changes the file behind both links; the build sees the
    edit in out/ (as without the kept tree) and writes a new file, not into the shared one."""
    out = fleet.parent / "out"
    path = sorted(p for p in writer.Tree(out) if p.startswith("prometheus/rules/"))[0]
    with open(out / path, "ab") as fh:
        fh.write(b"# edited by hand\n")
    build_and_compare(fleet, monkeypatch)
    assert not writer.read_tree(out)[path].endswith(b"# edited by hand\n")


def test_a_kept_tree_another_build_holds_is_left_alone(fleet, monkeypatch):
    previous = _previous(fleet)
    before = {p: (previous / p).stat().st_ino for p in writer.Tree(previous)}
    fd = os.open(previous, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _service(fleet, 2).write_text(fleetgen.service_yaml(2, revision=1))
        result = build_and_compare(fleet, monkeypatch)
        assert result.reused > 0
        assert {p: (previous / p).stat().st_ino for p in writer.Tree(previous)} == before
    finally:
        os.close(fd)
    assert not any(fleet.parent.glob(".out.slogen-*"))


def test_after_a_build_that_rewrote_everything_the_kept_tree_is_links_to_the_new_out(fleet):
    """A full render over an old out/ (here: other options) swaps out a tree that shares nothing
    with the new one: it is removed, and the tree kept is links to the new out/."""
    out, previous = fleet.parent / "out", _previous(fleet)
    assert api.build([fleet], out, time_scale=0.5).ok
    assert writer.read_tree(previous) == writer.read_tree(out)
    assert all((previous / p).stat().st_ino == (out / p).stat().st_ino for p in writer.Tree(out))
    assert not any(fleet.parent.glob(".out.slogen-*"))


def test_a_build_with_nothing_to_do_readies_the_tree_a_fresh_checkout_lacks(fleet):
    """A fresh checkout has out/ but no cache folder: the first build, with nothing to render,
    still makes the tree the next edit assembles its own in. `--check` never does."""
    out, previous = fleet.parent / "out", _previous(fleet)
    shutil.rmtree(previous.parent)
    assert api.build([fleet], out, check=True).ok and not previous.exists()
    result = api.build([fleet], out)
    assert result.ok and result.cached
    assert writer.read_tree(previous) == writer.read_tree(out)
    assert all((previous / p).stat().st_ino == (out / p).stat().st_ino for p in writer.Tree(out))


def test_a_clean_build_that_writes_nothing_leaves_no_tree(tmp_path):
    """A clean build links what it writes into the cache folder as it goes; when it ends without
    swapping (here --strict with a warning), those links go too."""
    fleetgen.write_fleet(tmp_path / "repo", N)
    specs = tmp_path / "repo" / "specs"
    (specs / f"{fleetgen.service_name(2)}.yaml").write_text(
        fleetgen.service_yaml(2).replace("threshold: 2s", "threshold: 120"))  # units/latency-range
    result = api.build([specs], tmp_path / "repo" / "out", strict=True)
    assert not result.ok
    assert not (tmp_path / "repo" / "out").exists() and not _previous(specs).exists()
    assert not any((tmp_path / "repo").glob(".out.slogen-*"))


def test_a_cache_folder_on_another_file_system_is_not_used_for_trees(fleet, monkeypatch):
    """Hard links and the atomic swap work only on out/'s file system: with a cache folder
    elsewhere (a link to a tmpfs, say), builds use scratch folders and make no tree there."""
    from slogen.write import sinks

    out = fleet.parent / "out"
    assert sinks._beside(_previous(fleet), out.absolute())
    shutil.rmtree(_previous(fleet))
    monkeypatch.setattr(sinks, "_beside", lambda reuse, out_dir: False)
    for revision in (1, 2):
        _service(fleet, 2).write_text(fleetgen.service_yaml(2, revision=revision))
        result = build_and_compare(fleet, monkeypatch)
        assert result.ok and result.reused > 0
        assert not _previous(fleet).exists()
    assert api.build([fleet], out).cached and not _previous(fleet).exists()  # nothing to do: none made either
    assert not any(fleet.parent.glob(".out.slogen-*"))


def test_the_survey_leaves_out_what_the_render_removes_meanwhile(tmp_path, monkeypatch):
    """The survey runs while the build renders into the same tree (a full render replaces every
    file): a file removed between the folder's listing and its lstat, or a folder removed before
    it is read, is left out instead of failing the build."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x").write_text("x")
    (tmp_path / "a" / "y").write_text("y")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z").write_text("z")
    real = os.scandir

    def scandir(path):
        entries = list(real(path))
        if str(path) == str(tmp_path / "a"):
            (tmp_path / "a" / "x").unlink()  # listed, then gone before its lstat
        if str(path) == str(tmp_path):
            (tmp_path / "b" / "z").unlink()  # listed, then gone before it is read
            (tmp_path / "b").rmdir()
        return iter(entries)

    monkeypatch.setattr(tree.os, "scandir", scandir)
    files, folders = tree.survey(tmp_path)
    monkeypatch.undo()
    assert set(files) == {"a/y"} and folders == {"a", "b"}
