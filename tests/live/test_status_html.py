"""`slogen status --format html` opened in headless Chromium: the page loads with no console
error (its Content-Security-Policy turns any attempt to load something from elsewhere into one),
every SLO has its section with both plots, and a screenshot is kept as a test artefact (its path
is printed; run pytest with -s to see it)."""
from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest

from helpers import require
from test_status import status

pytestmark = pytest.mark.e2e

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0", "--window-size=1400,2600"]


def chromium(page: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    profile.mkdir()
    return subprocess.run([require("chromium"), *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
                          capture_output=True, text=True, timeout=120)


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Refused to" in line]


@pytest.fixture(scope="module")
def page(history, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "status.html"
    done = status(history, "--format", "html", "-o", str(path))
    assert done.returncode == 0, done.stderr
    return path


def test_the_page_needs_nothing_from_elsewhere(page):
    text = page.read_text()
    assert not re.search(r"<script|<link|@import|url\(|src=\"http", text)
    assert "Content-Security-Policy" in text


def test_chromium_shows_every_slo_without_a_console_error(page, tmp_path):
    shot = tmp_path / "status.png"
    done = chromium(page, tmp_path, f"--screenshot={shot}")
    assert console_messages(done.stderr) == []
    assert shot.exists() and shot.stat().st_size > 10_000
    print(f"\nscreenshot of slogen status --format html: {shot}")
    dom = chromium(page, tmp_path, "--dump-dom")
    assert console_messages(dom.stderr) == []
    sections = re.findall(r'<section class="slo" id="[^"]+" data-service="([^"]+)" data-slo="([^"]+)"'
                          r'(?: data-group="([^"]+)")?', dom.stdout)
    sections = [(service, slo, html.unescape(group)) for service, slo, group in sections]
    assert sorted(sections) == [("ledger", "availability", ""), ("pay", "availability", 'provider="adyen"'),
                                ("pay", "availability", 'provider="klarna"'), ("pay", "availability", 'provider="stripe"'),
                                ("pay", "refunds", ""), ("search", "availability", ""), ("shop", "availability", "")]
    stripe = dom.stdout.split('data-group="provider=&quot;stripe&quot;"')[1].split("</section>")[0]
    assert stripe.count("<svg") == 2 and "<polyline" in stripe
    shop = dom.stdout.split('data-service="shop"')[1].split("</section>")[0]
    assert shop.count("<svg") == 2 and "<polyline" in shop
    assert 'href="https://runbooks.example.invalid/live/shop/AvailabilityBudgetBurn.md"' in shop


def test_the_console_check_sees_an_error_when_there_is_one(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" '
                   "content=\"default-src 'none'\"></head><body><img src=\"https://example.invalid/x.png\">"
                   "<script>console.error('boom')</script></body></html>")
    assert console_messages(chromium(bad, tmp_path, "--dump-dom").stderr) != []
