"""The room's WebSocket at the gateway: `/api/v1/sessions/{id}/room?token=…&since=…` (docs/live-room.md).

The gateway checks the access token itself (so a stranger never costs livestream anything), then
joins the client to the room at a livestream instance as that person, over the link this gateway
keeps to that room there (`relay.py`): the token goes up in the join message, never in a URL that
could be logged, and livestream checks it again and admits the person as it would directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import re

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketState
from websockets.exceptions import InvalidHandshake

from services.gateway.room.instances import preference
from services.gateway.room.protocol import NOT_FOUND, UNAUTHORISED, UNAVAILABLE, Close, auth_token
from services.gateway.room.relay import CLOSE_TIMEOUT, Client, Link, Links, serve
from services.gateway.settings import Settings
from shared.auth import verify_access_token
from shared.errors import Unauthorized
from shared.logging import get_logger

log = get_logger(__name__)
router = APIRouter(tags=["room"])

_SESSION_ID = re.compile(r"[0-9a-f]{32}")


class _Gone(Exception):
    """The client left before its room was opened."""


@router.websocket("/api/v1/sessions/{session_id}/room")
async def room(websocket: WebSocket, session_id: str) -> None:
    settings: Settings = websocket.app.state.settings
    await websocket.accept()
    try:
        if not _SESSION_ID.fullmatch(session_id):
            raise NOT_FOUND.because(f"session {session_id[:40]}")
        token = await _token(websocket, settings)
        try:
            person = verify_access_token(settings.jwt_public_key, token).user_id
        except Unauthorized as exc:
            raise UNAUTHORISED.because(exc.detail) from None
        since = websocket.query_params.get("since")
        client = Client(websocket, queue_size=settings.room_send_queue)
        link, vid = await _join(
            _links(websocket, settings), preference(settings.room_urls(), person), session_id, client, token, since
        )
    except _Gone:
        return
    except Close as close:
        if websocket.client_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(websocket.close(close.code, close.reason), CLOSE_TIMEOUT)
        return
    await serve(client, link, vid, max_bytes=settings.room_max_frame_bytes)


def _links(websocket: WebSocket, settings: Settings) -> Links:
    """This gateway's links, made with the first client."""
    state = websocket.app.state
    if getattr(state, "room_links", None) is None:
        state.room_links = Links(settings)
    return state.room_links  # type: ignore[no-any-return]


async def _token(websocket: WebSocket, settings: Settings) -> str:
    """The token from the URL, or from an `auth` frame sent first."""
    token = websocket.query_params.get("token")
    if token is not None:
        return token
    try:
        message = await asyncio.wait_for(websocket.receive(), settings.room_auth_seconds)
    except TimeoutError:
        raise UNAUTHORISED.because("send the token in the URL or an auth frame first") from None
    if message["type"] == "websocket.disconnect":
        raise _Gone
    frame = message.get("text")
    return auth_token(frame if frame is not None else message.get("bytes"), max_bytes=settings.room_max_frame_bytes)


async def _join(
    links: Links, instances: list[str], session_id: str, client: Client, token: str, since: str | None
) -> tuple[Link, int]:
    """The client joined to the room at the first instance (in this person's order) that answers."""
    for base_url in instances:
        try:
            link = await links.get(session_id, base_url)
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            log.warning("livestream instance unreachable for the room", instance=base_url, error=repr(exc))
            continue
        return link, await link.join(client, token=token, since=since)
    raise UNAVAILABLE.because("no livestream instance answered; retry")
