"""Giveaways drawn among the viewers present, one prize each, reproducible from the recorded seed;
guests invited with one-time links, a provider only while listed, shown with its badge."""

from __future__ import annotations

import random

import httpx

from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.stream import published
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Directory, LiveRoom
from tests.livestream.room import Room


async def test_a_giveaway_is_drawn_among_viewers_present(
    gateway: httpx.AsyncClient, system: LocalSystem, second_livestream: str
) -> None:
    r = await LiveRoom.build(gateway, system, residents=4)
    present, absent = r.residents[:3], r.residents[3]
    url = f"/api/v1/sessions/{r.session_id}/giveaways"
    host = await Room.join(system, r.session_id, r.leader)
    await host.next("snapshot")
    rooms = [await Room.join(system, r.session_id, who, instance=second_livestream) for who in present]
    gone = await Room.join(system, r.session_id, absent)
    await gone.next("snapshot")
    await gone.close()  # was here, left before the draw
    await host.next(lambda f: f["type"] == "viewers" and f["data"]["count"] == 4)

    assert_problem(await r.resident.request("POST", url, json={"title": "福袋", "prizes": 1}), 403)
    assert_problem(await r.leader.request("POST", url, json={"title": "福袋", "prizes": 0}), 422)
    opened = await r.leader.request("POST", url, json={"title": "福袋：有机米粉一盒", "prizes": 10})
    assert opened.status_code == 201
    giveaway = opened.json()
    assert_problem(await r.leader.request("POST", url, json={"title": "再来一个", "prizes": 1}), 409)
    assert (await rooms[0].next("giveaway"))["data"]["status"] == "open"
    assert_problem(await r.resident.request("POST", f"{url}/{giveaway['id']}/draw"), 403)
    drawn = await r.leader.request("POST", f"{url}/{giveaway['id']}/draw")
    assert drawn.status_code == 200, drawn.text
    winners = [w["user_id"] for w in drawn.json()["winners"]]
    # ten prizes, three viewers present: each wins once; the host and the one who left do not
    assert sorted(winners) == sorted(who.user_id for who in present)
    frame = await rooms[1].next(lambda f: f["type"] == "giveaway" and f["data"]["status"] == "drawn")
    assert [w["user_id"] for w in frame["data"]["winners"]] == winners
    assert_problem(await r.leader.request("POST", f"{url}/{giveaway['id']}/draw"), 409)

    audit = (await r.residents[1].request("GET", f"{url}/{giveaway['id']}")).json()
    assert audit["reproduced"] is True and audit["eligible"] == sorted(who.user_id for who in present)
    redone = random.Random(audit["seed"]).sample(
        sorted(audit["eligible"]), min(audit["prizes"], len(audit["eligible"]))
    )
    assert redone == winners
    assert_problem(await r.outsider.request("GET", f"{url}/{giveaway['id']}"), 403)

    async def announced() -> list[object]:
        return await published(system, "livestream.giveaway.drawn", subject=giveaway["id"])

    (event,) = await factories.until(announced)
    assert (event.data.seed, event.data.winner_ids, event.data.eligible) == (audit["seed"], winners, 3)


async def test_guests_join_on_air_with_one_time_links(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    d = await Directory.build(gateway, system)
    await factories.endorse(d.leader, d.provider["id"], d.community_id, note="阿姨做事细致")
    session = await factories.on_air(d.leader, d.community_id, kind="service_introduction")
    url = f"/api/v1/sessions/{session['id']}/guests"
    viewer = await Room.join(system, session["id"], d.resident)
    await viewer.next("snapshot")

    assert_problem(await d.resident.request("POST", url, json={"kind": "expert", "name": "王医生"}), 403)
    assert_problem(await d.leader.request("POST", url, json={"kind": "expert"}), 422)
    assert_problem(await d.leader.request("POST", url, json={"kind": "provider"}), 422)
    assert_problem(await d.leader.request("POST", url, json={"kind": "provider", "provider_id": "0" * 32}), 404)
    expert = await d.leader.request("POST", url, json={"kind": "expert", "name": "王医生", "title": "儿科主治医师"})
    assert expert.status_code == 201
    invitation = expert.json()
    assert invitation["link"].endswith(f"/live/{session['id']}/guest?token={invitation['token']}")
    assert "token" not in str((await d.leader.request("GET", url)).json())

    doctor = await factories.person(gateway, system)  # not even a member of the community
    redeem = f"{url}/redeem"
    assert_problem(await doctor.request("POST", redeem, json={"token": "x" * 32}), 404)
    used = await doctor.request("POST", redeem, json={"token": invitation["token"]})
    assert used.status_code == 200 and used.json()["redeemed"] is True
    assert_problem(await d.resident.request("POST", redeem, json={"token": invitation["token"]}), 409)  # single use
    guests = (await viewer.next("guests"))["data"]["items"]
    assert [(g["name"], g["title"], g["kind"]) for g in guests] == [("王医生", "儿科主治医师", "expert")]
    on_air = await Room.join(system, session["id"], doctor)
    assert (await on_air.next("snapshot"))["data"]["you"]["role"] == "guest"
    assert (await on_air.ask("chat", {"text": "大家好，我是王医生"}))["type"] == "ack"
    assert (await viewer.next("chat"))["data"]["role"] == "guest"

    # a provider guest: listed in the community, shown with its badge
    provider = await d.leader.request("POST", url, json={"kind": "provider", "provider_id": d.provider["id"]})
    assert provider.status_code == 201
    assert provider.json()["name"] == "阳光家政服务社" and provider.json()["badge"]["endorsed"] is True
    assert (await d.owner.request("POST", redeem, json={"token": provider.json()["token"]})).status_code == 200
    guests = (await viewer.next(lambda f: f["type"] == "guests" and len(f["data"]["items"]) == 2))["data"]["items"]
    assert guests[1]["badge"]["endorsement_note"] == "阿姨做事细致"
    # taken off air
    assert (await d.leader.request("DELETE", f"{url}/{invitation['id']}")).json()["revoked"] is True
    assert [g["name"] for g in (await viewer.next("guests"))["data"]["items"]] == ["阳光家政服务社"]

    # a suspended provider cannot be invited
    await factories.move(d.leader, d.listing["id"], "suspended", "资质待查")

    async def refused() -> bool:
        body = {"kind": "provider", "provider_id": d.provider["id"]}
        return (await d.leader.request("POST", url, json=body)).status_code == 409

    await factories.until(refused)
