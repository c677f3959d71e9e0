"""The community board through the gateway: announcements by leaders, members' posts with comments
and reactions, pinning, report → hidden → restored or removed by a moderator, muting; outsiders are
refused everywhere and bad input is a clear 4xx that changes nothing."""

from __future__ import annotations

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
    posts = (await hood.leader.request("GET", f"/api/v1/communities/{hood.community_id}/board")).json()
    return [(p["id"], p["comments"], p["hidden"]) for p in posts]


async def test_posts_comments_reactions_and_pins(hood: Events) -> None:
    c = f"/api/v1/communities/{hood.community_id}/board"
    notice = await factories.board_post(hood.leader, hood.community_id, kind="announcement", text="周六停水")
    assert_problem(await hood.resident.request("POST", c, json={"kind": "announcement", "text": "假公告"}), 403)
    first = await factories.board_post(hood.resident, hood.community_id, photos=["https://img.example.com/box.jpg"])
    second = await factories.board_post(hood.neighbour, hood.community_id, text="楼下新开了面包店")
    ids = [p["id"] for p in (await hood.resident.request("GET", c)).json()]
    assert ids == [second["id"], first["id"], notice["id"]]  # newest first

    pinned = await hood.leader.request("POST", f"/api/v1/board-posts/{notice['id']}/pin")
    assert pinned.json()["pinned_at"]
    assert_problem(await hood.resident.request("POST", f"/api/v1/board-posts/{first['id']}/pin"), 403)
    assert [p["id"] for p in (await hood.resident.request("GET", c)).json()][0] == notice["id"]

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
