"""Helpers of the web pages' browser tests (the `browser` fixture is in conftest.py): a page opened in a
context of its own, collecting its problems; logging in as the pages do."""

from __future__ import annotations

from playwright.async_api import Browser, Page

from deploy.client import Session, read_sms_code
from deploy.processes import LocalSystem


async def open_page(browser: Browser, system: LocalSystem, path: str) -> tuple[Page, list[str]]:
    """A page of the gateway in a browser context of its own, and a list that collects its problems:
    script errors, console errors (a CSP refusal among them) and requests anywhere but the gateway."""
    page = await (await browser.new_context()).new_page()
    problems: list[str] = []
    origin = system.url("gateway")
    page.on("pageerror", lambda error: problems.append(f"error: {error}"))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on(
        "request",
        lambda r: None if r.url.startswith((origin, "blob:", "data:")) else problems.append(f"request to {r.url}"),
    )
    await page.goto(f"{origin}{path}")
    return page, problems


async def log_in_with_a_code(page: Page, system: LocalSystem, person: Session) -> None:
    sms_log = system.log_path("gateway")
    offset = sms_log.stat().st_size
    await page.fill("#phone", person.phone)
    await page.click("#send-code")
    code = await read_sms_code(sms_log, person.phone, after=offset)
    await page.fill("#code", code)
    await page.click("#verify")


async def log_in_with_a_token(page: Page, person: Session) -> None:
    await page.click("#login summary")
    await page.fill("#token", person.tokens["access_token"])
    await page.click("#use-token")
