"""Every relative link in the README, CONTRIBUTING.md and docs/ reaches a file of the repository,
and a link to a heading (`page.md#anchor`) reaches a heading of that page, as GitHub names it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import ROOT

PAGES = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").rglob("*.md")])
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text())
    return {_anchor(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.*)$", text, re.M)}


def _links(page: Path) -> list[str]:
    return LINK.findall(FENCE.sub("", page.read_text()))


def _broken(page: Path) -> list[str]:
    broken = []
    for target in _links(page):
        if re.match(r"^[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(target)
        elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
            broken.append(target)
    return broken


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page):
    assert not _broken(page), f"{page.relative_to(ROOT)}: broken links {_broken(page)}"


def test_anchor_names_follow_github():
    assert _anchor("`slogen init`: a first spec for a new service") == "slogen-init-a-first-spec-for-a-new-service"
    assert _anchor("The receivers file (`kind: Bundle`)") == "the-receivers-file-kind-bundle"


def test_a_broken_link_is_found(tmp_path):
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other page\n")
    page.write_text("# Title\n\n[gone](missing.md) [here](#title) [nowhere](#nope) [there](other.md#other-page) "
                    "[not there](other.md#title) [web](https://example.com/x.md)\n\n```\n[code](skip.md)\n```\n")
    assert _broken(page) == ["missing.md", "#nope", "other.md#title"]
