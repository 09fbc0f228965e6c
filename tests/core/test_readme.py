"""docs/reference.md is generated from the models and must be current; the README's set-up and
test commands are the ones CI runs."""
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
    setup, tests = block.splitlines()
    assert tests == "python -m pytest", block
    assert tests in ci, "the README's test command is not a line of .ci/run"
    assert any(line.strip().startswith(setup) for line in ci), "the README's set-up is not what .ci/run installs"
