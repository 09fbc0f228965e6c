"""The README's spec reference is generated from the models; it must be current."""
from __future__ import annotations

from helpers import ROOT


def test_readme_spec_reference_is_current():
    from slogen.spec.reference import splice

    readme = (ROOT / "README.md").read_text()
    assert splice(readme) == readme, "run: python -m slogen.spec.reference README.md"
