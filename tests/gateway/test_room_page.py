"""The room's web page: served by the gateway as plain files, and used for real in headless Chromium
(Debian's /usr/bin/chromium driven by Playwright; its own browser download is never used): a host
logs in with a code, goes live, pins a deal and opens a poll; a viewer in another browser context
sees both, buys (a real order) and votes, and the host sees the vote, then ends the session."""

from __future__ import annotations

import httpx
from playwright.async_api import Browser, Dialog, Page, expect

from deploy.client import until
from deploy.processes import LocalSystem
from tests import factories
from tests.factories import LiveRoom
from tests.gateway.browser import log_in_with_a_code, log_in_with_a_token, open_page

expect.set_options(timeout=10_000)


async def test_the_page_is_plain_files_from_the_gateway(gateway: httpx.AsyncClient) -> None:
    page = await gateway.get("/room", params={"session": "0" * 32})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert '<script type="module" src="/room/room.js">' in page.text
    script = await gateway.get("/room/room.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in script.text  # room data reaches the page as text only
    assert (await gateway.get("/room/room.css")).headers["content-type"].startswith("text/css")
    for missing in ("/room/app.py", "/room/..%2Fpage.py", "/room/room.html"):
        response = await gateway.get(missing)
        assert response.status_code == 404, missing
        assert response.headers["content-type"] == "application/problem+json"


async def open_room(browser: Browser, system: LocalSystem, session_id: str) -> tuple[Page, list[str]]:
    return await open_page(browser, system, f"/room?session={session_id}")


async def test_host_pins_and_polls_viewer_buys_and_votes(
    gateway: httpx.AsyncClient, system: LocalSystem, browser: Browser
) -> None:
    r = await LiveRoom.build(gateway, system)
    product = await factories.product(r.leader, r.community_id, name="阳光玫瑰葡萄")
    deal = await factories.deal(r.leader, r.community_id, product["id"], price_fen=2990, per_person_limit=2)
    scheduled = await factories.live_session(r.leader, r.community_id, title="周五水果专场")

    host, host_problems = await open_room(browser, system, scheduled["id"])
    await log_in_with_a_code(host, system, r.leader)
    await expect(host.locator("#me")).to_contain_text("主播")
    await expect(host.locator("#status")).to_have_text("预告")
    await host.click("#go-live")
    await expect(host.locator("#status")).to_have_text("直播中")
    await expect(host.locator("#go-live")).to_be_hidden()

    # livestream learns of the deal from orders' events: until it has, pinning is refused; press again
    async def pinned() -> bool:
        await host.click(f'#deals button[data-deal="{deal["id"]}"]')
        try:
            await expect(host.locator("#pinned-card h2")).to_have_text("阳光玫瑰葡萄", timeout=1000)
        except AssertionError:
            return False
        return True

    await until(pinned, timeout=20)
    await host.fill("#poll-question", "下周想团什么水果？")
    await host.fill("#poll-options", "荔枝\n芒果\n山竹")
    await host.click("#create-poll")
    await expect(host.locator(".poll h3")).to_have_text("下周想团什么水果？")

    viewer, viewer_problems = await open_room(browser, system, scheduled["id"])
    await log_in_with_a_token(viewer, r.resident)
    await expect(viewer.locator("#me")).to_contain_text("观众")
    await expect(viewer.locator("#console")).to_be_hidden()
    await expect(viewer.locator("#title")).to_have_text("周五水果专场")
    await expect(viewer.locator("#pinned-card h2")).to_have_text("阳光玫瑰葡萄")
    await expect(viewer.locator("#pinned-card .price")).to_have_text("¥29.90")
    await expect(viewer.locator("#stock")).to_contain_text("剩余 50 / 50")
    await expect(viewer.locator(".poll h3")).to_have_text("下周想团什么水果？")

    # buying places a real order, and the page follows it until it is paid
    await viewer.fill("#quantity", "2")
    await viewer.click("#buy")
    result = viewer.locator("#buy-result")
    await expect(result).to_have_attribute("data-status", "paid")
    order_id = await result.get_attribute("data-order-id")
    orders = (await r.resident.request("GET", "/api/v1/orders")).json()
    assert [(o["id"], o["deal_id"], o["quantity"], o["amount_fen"], o["status"]) for o in orders] == [
        (order_id, deal["id"], 2, 5980, "paid")
    ]
    await expect(viewer.locator("#stock")).to_contain_text("剩余 48 / 50")  # the card's live stock

    # the vote counts once, and the host sees it
    await viewer.locator(".poll .option", has_text="芒果").locator("input").check()
    await viewer.click(".poll button")
    await expect(viewer.locator(".poll .state")).to_contain_text("你已投票")
    await expect(host.locator(".poll .option", has_text="芒果").locator(".votes")).to_have_text("1 票")
    await expect(host.locator(".poll .state")).to_contain_text("1 人参与")

    # chat both ways, and the host closes the poll
    await viewer.fill("#chat-text", "葡萄甜吗？")
    await viewer.click("#send")
    await expect(host.locator("#messages li").last).to_contain_text("葡萄甜吗？")
    await host.click("#host-polls button")
    await expect(viewer.locator(".poll .state")).to_contain_text("已结束")

    async def confirm(dialog: Dialog) -> None:
        await dialog.accept()

    host.on("dialog", confirm)
    await host.click("#end-session")
    await expect(viewer.locator("#notice")).to_contain_text("直播间已关闭")
    assert host_problems == [] and viewer_problems == []
