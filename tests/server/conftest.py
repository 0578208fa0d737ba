"""Fixtures the server tests share: headless Chromium (browser tests) and `strings_in`, the
strings of a JSON value (what a page shows from the index rather than its own words)."""
from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through playwright (the browser test modules skip without them)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page; JavaScript errors and console errors (CSP violations among them) fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    yield page
    context.close()
    assert not problems, problems


def _strings(data) -> set[str]:
    if isinstance(data, str):
        return {data}
    if isinstance(data, dict):
        return set().union(set(), *(_strings(v) for v in data.values()))
    if isinstance(data, list):
        return set().union(set(), *(_strings(v) for v in data))
    return {str(data)} if data is not None else set()


@pytest.fixture
def strings_in():
    """Every string in a JSON value (numbers as text): what a page shows from the index."""
    return _strings
