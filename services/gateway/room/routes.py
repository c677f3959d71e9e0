"""The room's WebSocket at the gateway: `/api/v1/sessions/{id}/room?token=…&since=…` (docs/live-room.md).

The gateway checks the access token itself (so a stranger never costs a livestream connection),
then opens the same room at a livestream instance as that person — the token goes upstream in an
`auth` frame, never in a URL that could be logged — and relays frames both ways (`relay.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from urllib.parse import urlencode

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from services.gateway.room.instances import preference, websocket_url
from services.gateway.room.protocol import NOT_FOUND, UNAUTHORISED, UNAVAILABLE, Close, auth_token
from services.gateway.room.relay import CLOSE_TIMEOUT, Relay
from services.gateway.settings import Settings
from shared.auth import verify_access_token
from shared.correlation import outgoing_headers
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
        path = f"/sessions/{session_id}/room" + (f"?{urlencode({'since': since})}" if since is not None else "")
        upstream = await _open(preference(settings.room_urls(), person), path, token, settings)
    except _Gone:
        return
    except Close as close:
        if websocket.client_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(websocket.close(close.code, close.reason), CLOSE_TIMEOUT)
        return
    relay = Relay(websocket, upstream, queue_size=settings.room_send_queue, max_bytes=settings.room_max_frame_bytes)
    await relay.run()


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


async def _open(instances: list[str], path: str, token: str, settings: Settings) -> ClientConnection:
    """The room at the first instance (in this person's order) that answers, authenticated as them."""
    for base_url in instances:
        url = websocket_url(base_url) + path
        try:
            upstream = await connect(
                url,
                proxy=None,  # instances are reached directly, whatever proxy the environment names
                compression=None,  # a hop inside the deployment: deflate would only cost CPU
                open_timeout=settings.upstream_timeout,
                close_timeout=CLOSE_TIMEOUT,
                additional_headers=outgoing_headers(),
            )
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            log.warning("livestream instance unreachable for the room", instance=base_url, error=repr(exc))
            continue
        with contextlib.suppress(ConnectionClosed):  # if it closed at once, the relay passes its close on
            await upstream.send(json.dumps({"type": "auth", "data": {"token": token}}))
        return upstream
    raise UNAVAILABLE.because("no livestream instance answered; retry")
