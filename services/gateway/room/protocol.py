"""The gateway's part of the room protocol (docs/live-room.md): the close codes it sends itself, and
the `auth` frame a client may send first instead of putting its token in the URL. Every other frame
is livestream's to judge; the gateway relays it unread."""

from __future__ import annotations

import json
from typing import TypeGuard

CLOSE_REASON_BYTES = 123  # what a close frame has room for


class Close(Exception):
    """Close the client's connection with this code and reason."""

    def __init__(self, code: int, reason: str) -> None:
        reason = reason.encode()[:CLOSE_REASON_BYTES].decode(errors="ignore")
        super().__init__(code, reason)
        self.code, self.reason = code, reason

    def because(self, detail: str) -> Close:
        return Close(self.code, f"{self.reason}: {detail}")


GOING_AWAY = Close(1001, "going away")
TOO_BIG = Close(1009, "too big")
MALFORMED = Close(4400, "malformed")
UNAUTHORISED = Close(4401, "unauthorised")
NOT_FOUND = Close(4404, "not found")
SLOW = Close(4408, "slow")
UNAVAILABLE = Close(4503, "unavailable")

# Codes a close frame may carry (RFC 6455 §7.4): 1005, 1006 and 1015 only ever describe a closure.
_SENDABLE = frozenset({1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014})


def sendable(code: int | None) -> TypeGuard[int]:
    return code is not None and (code in _SENDABLE or 3000 <= code <= 4999)


def check_size(frame: str | bytes, max_bytes: int) -> None:
    if len(frame) > max_bytes or (isinstance(frame, str) and len(frame.encode()) > max_bytes):
        raise TOO_BIG.because(f"a frame is at most {max_bytes} bytes")


def auth_token(frame: str | bytes | None, *, max_bytes: int) -> str:
    """The token of a first frame `{"type": "auth", "data": {"token": …}}`, or `Close` saying why not."""
    if not isinstance(frame, str):
        raise MALFORMED.because("frames are JSON text")
    check_size(frame, max_bytes)
    try:
        parsed = json.loads(frame)
    except ValueError:
        raise MALFORMED.because("not JSON") from None
    if not isinstance(parsed, dict) or parsed.get("type") != "auth":
        raise UNAUTHORISED.because("the first frame must be auth")
    data = parsed.get("data")
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        raise MALFORMED.because("auth: data.token is the access token")
    return token
