"""What the API tests share: the generated city (a city and its counties, `tests/api_fixtures.py`)
in a fresh store a test, with its tokens; and, for the page's browser tests, Debian's Chromium
(Playwright drives it): one browser a test module, started headless with no network of its
own beyond loopback."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import sync_playwright

from tests.api_fixtures import build_city, open_world

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    assert shutil.which("chromium") or CHROMIUM, "Debian's chromium is needed (the README's test command installs it)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The generated city's store, built once a module (a module may give its own)."""
    return build_city(tmp_path_factory.mktemp("city"))


@pytest.fixture
def world(template, tmp_path):
    """A copy of the template for one test, served in-process, with a token per role."""
    w = open_world(template, tmp_path)
    yield w
    w.close()
