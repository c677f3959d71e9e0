"""The community dashboard's page, used for real in headless Chromium (Debian's, through Playwright):
a leader logs in, sees the charts drawn from real events, changes the period, downloads a CSV; a
resident is refused. Screenshots are kept in var/test-artifacts/dashboard/ for a person to look at."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import httpx
from playwright.async_api import Browser, Page, expect

from deploy.processes import LocalSystem
from tests.e2e.dashboard import BUYERS, PRICE_FEN, Lively
from tests.gateway.browser import log_in_with_a_code, log_in_with_a_token, open_page

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "dashboard"
expect.set_options(timeout=15_000)


async def snapshot(page: Page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=ARTEFACTS / f"{name}.png", full_page=True)


async def test_the_page_is_plain_files_from_the_gateway(gateway: httpx.AsyncClient) -> None:
    for path in ("/dashboard", f"/dashboard/{'0' * 32}"):
        page = await gateway.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), path
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "connect-src 'self'" in policy and "style-src 'self'" in policy
        assert '<script type="module" src="/dashboard/assets/dashboard.js">' in page.text
    script = await gateway.get("/dashboard/assets/dashboard.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in script.text and "http" not in script.text.replace(SVG_NS, "")
    assert (await gateway.get("/dashboard/assets/dashboard.css")).headers["content-type"].startswith("text/css")
    for missing in ("/dashboard/assets/page.py", "/dashboard/assets/dashboard.html", "/dashboard/not-a-community"):
        response = await gateway.get(missing)
        assert response.status_code in (404, 422), missing
        assert response.headers["content-type"] == "application/problem+json"


SVG_NS = "http://www.w3.org/2000/svg"  # the only URL the script names: SVG's namespace, never fetched


async def test_a_leader_reads_the_charts_changes_the_period_and_downloads_a_csv(
    gateway: httpx.AsyncClient, system: LocalSystem, browser: Browser
) -> None:
    w = await Lively.build(gateway, system)
    page, problems = await open_page(browser, system, f"/dashboard/{w.community_id}")
    await page.set_viewport_size({"width": 1280, "height": 900})
    await log_in_with_a_code(page, system, w.leader)

    # the last 30 days: one bar of today's turnover, five orders; the event's two sign-ups withheld
    turnover = page.locator("#chart-turnover > svg")
    await expect(turnover).to_have_attribute("data-points", "30")
    await expect(turnover.locator("rect.bar[data-value]:not([data-value='0'])")).to_have_attribute(
        "data-value", str(BUYERS * PRICE_FEN)
    )
    await expect(page.locator("#chart-orders circle.dot[data-value='5']")).to_have_count(1)
    await expect(page.locator("#chart-residents circle.dot[data-value='5']")).to_have_count(1)
    await expect(page.locator("#chart-sessions rect.bar[data-value='1']")).to_have_count(1)
    await expect(page.locator("#chart-attendance rect.withheld")).to_have_count(1)
    events = page.locator('section[data-table="upcoming_events"] tbody tr')
    await expect(events).to_have_count(1)
    await expect(events.locator("td").first).to_have_text("周六跳蚤市场")
    await expect(events.locator("td.withheld")).to_have_text("少于5位居民")
    await snapshot(page, "leader-30-days")

    # the last 7 days, then a fortnight before anything happened: the figures follow
    await page.click('#periods button[data-days="7"]')
    await expect(turnover).to_have_attribute("data-points", "7")
    await expect(turnover.locator("rect.bar[data-value]:not([data-value='0'])")).to_have_count(1)
    long_ago = date.fromisoformat(await page.input_value("#to")) - timedelta(days=40)
    await page.fill("#from", str(long_ago))
    await page.fill("#to", str(long_ago + timedelta(days=13)))
    await page.click("#apply")
    await expect(page.locator("#period")).to_contain_text(f"{long_ago} 至 {long_ago + timedelta(days=13)}")
    await expect(turnover).to_have_attribute("data-points", "14")
    await expect(turnover.locator("rect.bar[data-value]:not([data-value='0'])")).to_have_count(0)
    await expect(page.locator("#chart-orders circle.dot[data-value='5']")).to_have_count(0)
    await page.click('#periods button[data-days="30"]')
    await expect(turnover).to_have_attribute("data-points", "30")
    await page.select_option("#bucket", "week")
    await expect(page.locator("#period")).to_contain_text("按周")
    await snapshot(page, "leader-30-days-by-week")

    # the day-by-day figures as a file: a header, a row per day, the withheld cells empty
    async with page.expect_download() as downloading:
        await page.click('a.csv[data-table="activity"]')
    download = await downloading.value
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    saved = ARTEFACTS / download.suggested_filename
    await download.save_as(saved)
    assert download.suggested_filename.startswith("activity-") and download.suggested_filename.endswith(".csv")
    with saved.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames is not None and reader.fieldnames[:3] == ["start", "orders", "turnover_fen"]
        rows = list(reader)
    assert len(rows) == 30
    [busy] = [r for r in rows if r["orders"] not in ("", "0")]
    assert (busy["orders"], busy["turnover_fen"], busy["registrations"], busy["suppressed"]) == (
        str(BUYERS),
        str(BUYERS * PRICE_FEN),
        "",
        "true",
    )
    assert problems == []


async def test_a_resident_is_refused(gateway: httpx.AsyncClient, system: LocalSystem, browser: Browser) -> None:
    w = await Lively.build(gateway, system)
    page, problems = await open_page(browser, system, f"/dashboard/{w.community_id}")
    await log_in_with_a_token(page, w.residents[0])
    await expect(page.locator("#refused")).to_be_visible()
    await expect(page.locator("#refused-text")).to_contain_text("无权查看")
    await expect(page.locator("#board")).to_be_hidden()
    await snapshot(page, "resident-refused")
    # the refusal is the API's (403), which the console reports as a failed load: nothing else
    assert all("403" in p for p in problems), problems
