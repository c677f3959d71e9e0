"""Events become inbox items in the event's inbox transaction (exactly once: the bus records the event
id in the same commit); after the commit they are streamed to connected apps and pushed."""

import functools
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway.notifications import service
from services.gateway.notifications.builders import Notice, build
from services.gateway.notifications.live import Hub
from services.gateway.notifications.push import PushSender
from services.gateway.notifications.service import Delivered
from shared.auth import LEADER
from shared.bus import EventHandlers
from shared.db import after_commit
from shared.events import Event
from shared.events.schemas import community as c
from shared.events.schemas import livestream as ls
from shared.events.schemas import matching as m
from shared.events.schemas import orders as o
from shared.logging import get_logger
from shared.models import utcnow

log = get_logger(__name__)

# Events that name whom they are for.
NAMED: dict[type[Any], Callable[[Any], Iterable[str]]] = {
    ls.SessionReminderDue: lambda d: d.subscriber_ids,
    c.OfflineEventReminder: lambda d: d.recipient_ids,
    c.OfflineEventAnnounced: lambda d: d.recipient_ids,
    c.OfflineEventCancelled: lambda d: d.recipient_ids,
    c.RegistrationPromoted: lambda d: [d.user_id],
    c.RegistrationConfirmed: lambda d: [d.user_id],
    o.EventFeeRefunded: lambda d: [d.user_id],
    c.OfflineEventRegistered: lambda d: [d.organiser_id],
    c.RegistrationCancelled: lambda d: [d.organiser_id],
    c.SwapOfferMade: lambda d: [d.owner_id],
    c.SwapOfferAccepted: lambda d: [d.user_id],
    c.SwapOfferDeclined: lambda d: [d.user_id],
}
# Booking events the resident hears of (they requested, cancelled and reviewed it themselves).
BOOKING_UPDATES = (o.BookingConfirmed, o.BookingDeclined, o.BookingCancelled, o.BookingCompleted, o.BookingReplied)


def notification_handlers(*, hub: Hub, push: PushSender, stale_after: timedelta) -> EventHandlers:
    handlers = EventHandlers()

    async def tell(session: AsyncSession, event: Event[Any], recipients: Iterable[str]) -> None:
        if utcnow() - event.time > stale_after:
            # History read again (a new consumer starts at the stream's beginning): too late to tell anyone.
            return
        notice = build(event.data)
        if delivered := await service.deliver(session, event=event, notice=notice, recipients=recipients):
            after_commit(session, functools.partial(send, notice, delivered))

    async def send(notice: Notice, delivered: list[Delivered]) -> None:
        await hub.publish([(d.user_id, d.notification) for d in delivered if d.notification])
        for d in delivered:
            if d.push:
                notification_id = d.notification.id if d.notification else None
                try:
                    await push.send(user_id=d.user_id, notice=notice, notification_id=notification_id)
                except Exception as exc:  # the inbox has it; one provider failure must not stop the others
                    log.warning("push failed", user_id=d.user_id, kind=notice.kind.value, error=repr(exc))

    async def named(recipients: Callable[[Any], Iterable[str]], session: AsyncSession, event: Event[Any]) -> None:
        await tell(session, event, recipients(event.data))

    for schema, recipients in NAMED.items():
        handlers.on(schema)(functools.partial(named, recipients))

    @handlers.on(o.BookingRequested)
    async def booking_requested(session: AsyncSession, event: Event[o.BookingRequested]) -> None:
        if event.actor_id:
            await service.booked(session, booking_id=event.data.booking_id, user_id=event.actor_id)

    async def booking_update(session: AsyncSession, event: Event[o.BookingFact]) -> None:
        resident = await service.resident_of(session, booking_id=event.data.booking_id)
        await tell(session, event, [resident] if resident else [])

    for update in BOOKING_UPDATES:
        handlers.on(update)(booking_update)

    @handlers.on(m.DemandThresholdReached)
    async def demand_alert(session: AsyncSession, event: Event[m.DemandThresholdReached]) -> None:
        await tell(session, event, await service.leaders_of(session, community_id=event.data.community_id))

    async def role_given(session: AsyncSession, event: Event[c.MemberJoined] | Event[c.MemberRoleGranted]) -> None:
        if event.data.role == LEADER:
            await service.leader_named(session, community_id=event.data.community_id, user_id=event.data.user_id)

    async def role_taken(session: AsyncSession, event: Event[c.MemberRoleRevoked]) -> None:
        if event.data.role == LEADER:
            await service.leader_gone(session, community_id=event.data.community_id, user_id=event.data.user_id)

    async def member_gone(session: AsyncSession, event: Event[c.MemberLeft] | Event[c.MemberRemoved]) -> None:
        await service.leader_gone(session, community_id=event.data.community_id, user_id=event.data.user_id)

    handlers.on(c.MemberJoined)(role_given)
    handlers.on(c.MemberRoleGranted)(role_given)
    handlers.on(c.MemberRoleRevoked)(role_taken)
    handlers.on(c.MemberLeft)(member_gone)
    handlers.on(c.MemberRemoved)(member_gone)
    return handlers
