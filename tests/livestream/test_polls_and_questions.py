"""Polls that collect needs (one vote per person, live results, counts announced at close) and
questions (upvoted once each, answered on air, and after the session on the product's Q&A)."""

from __future__ import annotations

import httpx

from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.stream import published
from tests.e2e.test_bad_input import assert_problem
from tests.factories import LiveRoom
from tests.livestream.room import Room


async def test_a_poll_counts_each_person_once(
    gateway: httpx.AsyncClient, system: LocalSystem, second_livestream: str
) -> None:
    r = await LiveRoom.build(gateway, system, residents=3)
    url = f"/api/v1/sessions/{r.session_id}/polls"
    for who in (r.resident, r.outsider):
        assert_problem(await who.request("POST", url, json=factories.poll_body()), 403)
    for bad in (
        factories.poll_body(options=[{"label": "只有一个"}]),
        factories.poll_body(options=[{"label": "同"}, {"label": "同"}]),
        factories.poll_body(question=""),
        factories.poll_body(options=[{"label": "a", "category": "Not A Tag"}, {"label": "b"}]),
    ):
        assert_problem(await r.leader.request("POST", url, json=bad), 422)
    created = await factories.poll(r.leader, r.session_id)
    assert created["status"] == "draft"
    rooms = [await Room.join(system, r.session_id, who, instance=second_livestream) for who in r.residents]
    for room in rooms:
        await room.next("snapshot")
    tutoring, phones, baking = (o["id"] for o in created["options"])
    early = await rooms[0].ask("vote", {"poll_id": created["id"], "option_ids": [tutoring]})
    assert early["data"]["code"] == "conflict"  # not open yet
    assert (await r.leader.request("POST", f"{url}/{created['id']}/open")).status_code == 200
    assert (await rooms[0].next("poll"))["data"]["status"] == "open"

    assert (await rooms[0].ask("vote", {"poll_id": created["id"], "option_ids": [tutoring]}))["type"] == "ack"
    twice = await rooms[0].ask("vote", {"poll_id": created["id"], "option_ids": [phones]})
    assert twice["data"]["code"] == "already_voted"
    assert (await rooms[1].ask("vote", {"poll_id": created["id"], "option_ids": [tutoring, phones]}))["data"][
        "code"
    ] == "unprocessable"
    assert (await rooms[1].ask("vote", {"poll_id": created["id"], "option_ids": ["nope"]}))["data"][
        "code"
    ] == "unprocessable"
    assert (await rooms[1].ask("vote", {"poll_id": created["id"], "option_ids": [phones]}))["type"] == "ack"
    assert (await rooms[2].ask("vote", {"poll_id": created["id"], "option_ids": [tutoring]}))["type"] == "ack"
    live = await rooms[2].next(lambda f: f["type"] == "poll" and f["data"]["voters"] == 3)
    assert [o["votes"] for o in live["data"]["options"]] == [2, 1, 0]

    assert_problem(await r.resident.request("POST", f"{url}/{created['id']}/close"), 403)
    closed = await r.leader.request("POST", f"{url}/{created['id']}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert_problem(await r.leader.request("POST", f"{url}/{created['id']}/close"), 409)
    after = await rooms[0].ask("vote", {"poll_id": created["id"], "option_ids": [baking]})
    assert after["data"]["code"] == "conflict"

    async def announced() -> list[object]:
        return await published(system, "livestream.poll.closed", subject=created["id"])

    (event,) = await factories.until(announced)
    assert event.data.voters == 3 and event.community_id == r.community_id
    assert [(o.label, o.category, o.votes) for o in event.data.options] == [
        ("少儿编程", "tutoring", 2),
        ("老年智能手机", "culture", 1),
        ("烘焙", None, 0),
    ]

    multiple = await factories.poll(r.leader, r.session_id, multiple=True, open=True)
    first, second, _ = (o["id"] for o in multiple["options"])
    both = await rooms[0].ask("vote", {"poll_id": multiple["id"], "option_ids": [first, second, first]})
    assert both["type"] == "ack"
    tally = await rooms[0].next(
        lambda f: f["type"] == "poll" and f["data"]["id"] == multiple["id"] and f["data"]["voters"]
    )
    assert [o["votes"] for o in tally["data"]["options"]] == [1, 1, 0]


async def test_questions_upvotes_and_the_products_qa(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    r = await LiveRoom.build(gateway, system, residents=3)
    asker, voter, buyer = r.residents
    product = await factories.product(r.leader, r.community_id, name="五常大米")
    deal = await factories.deal(r.leader, r.community_id, product["id"])
    card = await factories.card(r.leader, r.session_id, "deal", deal["id"], pin=True)
    rooms = [await Room.join(system, r.session_id, who) for who in r.residents]
    for room in rooms:
        await room.next("snapshot")

    asked = await rooms[0].ask("ask", {"text": "这个米怎么煮好吃？", "card_id": card["id"]})
    question_id = asked["data"]["question_id"]
    shown = await rooms[1].next("question")
    assert (shown["data"]["text"], shown["data"]["product_id"], shown["data"]["upvotes"]) == (
        "这个米怎么煮好吃？",
        product["id"],
        0,
    )
    too_soon = await rooms[0].ask("ask", {"text": "还有一个问题"})
    assert too_soon["data"]["code"] == "rate_limited"
    assert (await rooms[1].ask("upvote", {"question_id": question_id}))["type"] == "ack"
    assert (await rooms[1].ask("upvote", {"question_id": question_id}))["data"]["code"] == "already_upvoted"
    assert (await rooms[2].ask("upvote", {"question_id": question_id}))["type"] == "ack"
    await rooms[0].next(lambda f: f["type"] == "question" and f["data"]["upvotes"] == 2)
    assert (await rooms[1].ask("upvote", {"question_id": "0" * 32}))["data"]["code"] == "not_found"
    bad_card = await rooms[2].ask("ask", {"text": "哪张卡？", "card_id": "nope"})
    assert bad_card["data"]["code"] == "not_found"

    answered_url = f"/api/v1/sessions/{r.session_id}/questions/{question_id}/answered"
    assert_problem(await voter.request("POST", answered_url), 403)
    assert (await r.leader.request("POST", answered_url)).json()["answered"] is True
    assert (await rooms[0].next(lambda f: f["type"] == "question" and f["data"]["answered"]))["data"][
        "id"
    ] == question_id
    listed = (await voter.request("GET", f"/api/v1/sessions/{r.session_id}/questions")).json()
    assert [(q["id"], q["upvotes"], q["answered"]) for q in listed[:1]] == [(question_id, 2, True)]

    # after the session, on the product's Q&A: the leader and residents who bought it answer
    assert (await r.leader.request("POST", f"/api/v1/sessions/{r.session_id}/end")).status_code == 200
    await factories.paid_order(buyer, deal["id"])
    answers_url = f"/api/v1/sessions/qa/questions/{question_id}/answers"
    assert_problem(await voter.request("POST", answers_url, json={"text": "我猜要泡一下"}), 403)
    assert_problem(await r.outsider.request("POST", answers_url, json={"text": "外人"}), 403)
    assert_problem(await r.leader.request("POST", answers_url, json={"text": ""}), 422)

    async def buyer_answers() -> httpx.Response | None:
        response = await buyer.request("POST", answers_url, json={"text": "水多一点，泡半小时再煮"})
        return response if response.status_code == 201 else None  # once livestream heard of the payment

    by_buyer = (await factories.until(buyer_answers)).json()
    assert by_buyer["author_role"] == "buyer"
    by_leader = await r.leader.request("POST", answers_url, json={"text": "配东北酸菜特别香"})
    assert by_leader.json()["author_role"] == "leader"
    qa = (await voter.request("GET", f"/api/v1/sessions/qa/products/{product['id']}")).json()
    assert [(q["text"], [a["text"] for a in q["answers"]]) for q in qa] == [
        ("这个米怎么煮好吃？", ["水多一点，泡半小时再煮", "配东北酸菜特别香"])
    ]
    assert (await r.outsider.request("GET", f"/api/v1/sessions/qa/products/{product['id']}")).json() == []
