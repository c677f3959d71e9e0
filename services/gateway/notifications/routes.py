import asyncio
from collections.abc import AsyncGenerator
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import StreamingResponse

from services.gateway.notifications import service
from services.gateway.notifications.live import Hub
from services.gateway.notifications.models import NotificationPage, NotificationPublic, Preferences, UnreadCount
from shared.auth import CurrentPrincipal
from shared.db import Database
from shared.pagination import Limit
from shared.service import ReaderDep, SessionDep

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])

RESUME_PAGE = 100


@router.get("", summary="My notifications, newest first (unread=true: only those not read yet)")
async def list_notifications(
    session: ReaderDep,
    principal: CurrentPrincipal,
    unread: bool = False,
    cursor: Annotated[str | None, Query(pattern=r"^[0-9]{1,18}$", description="next_cursor of the page before")] = None,
    limit: Limit = 20,
) -> NotificationPage:
    return await service.list_notifications(
        session, user_id=principal.user_id, unread=unread, cursor=int(cursor) if cursor else None, limit=limit
    )


@router.get("/unread-count", summary="How many of my notifications are unread, in all and by kind")
async def unread_count(session: ReaderDep, principal: CurrentPrincipal) -> UnreadCount:
    return await service.unread_count(session, user_id=principal.user_id)


@router.post("/read-all", summary="Mark all my notifications read")
async def read_all(session: SessionDep, principal: CurrentPrincipal) -> dict[str, int]:
    marked = await service.mark_all_read(session, user_id=principal.user_id)
    await session.commit()
    return {"marked": marked}


@router.get("/preferences", summary="Which kinds I get in the inbox and as push notifications (all on by default)")
async def get_preferences(session: ReaderDep, principal: CurrentPrincipal) -> Preferences:
    return await service.preferences(session, user_id=principal.user_id)


@router.put(
    "/preferences",
    summary="Switch kinds on or off: {kind: {inbox, push}}; kinds not given stay as they are",
)
async def put_preferences(body: Preferences, session: SessionDep, principal: CurrentPrincipal) -> Preferences:
    chosen = await service.set_preferences(session, user_id=principal.user_id, changes=body)
    await session.commit()
    return chosen


@router.get(
    "/stream",
    summary="New notifications as server-sent events (bearer auth); Last-Event-ID resumes after the last one seen",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream(
    request: Request,
    principal: CurrentPrincipal,
    last_event_id: Annotated[str | None, Header(pattern=r"^[0-9]{1,18}$")] = None,
) -> StreamingResponse:
    hub: Hub = request.app.state.notification_hub
    heartbeat: float = request.app.state.settings.notification_heartbeat_seconds
    sent = frames(
        hub,
        request.app.state.db,
        user_id=principal.user_id,
        after=int(last_event_id) if last_event_id else None,
        heartbeat=heartbeat,
    )
    # no-cache and no proxy buffering: each event reaches the app as it is written.
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(sent, media_type="text/event-stream", headers=headers)


@router.post("/{notification_id}/read", summary="Mark one of my notifications read")
async def read_one(
    notification_id: Annotated[int, Path(ge=1, le=10**18)], session: SessionDep, principal: CurrentPrincipal
) -> NotificationPublic:
    notification = await service.mark_read(session, user_id=principal.user_id, notification_id=notification_id)
    await session.commit()
    return notification


async def frames(
    hub: Hub, db: Database, *, user_id: str, after: int | None, heartbeat: float
) -> AsyncGenerator[str, None]:
    """Listen first, then send what was missed from the inbox, then live ones: a notification stored
    in between arrives both ways and is sent once."""
    with hub.connect(user_id) as live:
        yield "retry: 3000\n\n"  # the app knows it is listening
        sent: set[int] = set()
        while after is not None:
            async with db.reader() as session:
                missed = await service.since(session, user_id=user_id, after=after, limit=RESUME_PAGE)
            for notification in missed:
                sent.add(notification.id)
                yield _frame(notification)
            after = missed[-1].id if len(missed) == RESUME_PAGE else None
        while True:
            try:
                payload = await asyncio.wait_for(live.next(), timeout=heartbeat)
            except TimeoutError:
                yield ": heartbeat\n\n"
                continue
            if payload is None:  # too slow: closed; the app reconnects with Last-Event-ID
                return
            notification = NotificationPublic.model_validate_json(payload)
            if notification.id not in sent:
                yield _frame(notification)


def _frame(notification: NotificationPublic) -> str:
    return f"id: {notification.id}\nevent: notification\ndata: {notification.model_dump_json()}\n\n"
