"""The drill's secrets live in files that Alertmanager really reads (the drill proves it); none
of their contents may appear in what slogen wrote."""
from __future__ import annotations

import pytest

from stack import Stack

pytestmark = pytest.mark.e2e


def test_secret_file_contents_never_reach_out(drill_stack: Stack):
    secrets = [p.read_text().strip() for p in (drill_stack.root / "secrets").rglob("*") if p.is_file()]
    assert len(secrets) == 2
    for path in drill_stack.out.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            leaked = [s for s in secrets if s in text]
            assert not leaked, f"{path.relative_to(drill_stack.out)} contains a secret"
    config = (drill_stack.out / "alertmanager" / "alertmanager.yml").read_text()
    assert str(drill_stack.root / "secrets" / "slack" / "drill.url") in config, "referenced by path instead"
