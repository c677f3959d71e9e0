"""The web pages' browser: Debian's /usr/bin/chromium driven by Playwright (its own browser download is
never used), headless, skipped with the reason where that binary is absent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = (
    f"{CHROMIUM} is absent: install Debian's chromium (apt-get install -y chromium; .ci/run does) "
    "to run the web pages' browser tests"
)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(CHROMIUM_MISSING)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--disable-background-networking"]
        )
        yield launched
        await launched.close()
