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
    tests = [line for line in block.splitlines() if line.startswith("python -m pytest")]
    assert tests == ["python -m pytest"], block
    assert tests[0] in ci, "the README's test command is not a line of .ci/run"
