"""Which livestream instance a person's room connection goes to, what the gateway reads of a first
frame, and the settings that name the instances (no processes)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from services.gateway.room.instances import preference, websocket_url
from services.gateway.room.protocol import Close, auth_token
from services.gateway.settings import Settings
from shared.models import new_id

A, B, C = "http://10.0.0.1:8003", "http://10.0.0.2:8003", "http://10.0.0.3:8003"
PEOPLE = [new_id() for _ in range(3000)]


def test_people_spread_evenly_and_always_go_to_the_same_instance() -> None:
    first = Counter(preference([A, B], person)[0] for person in PEOPLE)
    assert set(first) == {A, B} and all(1300 < n < 1700 for n in first.values()), first
    assert all(preference([A, B], p) == preference([B, A], p) for p in PEOPLE[:100])  # whatever the list's order
    assert sorted(preference([A, B, C], PEOPLE[0])) == [A, B, C]  # every instance, to fall back on


def test_adding_an_instance_moves_only_the_people_it_takes() -> None:
    before = {p: preference([A, B], p)[0] for p in PEOPLE}
    after = {p: preference([A, B, C], p)[0] for p in PEOPLE}
    moved = [p for p in PEOPLE if before[p] != after[p]]
    assert all(after[p] == C for p in moved)
    assert 800 < len(moved) < 1200  # about a third
    # and the people of an instance that goes try the others in the order they would anyway
    assert all(preference([A, B, C], p)[1:] == preference([A, B], p) for p in PEOPLE if after[p] == C)


def test_websocket_urls() -> None:
    assert websocket_url("http://livestream:8003") == "ws://livestream:8003"
    assert websocket_url("https://live.example.com/") == "wss://live.example.com"


@pytest.mark.parametrize(
    ("frame", "code", "reason"),
    [
        (b"\x00", 4400, "malformed: frames are JSON text"),
        ("{nope", 4400, "malformed: not JSON"),
        (json.dumps({"type": "chat", "data": {"text": "hi"}}), 4401, "unauthorised: the first frame must be auth"),
        (json.dumps([1]), 4401, "unauthorised: the first frame must be auth"),
        (json.dumps({"type": "auth", "data": {}}), 4400, "malformed: auth: data.token is the access token"),
        (json.dumps({"type": "auth", "data": {"token": "x" * 5000}}), 1009, "too big: a frame is at most 4096 bytes"),
    ],
)
def test_what_is_not_an_auth_frame(frame: str | bytes, code: int, reason: str) -> None:
    with pytest.raises(Close) as refused:
        auth_token(frame, max_bytes=4096)
    assert (refused.value.code, refused.value.reason) == (code, reason)


def test_an_auth_frame() -> None:
    assert auth_token(json.dumps({"type": "auth", "data": {"token": "abc"}}), max_bytes=4096) == "abc"


def test_close_reasons_fit_a_close_frame() -> None:
    long = Close(4400, "malformed").because("无法解析" * 40)
    assert len(long.reason.encode()) <= 123 and long.reason.startswith("malformed: 无法解析")


def test_room_urls_default_to_the_livestream_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINLI_GATEWAY_LIVESTREAM_URL", "http://livestream:8003")
    assert Settings().room_urls() == ["http://livestream:8003"]
    monkeypatch.setenv("LINLI_GATEWAY_LIVESTREAM_ROOM_URLS", '["http://a:8003/", "https://b:443"]')
    assert Settings().room_urls() == ["http://a:8003", "https://b:443"]
    for bad in ('["ftp://a"]', '["http://a:8003/sessions"]'):
        monkeypatch.setenv("LINLI_GATEWAY_LIVESTREAM_ROOM_URLS", bad)
        with pytest.raises(ValueError):
            Settings()
