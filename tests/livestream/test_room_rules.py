"""The room's rules without processes: frame parsing, the priority of the room-wide rate, chat rules,
the state fold and the giveaway draw."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from services.livestream.giveaways.service import draw_winners
from services.livestream.room.moderation import RoomRules
from services.livestream.room.protocol import Close, FrameType, Priority, parse
from services.livestream.room.ratelimit import Buckets, RoomAdmission
from services.livestream.room.state import RoomState


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (None, 4400),
        (b"{}", 4400),
        ("[]", 4400),
        ("{oops", 4400),
        (json.dumps({"type": "chat", "data": {"text": "hi"}, "extra": 1}), 4400),
        (json.dumps({"type": "chat", "data": {"text": "hi", "colour": "red"}}), 4400),
        (json.dumps({"type": "chat", "data": {"text": "   "}}), 4400),
        (json.dumps({"type": "chat", "data": {"text": "hi"}, "id": 7}), 4400),
        (json.dumps({"type": "need", "data": {"card_id": "c"}}), 4400),  # consent is required
        (json.dumps({"type": "chat", "data": {"text": "长" * 2000}}), 1009),
    ],
)
def test_bad_frames_close_with_a_reason(raw: object, code: int) -> None:
    with pytest.raises(Close) as closed:
        parse(raw, max_bytes=4096)  # type: ignore[arg-type]
    assert closed.value.code == code and len(closed.value.reason.encode()) <= 123


def test_good_frames() -> None:
    frame = parse(
        json.dumps({"type": "vote", "data": {"poll_id": "p", "option_ids": ["a"]}, "id": "v1"}), max_bytes=4096
    )
    assert (frame.type, frame.data.option_ids, frame.id) == (FrameType.vote, ["a"], "v1")
    assert parse('{"type": "ping"}', max_bytes=64).type == FrameType.ping


def test_the_room_sheds_reactions_then_chat_never_host_frames() -> None:
    room = RoomAdmission(rate=0.001, burst=10)
    reactions = [room.admit(Priority.reaction) for _ in range(10)]
    assert reactions == [True] * 5 + [False] * 5  # down to half the bucket
    chats = [room.admit(Priority.chat) for _ in range(6)]
    assert chats == [True] * 5 + [False]
    assert all(room.admit(Priority.host) for _ in range(100)) and room.admit(Priority.system)
    assert room.shed == {"reaction": 5, "chat": 1, "system": 0, "host": 0}


def test_chat_rules() -> None:
    now = datetime.now(UTC)
    rules = RoomRules(chat=Buckets(1, 2), reactions=Buckets(5, 5), ask_seconds=10, blocked_words=["加微信"])
    assert rules.check_chat(user_id="u", role="viewer", text="加微信聊", now=now, clock=0) is not None
    assert rules.check_chat(user_id="u", role="viewer", text="你好", now=now, clock=0) is None
    assert rules.check_chat(user_id="u", role="viewer", text="你好", now=now, clock=0) is None
    limited = rules.check_chat(user_id="u", role="viewer", text="你好", now=now, clock=0)
    assert limited is not None and limited.code == "rate_limited"
    rules.slow_mode_seconds = 30
    rules.sent_chat("v", clock=100)
    slowed = rules.check_chat(user_id="v", role="viewer", text="再说", now=now, clock=110)
    assert slowed is not None and slowed.code == "slow_mode" and slowed.extra["retry_after"] == 20
    assert rules.check_chat(user_id="m", role="moderator", text="管理", now=now, clock=110) is None
    rules.muted["v"] = now + timedelta(minutes=1)
    muted = rules.check_chat(user_id="v", role="viewer", text="x", now=now, clock=200)
    assert muted is not None and muted.code == "muted"
    assert rules.check_chat(user_id="v", role="viewer", text="x", now=now + timedelta(minutes=2), clock=200) is None
    rules.lead_keywords = ["保洁"]
    assert rules.lead_keyword("想找保洁阿姨") == "保洁" and rules.lead_keyword("你好") is None


def test_the_state_is_the_fold_of_its_frames() -> None:
    state = RoomState(messages=2)
    for i in range(3):
        state.apply("chat", {"id": f"m{i}", "text": str(i)})
    state.apply("chat.deleted", {"id": "m1"})
    state.apply("cards", {"items": [{"id": "c1", "left": 5}], "pinned_id": "c1"})
    state.apply("card", {"card": {"id": "c1", "left": 4}})
    state.apply("poll", {"id": "p1", "status": "closed", "opened_at": "1"})
    state.apply("poll", {"id": "p2", "status": "open", "opened_at": "2"})
    state.apply("question", {"id": "q1", "upvotes": 1, "answered": False, "created_at": "1"})
    state.apply("question", {"id": "q2", "upvotes": 3, "answered": False, "created_at": "2"})
    snapshot = state.snapshot()
    assert [m["id"] for m in snapshot["messages"]] == ["m2"]
    assert snapshot["cards"]["items"] == [{"id": "c1", "left": 4}]
    assert [p["id"] for p in snapshot["polls"]] == ["p2", "p1"]
    assert [q["id"] for q in snapshot["questions"]] == ["q2", "q1"]


def test_a_draw_is_reproducible_and_one_prize_per_person() -> None:
    eligible = [f"u{i}" for i in range(20)]
    first = draw_winners("seed-1", eligible, 5)
    assert first == draw_winners("seed-1", list(reversed(eligible)), 5)  # the order given does not matter
    assert len(set(first)) == 5 and set(first) <= set(eligible)
    assert sorted(draw_winners("seed-2", eligible[:3], 10)) == eligible[:3]
    assert draw_winners("seed-3", [], 3) == []
