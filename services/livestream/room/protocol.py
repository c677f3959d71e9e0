"""The room's wire format (docs/live-room.md): frames, client frame schemas, close codes, priorities.

Server frames are `{"seq", "type", "data", "at"}`; client frames `{"type", "data", "id"?}`. A client
frame that cannot be understood is a protocol violation and closes that connection.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Priority(IntEnum):
    """What a room over its rate sheds first: reactions, then chat; host and system frames never."""

    reaction = 0
    chat = 1
    system = 2
    host = 3


class Close(Exception):
    """Close the connection with this code and reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(code, reason)
        self.code, self.reason = code, reason

    def because(self, detail: str) -> Close:
        return Close(self.code, f"{self.reason}: {detail}"[:120])  # a close reason is at most 123 bytes


ENDED = Close(1000, "ended")
RESTART = Close(1012, "service restart")
TOO_BIG = Close(1009, "too big")
MALFORMED = Close(4400, "malformed")
UNAUTHORISED = Close(4401, "unauthorised")
FORBIDDEN = Close(4403, "forbidden")
NOT_FOUND = Close(4404, "not found")
SLOW = Close(4408, "slow")
SESSION_OVER = Close(4409, "ended")
REMOVED = Close(4410, "removed")
UNAVAILABLE = Close(4503, "unavailable")


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{value.__class__.__name__} is not JSON")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_default)


def jsonable(value: Any) -> Any:
    """Plain JSON values (times as ISO 8601 text), as every frame's data is kept in the room state."""
    return json.loads(dumps(value))


def encode(type_: str, data: Any, seq: int | None = None) -> str:
    return dumps({"seq": seq, "type": type_, "data": data, "at": now_iso()})


def error(code: str, message: str, frame_id: str | None = None, **extra: Any) -> str:
    return encode("error", {"id": frame_id, "code": code, "message": message, **extra})


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Auth(_Data):
    token: str = Field(min_length=1, max_length=4096)


class Ping(_Data):
    pass


class Chat(_Data):
    text: str = Field(min_length=1, max_length=300)
    consent: bool = False


class React(_Data):
    kind: Literal["like", "heart", "clap", "laugh", "wow"] = "like"


class Vote(_Data):
    poll_id: str = Field(min_length=1, max_length=64)
    option_ids: list[str] = Field(min_length=1, max_length=10)


class Ask(_Data):
    text: str = Field(min_length=1, max_length=200)
    card_id: str | None = Field(default=None, max_length=64)


class Upvote(_Data):
    question_id: str = Field(min_length=1, max_length=64)


class Need(_Data):
    card_id: str = Field(min_length=1, max_length=64)
    consent: bool
    note: str = Field(default="", max_length=200)


class FrameType(StrEnum):
    auth = "auth"
    ping = "ping"
    chat = "chat"
    react = "react"
    vote = "vote"
    ask = "ask"
    upvote = "upvote"
    need = "need"


SCHEMAS: dict[FrameType, type[_Data]] = {
    FrameType.auth: Auth,
    FrameType.ping: Ping,
    FrameType.chat: Chat,
    FrameType.react: React,
    FrameType.vote: Vote,
    FrameType.ask: Ask,
    FrameType.upvote: Upvote,
    FrameType.need: Need,
}


@dataclass(frozen=True)
class ClientFrame:
    type: FrameType
    data: Any
    id: str | None


def parse(raw: str | bytes | None, *, max_bytes: int) -> ClientFrame:
    """A client frame, or `Close` saying why it is not one."""
    if not isinstance(raw, str):
        raise MALFORMED.because("frames are JSON text")
    if len(raw) > max_bytes or len(raw.encode()) > max_bytes:
        raise TOO_BIG.because(f"a frame is at most {max_bytes} bytes")
    try:
        frame = json.loads(raw)
    except ValueError:
        raise MALFORMED.because("not JSON") from None
    if not isinstance(frame, dict) or set(frame) - {"type", "data", "id"}:
        raise MALFORMED.because("a frame is an object of type, data and id")
    try:
        type_ = FrameType(str(frame.get("type")))
    except ValueError:
        raise MALFORMED.because(f"unknown type {str(frame.get('type'))[:40]!r}") from None
    frame_id = frame.get("id")
    if frame_id is not None and (not isinstance(frame_id, str) or len(frame_id) > 64):
        raise MALFORMED.because("id is a string of at most 64 characters")
    try:
        data = SCHEMAS[type_].model_validate(frame.get("data") or {})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "data"
        raise MALFORMED.because(f"{type_}: {where}: {err['msg']}") from None
    return ClientFrame(type=type_, data=data, id=frame_id)
