"""Moderation: the host and moderators mute, remove (for good) and delete messages; nobody else."""

from __future__ import annotations

import httpx

from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.test_bad_input import assert_problem
from tests.factories import LiveRoom
from tests.livestream.room import Room


async def test_mute_remove_and_delete(gateway: httpx.AsyncClient, system: LocalSystem, second_livestream: str) -> None:
    r = await LiveRoom.build(gateway, system)
    troll, neighbour = r.residents
    mod = factories.moderator(neighbour, r.community_id)
    base = f"/api/v1/sessions/{r.session_id}"
    trolling = await Room.join(system, r.session_id, troll, instance=second_livestream)
    watching = await Room.join(system, r.session_id, neighbour)
    await trolling.next("snapshot"), await watching.next("snapshot")

    said = await trolling.ask("chat", {"text": "广告广告"})
    await watching.next("chat")
    # nobody but staff moderates; staff cannot be muted
    for who in (troll, r.outsider):
        assert_problem(await who.request("POST", f"{base}/mutes", json={"user_id": neighbour.user_id}), 403)
        assert_problem(await who.request("DELETE", f"{base}/messages/{said['data']['message_id']}"), 403)
        assert_problem(await who.request("POST", f"{base}/removals", json={"user_id": neighbour.user_id}), 403)
    assert_problem(await mod.request("POST", f"{base}/mutes", json={"user_id": r.leader.user_id}), 403)
    assert_problem(await mod.request("POST", f"{base}/mutes", json={"user_id": troll.user_id, "minutes": 0}), 422)
    assert_problem(await mod.request("POST", f"{base}/mutes", json={"user_id": "troll"}), 422)

    # a moderator deletes the message everywhere
    deleted = await mod.request("DELETE", f"{base}/messages/{said['data']['message_id']}")
    assert deleted.status_code == 204
    assert (await watching.next("chat.deleted"))["data"]["id"] == said["data"]["message_id"]
    assert (await trolling.next("chat.deleted"))["data"]["id"] == said["data"]["message_id"]
    assert_problem(await mod.request("DELETE", f"{base}/messages/{said['data']['message_id']}"), 404)
    late = await Room.join(system, r.session_id, neighbour)
    assert (await late.next("snapshot"))["data"]["messages"] == []

    # muted: watches, cannot chat or ask, until unmuted
    muted = await mod.request("POST", f"{base}/mutes", json={"user_id": troll.user_id, "minutes": 5})
    assert muted.status_code == 201
    assert (await trolling.next("notice"))["data"]["kind"] == "muted"
    assert (await trolling.ask("chat", {"text": "我又来了"}))["data"]["code"] == "muted"
    assert (await trolling.ask("ask", {"text": "能问吗"}))["data"]["code"] == "muted"
    again = await Room.join(system, r.session_id, troll)
    assert (await again.next("snapshot"))["data"]["you"]["muted_until"] is not None
    await again.close()
    assert (await r.leader.request("DELETE", f"{base}/mutes/{troll.user_id}")).status_code == 204
    assert (await trolling.next("notice"))["data"]["kind"] == "unmuted"
    assert (await trolling.ask("chat", {"text": "我会好好说话"}))["type"] == "ack"

    # removed: closed at once on every instance, and never let back in
    other_tab = await Room.join(system, r.session_id, troll)
    await other_tab.next("snapshot")
    removed = await r.leader.request("POST", f"{base}/removals", json={"user_id": troll.user_id, "reason": "刷屏"})
    assert removed.status_code == 204
    assert (await trolling.closed())[0] == 4410
    assert (await other_tab.closed())[0] == 4410
    for instance in ("livestream", second_livestream):
        back = await Room.join(system, r.session_id, troll, instance=instance)
        code, reason = await back.closed()
        assert code == 4410 and reason.startswith("removed")
    said = await watching.ask("chat", {"text": "清净了"})
    assert said["type"] == "ack"  # the others carry on
