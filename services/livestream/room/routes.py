"""The room's WebSocket: `/sessions/{id}/room?token=…&since=…` (docs/live-room.md), and the gateway's
link that carries many viewers (`/sessions/{id}/room/link`, links.py). A viewer is served by the same
code either way: admission, roles, reading its frames, closing it."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, WebSocket

from services.livestream.guests import service as guests
from services.livestream.members import service as members
from services.livestream.moderation import service as moderation
from services.livestream.room import actions, protocol
from services.livestream.room.connections import Connection, Direct, Disconnected, Transport
from services.livestream.room.hub import RoomHub, get_rooms
from services.livestream.room.links import Link, Linked, join_data
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
from shared.auth import CurrentPrincipal, Principal, verify_access_token
from shared.errors import Forbidden, ServiceUnavailable, Unauthorized
from shared.logging import get_logger
from shared.service import SessionDep

log = get_logger(__name__)

router = APIRouter(tags=["room"])


async def _authenticate(transport: Transport, settings: Settings, token: str | None) -> Principal:
    """The token given (in the URL, or by the gateway), or else from an `auth` frame sent first."""
    if token is None:
        try:
            raw = await asyncio.wait_for(transport.receive(), settings.room_auth_seconds)
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


def _since(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise MALFORMED.because("since is the seq of the last frame seen")
    return int(raw)


@router.websocket("/sessions/{session_id}/room")
async def room(websocket: WebSocket, session_id: str) -> None:
    await websocket.accept()
    settings: Settings = websocket.app.state.settings
    transport = Direct(websocket, queue_size=settings.room_send_queue)
    query = websocket.query_params
    await _connect(transport, websocket.app.state.rooms, settings, session_id, query.get("token"), query.get("since"))


@router.websocket("/sessions/{session_id}/room/link")
async def link(websocket: WebSocket, session_id: str) -> None:
    """A gateway's link (links.py): its viewers join, speak and leave by number."""
    await websocket.accept()
    settings: Settings = websocket.app.state.settings
    hub: RoomHub = websocket.app.state.rooms
    link = Link(websocket, queue_size=settings.room_link_queue)
    viewers: set[asyncio.Task[None]] = set()
    ending: Close | None = None
    try:
        while link.closed is None:
            kind, vid, rest = await link.receive()
            if kind == "@":
                link.deliver(vid, rest)
            elif kind == "-":
                link.leave(vid)
            else:
                linked = link.add(vid, queue_size=settings.room_send_queue, inbox_size=settings.room_link_inbox)
                task = asyncio.create_task(_linked(linked, hub, settings, session_id, rest), name=f"room-linked-{vid}")
                viewers.add(task)
                task.add_done_callback(viewers.discard)
    except Disconnected:
        pass
    except Close as close:
        log.warning("room link closed: the gateway broke the protocol", reason=close.reason)
        ending = close
    finally:
        await link.finish(ending)
        await asyncio.gather(*viewers, return_exceptions=True)


async def _linked(linked: Linked, hub: RoomHub, settings: Settings, session_id: str, join: str) -> None:
    try:
        token, since = join_data(join)
    except Close as close:
        await linked.close(close)
        return
    await _connect(linked, hub, settings, session_id, token, since)


async def _connect(
    transport: Transport, hub: RoomHub, settings: Settings, session_id: str, token: str | None, since: str | None
) -> None:
    """One viewer, direct or linked, from its token to its leaving."""
    try:
        principal = await _authenticate(transport, settings, token)
        await _serve(transport, hub, settings, session_id=session_id, principal=principal, since=_since(since))
    except Disconnected:
        return
    except Close as close:
        await transport.close(close)
    except ServiceUnavailable as exc:
        await transport.close(UNAVAILABLE.because(exc.detail))
    finally:
        await transport.finish()


@router.get("/sessions/{session_id}/room/figures", summary="What this instance serves of the room (staff)")
async def figures(
    session_id: str, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> dict[str, int]:
    """Per instance: its connections, the people they are, the gateways' links and the viewers they carry."""
    live = await sessions.get_for_staff(session, principal=principal, session_id=session_id)
    feed = get_rooms(request).feeds.get(live.id)
    return feed.figures() if feed else {"connections": 0, "people": 0, "links": 0, "linked": 0}


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
    transport: Transport, hub: RoomHub, settings: Settings, *, session_id: str, principal: Principal, since: int | None
) -> None:
    live, role, name, muted_until = await _admit(hub, session_id=session_id, principal=principal)
    feed = await hub.feed(live.id)
    if principal.user_id in feed.removed:
        raise REMOVED.because("a moderator removed you from this session")
    conn = Connection(transport, principal=principal, name=name, role=role)
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
        await _read(conn, actions.Viewer(session_id=live.id, conn=conn, hub=hub, db=hub.db), settings)
    except Close as close:
        await conn.close(close)
    finally:
        feed.detach(conn)
        await conn.finish()


async def _read(conn: Connection, viewer: actions.Viewer, settings: Settings) -> None:
    inbound = TokenBucket(settings.room_inbound_rate, settings.room_inbound_burst)
    while conn.closed is None:
        try:
            raw = await conn.transport.receive()
        except Disconnected:
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
