"""The room's WebSocket: `/sessions/{id}/room?token=…&since=…` (docs/live-room.md)."""

from __future__ import annotations

import asyncio
import contextlib

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketState

from services.livestream.guests import service as guests
from services.livestream.members import service as members
from services.livestream.moderation import service as moderation
from services.livestream.room import actions, protocol
from services.livestream.room.connections import Connection
from services.livestream.room.hub import RoomHub
from services.livestream.room.moderation import STAFF
from services.livestream.room.protocol import (
    FORBIDDEN,
    MALFORMED,
    NOT_FOUND,
    REMOVED,
    SESSION_OVER,
    UNAUTHORISED,
    UNAVAILABLE,
    Close,
    FrameType,
    encode,
    error,
)
from services.livestream.room.ratelimit import TokenBucket
from services.livestream.sessions import service as sessions
from services.livestream.sessions.models import LiveSession
from services.livestream.settings import Settings
from shared.auth import Principal, verify_access_token
from shared.errors import Forbidden, ServiceUnavailable, Unauthorized
from shared.logging import get_logger

log = get_logger(__name__)

router = APIRouter(tags=["room"])


class Disconnected(Exception):
    """The client went away."""


async def _receive(websocket: WebSocket) -> str | bytes | None:
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise Disconnected
    return message.get("text") if message.get("text") is not None else message.get("bytes")


async def _authenticate(websocket: WebSocket, settings: Settings) -> Principal:
    """The token from the URL, or from an `auth` frame sent first."""
    token = websocket.query_params.get("token")
    if token is None:
        try:
            raw = await asyncio.wait_for(_receive(websocket), settings.room_auth_seconds)
        except TimeoutError:
            raise UNAUTHORISED.because("send the token in the URL or an auth frame first") from None
        frame = protocol.parse(raw, max_bytes=settings.room_max_frame_bytes)
        if frame.type != FrameType.auth:
            raise UNAUTHORISED.because("the first frame must be auth")
        token = frame.data.token
    try:
        return verify_access_token(settings.jwt_public_key, token)
    except Unauthorized as exc:
        raise UNAUTHORISED.because(exc.detail) from None


def _since(websocket: WebSocket) -> int | None:
    raw = websocket.query_params.get("since")
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise MALFORMED.because("since is the seq of the last frame seen")
    return int(raw)


@router.websocket("/sessions/{session_id}/room")
async def room(websocket: WebSocket, session_id: str) -> None:
    await websocket.accept()
    settings: Settings = websocket.app.state.settings
    hub: RoomHub = websocket.app.state.rooms
    try:
        principal = await _authenticate(websocket, settings)
        since = _since(websocket)
        await _serve(websocket, hub, settings, session_id=session_id, principal=principal, since=since)
    except Disconnected:
        return
    except Close as close:
        await _close(websocket, close)
    except ServiceUnavailable as exc:
        await _close(websocket, UNAVAILABLE.because(exc.detail))


async def _close(websocket: WebSocket, close: Close) -> None:
    if websocket.client_state == WebSocketState.CONNECTED:
        with contextlib.suppress(Exception):
            await websocket.close(close.code, close.reason)


async def _admit(hub: RoomHub, *, session_id: str, principal: Principal) -> tuple[LiveSession, str, str, str | None]:
    """Who may join, as whom: (the session, their role, their name, muted until)."""
    async with hub.db.reader() as session:
        live = await session.get(LiveSession, session_id)
        if live is None:
            raise NOT_FOUND.because(f"session {session_id}")
        if not live.is_open:
            raise SESSION_OVER.because(f"the session has {live.status}")
        guest = await guests.is_guest(session, session_id=live.id, user_id=principal.user_id)
        if not guest:
            try:
                sessions.require_viewer(live, principal)
            except Forbidden as exc:
                raise FORBIDDEN.because(exc.detail) from None
        if await moderation.is_removed(session, session_id=live.id, user_id=principal.user_id):
            raise REMOVED.because("a moderator removed you from this session")
        if principal.user_id == live.host_id:
            role = "host"
        elif sessions.is_staff(live, principal):
            role = "moderator"
        else:
            role = "guest" if guest else "viewer"
        name = await members.name(session, community_id=live.community_id, user_id=principal.user_id)
        muted = await moderation.muted_until(session, session_id=live.id, user_id=principal.user_id)
    return live, role, name, muted.isoformat() if muted else None


async def _serve(
    websocket: WebSocket, hub: RoomHub, settings: Settings, *, session_id: str, principal: Principal, since: int | None
) -> None:
    live, role, name, muted_until = await _admit(hub, session_id=session_id, principal=principal)
    feed = await hub.feed(live.id)
    if principal.user_id in feed.removed:
        raise REMOVED.because("a moderator removed you from this session")
    conn = Connection(websocket, principal=principal, name=name, role=role, queue_size=settings.room_send_queue)
    you = {"user_id": principal.user_id, "name": name, "role": role, "muted_until": muted_until}
    feed.attach(conn)
    try:
        # attach and read the history with no await between: every frame is in one or the other, once
        missed = feed.missed(since) if since is not None else None
        if missed is not None:
            conn.start(
                [encode("recovered", {"since": since, "replayed": len(missed), "you": you}), *missed],
                floor=feed.last_seq,
            )
        else:
            snapshot = await hub.call(live.id, {"op": "snapshot"})
            conn.start(
                [encode("snapshot", {**snapshot["state"], "you": you}, seq=snapshot["seq"])], floor=snapshot["seq"]
            )
        await _read(websocket, conn, actions.Viewer(session_id=live.id, conn=conn, hub=hub, db=hub.db), settings)
    except Close as close:
        await conn.close(close)
    finally:
        feed.detach(conn)
        await conn.finish()


async def _read(websocket: WebSocket, conn: Connection, viewer: actions.Viewer, settings: Settings) -> None:
    inbound = TokenBucket(settings.room_inbound_rate, settings.room_inbound_burst)
    while conn.closed is None:
        try:
            raw = await _receive(websocket)
        except (Disconnected, RuntimeError):
            return
        frame = protocol.parse(raw, max_bytes=settings.room_max_frame_bytes)
        if frame.type == FrameType.auth:
            raise MALFORMED.because("already authenticated")
        if conn.role not in STAFF and not inbound.take():  # the host may well fire a burst in a flash sale
            conn.offer(None, error("rate_limited", "too many frames", frame.id))
            continue
        try:
            await actions.handle(frame, viewer)
        except ServiceUnavailable as exc:
            conn.offer(None, error("unavailable", exc.detail, frame.id))
