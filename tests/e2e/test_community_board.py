"""The community board through the gateway: announcements by leaders, members' posts with comments
and reactions, pinning, report → hidden → restored or removed by a moderator, muting; outsiders are
refused everywhere and bad input is a clear 4xx that changes nothing. The board is the one place to
look: posts, events, highlights, swaps and needs in one stream, each as its viewer may see it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.test_bad_input import UNKNOWN_ID, assert_problem
from tests.factories import Events


@pytest.fixture
async def hood(gateway: httpx.AsyncClient, system: LocalSystem) -> Events:
    return await Events.build(gateway, system)


async def board(hood: Events) -> list[tuple[str, int, bool]]:
    items = (await hood.leader.request("GET", f"/api/v1/communities/{hood.community_id}/board")).json()["items"]
    return [(i["id"], i["post"]["comments"], i["post"]["hidden"]) for i in items if i["post"]]


async def test_posts_comments_reactions_and_pins(hood: Events) -> None:
    c = f"/api/v1/communities/{hood.community_id}/board"
    notice = await factories.board_post(hood.leader, hood.community_id, kind="announcement", text="周六停水")
    assert_problem(await hood.resident.request("POST", c, json={"kind": "announcement", "text": "假公告"}), 403)
    first = await factories.board_post(hood.resident, hood.community_id, photos=["https://img.example.com/box.jpg"])
    second = await factories.board_post(hood.neighbour, hood.community_id, text="楼下新开了面包店")
    ids = [i["id"] for i in (await hood.resident.request("GET", c)).json()["items"]]
    assert ids == [second["id"], first["id"], notice["id"]]  # newest first

    pinned = await hood.leader.request("POST", f"/api/v1/board-posts/{notice['id']}/pin")
    assert pinned.json()["pinned_at"]
    assert_problem(await hood.resident.request("POST", f"/api/v1/board-posts/{first['id']}/pin"), 403)
    assert [i["id"] for i in (await hood.resident.request("GET", c)).json()["items"]][0] == notice["id"]

    p = f"/api/v1/board-posts/{first['id']}"
    reply = await hood.neighbour.request("POST", f"{p}/comments", json={"text": "我家有，来拿"})
    assert reply.status_code == 201, reply.text
    await hood.neighbour.request("PUT", f"{p}/reactions/thanks")
    again = await hood.neighbour.request("PUT", f"{p}/reactions/thanks")  # harmless
    await hood.leader.request("PUT", f"{p}/reactions/like")
    assert (again.json()["reactions"], again.json()["my_reactions"]) == ({"thanks": 1}, ["thanks"])
    shown = (await hood.resident.request("GET", p)).json()
    assert (shown["comments"], shown["reactions"], shown["my_reactions"]) == (1, {"thanks": 1, "like": 1}, [])
    assert_problem(await hood.resident.request("PUT", f"{p}/reactions/angry"), 422)
    taken = await hood.leader.request("DELETE", f"{p}/reactions/like")
    assert taken.json()["reactions"] == {"thanks": 1}

    comment_id = reply.json()["id"]
    assert_problem(await hood.resident.request("DELETE", f"{p}/comments/{comment_id}"), 403)  # not theirs
    gone = await hood.neighbour.request("DELETE", f"{p}/comments/{comment_id}")
    assert gone.status_code == 204
    assert (await hood.resident.request("GET", f"{p}/comments")).json() == []


async def test_report_moderation_and_muting(hood: Events) -> None:
    post = await factories.board_post(hood.resident, hood.community_id, text="代购名牌包，私聊")
    p, c = f"/api/v1/board-posts/{post['id']}", f"/api/v1/communities/{hood.community_id}"
    hidden = await hood.neighbour.request("POST", f"{p}/reports", json={"reason": "广告"})
    assert hidden.json()["hidden"] is True
    assert_problem(await hood.neighbour.request("GET", p), 404)
    assert_problem(await hood.neighbour.request("POST", f"{p}/reports", json={"reason": "广告"}), 404)
    assert (await hood.resident.request("GET", p)).status_code == 200  # its author still sees it
    assert_problem(await hood.resident.request("POST", f"{p}/comments", json={"text": "?"}), 409)
    assert_problem(await hood.neighbour.request("POST", f"{p}/moderation", json={"decision": "remove"}), 404)

    await factories.grant_role(hood.leader, hood.community_id, hood.neighbour, "moderator")
    removed = await hood.neighbour.request("POST", f"{p}/moderation", json={"decision": "remove", "note": "广告"})
    assert removed.json()["status"] == "removed"
    assert_problem(await hood.neighbour.request("POST", f"{p}/moderation", json={"decision": "restore"}), 409)

    muted = await hood.neighbour.request("POST", f"{c}/mutes", json={"user_id": hood.resident.user_id, "days": 3})
    assert muted.status_code == 200, muted.text
    assert_problem(await hood.resident.request("POST", f"{c}/board", json={"text": "我又来了"}), 403)
    assert_problem(await hood.resident.request("POST", f"{c}/mutes", json={"user_id": hood.leader.user_id}), 403)
    assert_problem(await hood.neighbour.request("POST", f"{c}/mutes", json={"user_id": hood.leader.user_id}), 403)
    assert_problem(await hood.neighbour.request("POST", f"{c}/mutes", json={"user_id": UNKNOWN_ID}), 404)
    assert_problem(
        await hood.neighbour.request("POST", f"{c}/mutes", json={"user_id": hood.resident.user_id, "days": 0}), 422
    )
    unmuted = await hood.neighbour.request("DELETE", f"{c}/mutes/{hood.resident.user_id}")
    assert unmuted.status_code == 204
    await factories.board_post(hood.resident, hood.community_id, text="抱歉，以后不发广告了")


async def test_bad_input_and_outsiders_change_nothing(hood: Events) -> None:
    post = await factories.board_post(hood.resident, hood.community_id)
    comment = (
        await hood.neighbour.request("POST", f"/api/v1/board-posts/{post['id']}/comments", json={"text": "好"})
    ).json()
    before = await board(hood)
    c, p = f"/api/v1/communities/{hood.community_id}", f"/api/v1/board-posts/{post['id']}"
    for bad in ({"text": ""}, {"text": "长" * 2001}, {"kind": "ad"}, {"photos": ["ftp://x"]}):
        assert_problem(await hood.resident.request("POST", f"{c}/board", json={"text": "好", **bad}), 422)
    assert_problem(await hood.resident.request("POST", f"{p}/comments", json={"text": ""}), 422)
    assert_problem(await hood.resident.request("POST", f"{p}/reports", json={"reason": "自己"}), 409)
    assert_problem(await hood.leader.request("GET", f"/api/v1/board-posts/{UNKNOWN_ID}"), 404)
    endpoints: list[tuple[str, str, Any]] = [
        ("GET", f"{c}/board", None),
        ("POST", f"{c}/board", {"text": "外人"}),
        ("POST", f"{c}/mutes", {"user_id": hood.resident.user_id}),
        ("DELETE", f"{c}/mutes/{hood.resident.user_id}", None),
        ("GET", p, None),
        ("POST", f"{p}/pin", None),
        ("POST", f"{p}/unpin", None),
        ("PUT", f"{p}/reactions/like", None),
        ("DELETE", f"{p}/reactions/like", None),
        ("POST", f"{p}/reports", {"reason": "外人"}),
        ("POST", f"{p}/moderation", {"decision": "remove"}),
        ("POST", f"{p}/comments", {"text": "外人"}),
        ("GET", f"{p}/comments", None),
        ("DELETE", f"{p}/comments/{comment['id']}", None),
    ]
    for method, path, body in endpoints:
        assert_problem(await hood.outsider.request(method, path, json=body), 403)
    assert await board(hood) == before


async def stream(member: Any, community_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """Every item of the board as `member` sees it, page after page of `limit`."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        response = await member.request("GET", f"/api/v1/communities/{community_id}/board", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def test_the_board_shows_everything_each_viewer_may_see(hood: Events) -> None:
    c = hood.community_id
    starts = datetime.now(UTC) + timedelta(seconds=2)
    held = await factories.offline_event(
        hood.leader,
        c,
        title="亲子运动会",
        starts_at=starts.isoformat(),
        ends_at=(starts + timedelta(hours=1)).isoformat(),
    )
    notice = await factories.board_post(hood.leader, c, kind="announcement", text="周六停水")
    draft = await factories.offline_event(hood.leader, c, draft=True)
    swap = await factories.swap(hood.resident, c)
    reported = await factories.board_post(hood.neighbour, c, text="代购名牌包")
    await hood.resident.request("POST", f"/api/v1/board-posts/{reported['id']}/reports", json={"reason": "广告"})
    open_need = await factories.need(hood.neighbour, c)
    private = await factories.need(hood.resident, c, visibility="leaders", text="家里老人需要上门护理")
    market = await factories.offline_event(hood.leader, c)
    post = await factories.board_post(hood.resident, c, photos=["https://img.example.com/box.jpg"])
    pinned = await hood.leader.request("POST", f"/api/v1/board-posts/{notice['id']}/pin")
    assert pinned.status_code == 200, pinned.text
    await asyncio.sleep(max(0.0, (starts - datetime.now(UTC)).total_seconds()))
    assert (await hood.leader.request("POST", f"/api/v1/community-events/{held['id']}/held")).status_code == 200
    highlight = await hood.leader.request(
        "POST", f"/api/v1/community-events/{held['id']}/highlights", json={"text": "孩子们玩得很开心"}
    )
    assert highlight.status_code == 201, highlight.text

    # The newest first, the pinned announcement before everything; the leader sees the leaders' need.
    newest_first = [
        ("announcement", notice["id"]),
        ("highlight", highlight.json()["id"]),
        ("post", post["id"]),
        ("event", market["id"]),
        ("need", private["id"]),
        ("need", open_need["id"]),
        ("swap", swap["id"]),
        ("event", held["id"]),
    ]
    everything = await stream(hood.leader, c)
    assert [(i["kind"], i["id"]) for i in everything] == newest_first
    assert [i["pinned"] for i in everything] == [True] + [False] * 7
    assert draft["id"] not in {i["id"] for i in everything} and reported["id"] not in {i["id"] for i in everything}
    by_id = {i["id"]: i for i in everything}
    assert by_id[notice["id"]]["post"]["text"] == "周六停水"
    assert (
        by_id[swap["id"]]["swap"]["title"] == "九成新婴儿推车"
        and by_id[swap["id"]]["path"] == f"/api/v1/swaps/{swap['id']}"
    )
    assert by_id[market["id"]]["event"]["seats_left"] == 30
    assert by_id[highlight.json()["id"]]["highlight"]["event_title"] == "亲子运动会"
    assert by_id[open_need["id"]]["path"] == f"/api/v1/needs/{open_need['id']}"
    assert (await hood.resident.request("GET", by_id[post["id"]]["path"])).status_code == 200

    # Its poster sees the leaders' need too; another member does not (nor the reported post, even its author).
    assert [i["id"] for i in await stream(hood.resident, c)] == [i for _, i in newest_first]
    assert [i["id"] for i in await stream(hood.neighbour, c, limit=3)] == [
        i for _, i in newest_first if i != private["id"]
    ]
    assert [i["id"] for i in await stream(hood.leader, c, limit=1)] == [i for _, i in newest_first]

    # Neither an outsider nor a member the leader removed sees anything; a made-up cursor is a 422.
    assert_problem(await hood.outsider.request("GET", f"/api/v1/communities/{c}/board"), 403)
    removed = await hood.leader.request("DELETE", f"/api/v1/communities/{c}/members/{hood.neighbour.user_id}")
    assert removed.status_code in (200, 204), removed.text
    assert_problem(await hood.neighbour.request("GET", f"/api/v1/communities/{c}/board"), 403)
    assert_problem(await hood.resident.request("GET", f"/api/v1/communities/{c}/board?cursor=bm9wZQ"), 422)
