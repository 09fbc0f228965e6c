"""docs/reference.md is generated from the models and must be current; the README's test command
is the one CI runs."""
from __future__ import annotations

from helpers import ROOT


def test_spec_reference_page_is_current():
    from slogen.spec.reference import PATH, page

    assert PATH == ROOT / "docs" / "reference.md"
    assert PATH.read_text() == page(), "run: python -m slogen.spec.reference"


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    section = readme.split("## Development / tests", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line.strip()]
    assert "python -m pytest" in commands, block
    ran = {" ".join(w for w in line.split() if w != "-q") for line in ci}  # CI installs quietly
    for command in commands:
        assert command in ran, f"README's {command!r} is not what .ci/run runs"
