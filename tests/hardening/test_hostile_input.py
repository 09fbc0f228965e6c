"""Hostile input is refused quickly, with a clear positioned message, and never hangs or kills the
process. Each case runs the real CLI in a subprocess with a timeout, so a hang or a segfault
(libyaml's recursive composer on deep nesting) fails the test instead of the test run."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import GOOD

from slogen.load.yaml_positions import MAX_FILE_BYTES

BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8))  # 10^9 values once expanded, 700 bytes on disk


def _validate(specs: Path, tmp: Path, budget: float = 20.0) -> tuple[list[dict], float]:
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "slogen", "validate", "--diagnostics", "json", str(specs)],
                          capture_output=True, text=True, timeout=budget * 3, cwd=tmp,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    elapsed = time.monotonic() - t0
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])  # refused, not crashed (3) or killed (<0)
    assert elapsed < budget, f"took {elapsed:.1f}s"
    return json.loads(proc.stderr), elapsed


def _specs(tmp: Path) -> Path:
    specs = tmp / "specs"
    specs.mkdir()
    (specs / "good.yaml").write_text(GOOD)
    return specs


# (sentence id, file name, content builder, codes either layer may report, expected line or None)
TOO_COMPLEX = ("yaml/too-complex", "yaml/syntax")  # slogen's guard, or PyYAML >= 6.0.4's own limit
FILES = [
    ("a file over the size limit", "big.yaml", lambda: GOOD + "# " + "x" * MAX_FILE_BYTES + "\n",
     ("input/too-large",), None),
    ("a YAML alias bomb (billion laughs)", "bomb.yaml", lambda: BOMB, ("yaml/too-complex",), None),
    ("deep flow nesting that would overflow libyaml's C stack", "deep.yaml",
     lambda: "a: " + "[" * 100_000 + "]" * 100_000 + "\n", TOO_COMPLEX, 1),
    ("deep block nesting", "deepblock.yaml",
     lambda: "".join(" " * i + "k:\n" for i in range(200)), TOO_COMPLEX, 65),
    ("deep mapping nesting", "deepmap.yaml", lambda: "a: " + "{k: " * 50_000 + "1" + "}" * 50_000 + "\n",
     TOO_COMPLEX, 1),
    ("bytes that are not UTF-8", "latin1.yaml", lambda: GOOD.encode().replace(b"team: platform", b"team: plat\xe9form"),
     ("input/encoding",), 3),
    ("a NUL byte", "nul.yaml", lambda: GOOD.replace("team: platform", "team: plat\x00form"), ("yaml/syntax",), 3),
]


@pytest.mark.parametrize("name,builder,codes,line", [c[1:] for c in FILES], ids=[c[0] for c in FILES])
def test_hostile_file_is_refused_quickly(tmp_path, name, builder, codes, line):
    """What a user relies on: exit 2 (not a crash or a kill), fast, an error in that file at that
    line. Which layer refuses may change with the PyYAML release (6.0.4 limits nesting itself,
    as a syntax error), so either slogen's code or the YAML syntax code is accepted."""
    specs = _specs(tmp_path)
    content = builder()
    (specs / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    diags, _ = _validate(specs, tmp_path)
    hits = [d for d in diags if d["code"] in codes and d["file"].endswith(name) and d["severity"] == "error"]
    assert hits, diags
    if line is not None:
        assert hits[0]["line"] == line, hits[0]


def test_a_symlink_loop_in_specs_is_refused(tmp_path):
    specs = _specs(tmp_path)
    (specs / "nested").mkdir()
    (specs / "nested" / "up").symlink_to("..")          # a folder loop
    (specs / "self.yaml").symlink_to("self.yaml")       # a file link to itself
    diags, _ = _validate(specs, tmp_path)
    codes = {d["code"] for d in diags}
    assert "input/symlink-loop" in codes, diags
    assert any(d["code"] == "input/unreadable" and d["file"].endswith("self.yaml") for d in diags), diags


def test_a_fifo_in_specs_does_not_block(tmp_path):
    specs = _specs(tmp_path)
    os.mkfifo(specs / "pipe.yaml")  # nobody writes: reading it would block forever
    diags, _ = _validate(specs, tmp_path)
    assert any(d["code"] == "input/not-a-file" and d["file"].endswith("pipe.yaml") for d in diags), diags


def test_a_symlink_to_dev_zero_is_not_read_forever(tmp_path):
    specs = _specs(tmp_path)
    (specs / "zero.yaml").symlink_to("/dev/zero")
    diags, _ = _validate(specs, tmp_path)
    assert any(d["code"] == "input/not-a-file" and d["file"].endswith("zero.yaml") for d in diags), diags


def test_a_fifo_named_on_the_command_line_is_refused(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    diags, _ = _validate(tmp_path / "pipe.yaml", tmp_path)
    assert [d["code"] for d in diags] == ["input/not-a-file"], diags


def test_hostile_files_do_not_hide_problems_in_the_others(tmp_path):
    """One run reports everything: the bomb and a typo in another file."""
    specs = _specs(tmp_path)
    (specs / "bomb.yaml").write_text(BOMB)
    (specs / "typo.yaml").write_text(GOOD.replace("team: platform", "teem: platform").replace("service: api", "service: api2"))
    diags, _ = _validate(specs, tmp_path)
    assert {"yaml/too-complex", "spec/unknown-field"} <= {d["code"] for d in diags}, diags


DEEP = [
    ("compact sequences", "- " * 100 + "x\n"),
    ("block mappings", "".join(" " * i + "k:\n" for i in range(100))),
    ("flow sequences", "a: " + "[" * 100 + "]" * 100 + "\n"),
    ("flow mappings in a sequence", "- " + "{k: " * 100 + "1" + "}" * 100 + "\n"),
    ("a second document", "a: 1\n---\n" + "".join(" " * i + "k:\n" for i in range(70))),
]


@pytest.mark.parametrize("text", [t for _, t in DEEP], ids=[n for n, _ in DEEP])
def test_deep_nesting_is_refused_at_the_same_place_with_or_without_the_guard(monkeypatch, text):
    """A short text is composed without the guard (slogen.load.yaml_positions.SAFE_TO_COMPOSE)
    and the walk refuses it; a long one is guarded before composing. Both say the same."""
    from slogen.diagnostics import Diagnostics
    from slogen.load import yaml_positions

    def said(safe: int) -> list:
        monkeypatch.setattr(yaml_positions, "SAFE_TO_COMPOSE", safe)
        diags = Diagnostics()
        sources = yaml_positions.load_text(text, "deep.yaml", diags)
        return [(len(sources), d.code, d.position.line, d.position.col, d.message) for d in diags.items]

    guarded, walked = said(0), said(10 ** 9)
    assert [d[1:] for d in guarded] == [d[1:] for d in walked]
    assert [d[1] for d in guarded] == ["yaml/too-complex"]


def test_sixty_four_levels_are_accepted_with_or_without_the_guard(monkeypatch):
    from slogen.diagnostics import Diagnostics
    from slogen.load import yaml_positions

    text = "- " * 64 + "x\n"
    for safe in (0, 10 ** 9):
        monkeypatch.setattr(yaml_positions, "SAFE_TO_COMPOSE", safe)
        diags = Diagnostics()
        assert len(yaml_positions.load_text(text, "deep.yaml", diags)) == 1 and not diags.items
