"""A Markdown linter from PyPI (pymarkdownlnt, pinned in the test extras) is clean on every
runbook, on the index, and on a runbook with notes and a retired one."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from runbook_helpers import add_notes, build, write_spec

CONFIG = Path(__file__).with_name("pymarkdown.json")


def _lint(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pymarkdown", "--config", str(CONFIG), "scan", "-r", str(folder)],
                          capture_output=True, text=True, timeout=300)


def test_every_runbook_built_from_specs_is_lint_clean(built_specs):
    files = list((built_specs / "runbooks").rglob("*.md"))
    assert len(files) > 50
    r = _lint(built_specs / "runbooks")
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_linter_would_notice_a_problem(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("# One\n\n\n\n# Two\n")
    assert _lint(tmp_path).returncode != 0


def test_runbooks_with_notes_and_retired_ones_are_lint_clean(tmp_path):
    specs = write_spec(tmp_path / "specs")
    out = tmp_path / "out"
    build(specs, out)
    add_notes(out / "runbooks/shop/DiskSpaceLow.md", b"\nThe disk fills with core dumps: see /var/crash.\n")
    write_spec(specs, with_disk=False)
    build(specs, out)
    assert (out / "runbooks/_retired/shop/DiskSpaceLow.md").exists()
    shutil.rmtree(out / "prometheus")
    r = _lint(out / "runbooks")
    assert r.returncode == 0, r.stdout + r.stderr
