"""An event's life: draft → published → closed (for sign-up) → held → archived, or cancelled.

Organisers create an event as a draft or publish it at once, edit it (the merged details are
checked as a new event's, so a bad edit changes nothing), close sign-up early, mark it held once it
has started (who did not come is recorded as a no-show), archive it, or cancel it (everyone signed
up or waiting is told why). Every change runs under the event's row lock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import ColumnElement, update
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.communities.models import Community
from services.community.communities.service import get_community
from services.community.events import access, calendar, recurrence, registration
from services.community.events.models import (
    ARCHIVED,
    AWAITING_PAYMENT,
    CANCELLED,
    CHECKED_IN,
    CLOSED,
    DRAFT,
    HELD,
    HOLDING_SEATS,
    NO_SHOW,
    PUBLISHED,
    REGISTERED,
    WAITLISTED,
    EventCreate,
    EventTerms,
    EventUpdate,
    OfflineEvent,
    Registration,
)
from shared.auth import Principal
from shared.bus import emit
from shared.errors import Conflict, Unprocessable
from shared.events.schemas.community import (
    OfflineEventAnnounced,
    OfflineEventArchived,
    OfflineEventCancelled,
    OfflineEventClosed,
    OfflineEventHeld,
    OfflineEventPublished,
    OfflineEventUpdated,
)
from shared.models import utcnow

# What a calendar shows of an event: a change to one of these is a new SEQUENCE for phones.
_SHOWN = {"title", "kind", "description", "place", "starts_at", "ends_at", "timezone", "rrule"}
Scope = Literal["upcoming", "past", "drafts"]


async def create_event(
    session: AsyncSession, *, principal: Principal, community_id: str, data: EventCreate
) -> OfflineEvent:
    await get_community(session, principal=principal, community_id=community_id)
    await access.require_organiser(session, principal, community_id)
    event = OfflineEvent(**_columns(data), community_id=community_id, created_by=principal.user_id, status=DRAFT)
    now = utcnow()
    calendar.rendered(event, now=now)
    session.add(event)
    if not data.draft:
        await _publish(session, event, now=now, actor_id=principal.user_id)
    return event


async def edit_event(
    session: AsyncSession, *, principal: Principal, event_id: str, data: EventUpdate, hold: timedelta
) -> OfflineEvent:
    event = await access.organised_event(session, principal=principal, event_id=event_id)
    if event.status not in (DRAFT, PUBLISHED, CLOSED):
        raise Conflict(f"this event is {event.status}; its details can no longer change")
    old = _terms_of(event)
    given = data.model_dump(exclude_unset=True)
    if (
        "starts_at" in given
        and "registration_closes_at" not in given
        and old["registration_closes_at"] == old["starts_at"]
    ):
        given["registration_closes_at"] = given["starts_at"]  # sign-up that closed at the start still does
    # A published event may not be moved into the past; its other details are checked as a draft's.
    terms = _validated({**old, **given}, ahead=event.status != DRAFT and "starts_at" in given)
    columns = _columns(terms)
    changed = sorted(name for name in old if columns[name] != old[name])
    if not changed:
        return event
    signed_up = event.next_seq > 1
    if signed_up and {"questions", "fee_fen"} & set(changed):
        raise Conflict("questions and the fee are fixed once someone has signed up")
    if columns["capacity"] < event.seats_taken:
        raise Conflict(
            f"{event.seats_taken} seats are taken; the capacity cannot go below that", seats_taken=event.seats_taken
        )
    event.sqlmodel_update(columns)
    now = utcnow()
    if _SHOWN & set(changed):
        calendar.rendered(event, now=now)
    session.add(event)
    if event.status == DRAFT:
        return event
    await registration.promote(session, event, now=now, hold=hold)  # more seats: the waitlist moves up
    recipients = await registration.people(session, event.id, (*HOLDING_SEATS, WAITLISTED))
    await emit(
        session,
        OfflineEventUpdated(
            event_id=event.id,
            community_id=event.community_id,
            changed=changed,
            title=event.title,
            place=event.place,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            recipient_ids=recipients,
        ),
        subject=event.id,
        community_id=event.community_id,
        actor_id=principal.user_id,
    )
    return event


async def publish(session: AsyncSession, *, principal: Principal, event_id: str) -> OfflineEvent:
    event = await access.organised_event(session, principal=principal, event_id=event_id)
    if event.status != DRAFT:
        raise Conflict(f"this event is {event.status}; only a draft can be published")
    _validated(_terms_of(event), ahead=True)
    await _publish(session, event, now=utcnow(), actor_id=principal.user_id)
    return event


async def close(session: AsyncSession, *, principal: Principal, event_id: str) -> OfflineEvent:
    """An organiser closes sign-up before its time (the clock closes it at `registration_closes_at`)."""
    event = await access.organised_event(session, principal=principal, event_id=event_id)
    if event.status != PUBLISHED:
        raise Conflict(f"this event is {event.status}; only a published event's sign-up can close")
    await close_sign_up(session, event, actor_id=principal.user_id)
    return event


async def close_sign_up(session: AsyncSession, event: OfflineEvent, *, actor_id: str | None) -> None:
    event.status = CLOSED
    session.add(event)
    await emit(
        session,
        OfflineEventClosed(
            event_id=event.id,
            community_id=event.community_id,
            seats_taken=event.seats_taken,
            waitlisted=event.waitlisted,
        ),
        subject=event.id,
        community_id=event.community_id,
        actor_id=actor_id,
    )


async def mark_held(session: AsyncSession, *, principal: Principal, event_id: str) -> OfflineEvent:
    """The event took place: whoever had a seat and was not checked in is recorded as a no-show."""
    event = await access.organised_event(session, principal=principal, event_id=event_id)
    if event.status not in (PUBLISHED, CLOSED):
        raise Conflict(f"this event is {event.status}; only a published or closed event can be marked held")
    if utcnow() < event.starts_at:
        raise Conflict(f"this event starts at {event.starts_at.isoformat()}; mark it held once it has started")
    absent = (
        await session.exec(
            select(Registration)
            .where(Registration.event_id == event.id, col(Registration.status).in_([REGISTERED, AWAITING_PAYMENT]))
            .order_by(col(Registration.seq))
        )
    ).all()
    for row in absent:
        row.status = NO_SHOW
    attended = len(await registration.people(session, event.id, [CHECKED_IN]))
    event.status = HELD
    session.add_all([event, *absent])
    await emit(
        session,
        OfflineEventHeld(
            event_id=event.id,
            community_id=event.community_id,
            attended=attended,
            no_show_ids=[row.user_id for row in absent],
        ),
        subject=event.id,
        community_id=event.community_id,
        actor_id=principal.user_id,
    )
    return event


async def archive(session: AsyncSession, *, principal: Principal, event_id: str) -> OfflineEvent:
    event = await access.organised_event(session, principal=principal, event_id=event_id)
    if event.status != HELD:
        raise Conflict(f"this event is {event.status}; only a held event can be archived")
    event.status = ARCHIVED
    session.add(event)
    await emit(
        session,
        OfflineEventArchived(event_id=event.id, community_id=event.community_id),
        subject=event.id,
        community_id=event.community_id,
        actor_id=principal.user_id,
    )
    return event


async def cancel(session: AsyncSession, *, principal: Principal, event_id: str, reason: str) -> OfflineEvent:
    """Everyone with a seat or on the waitlist is told why; orders refunds every fee paid for it."""
    event = await access.organised_event(session, principal=principal, event_id=event_id)
    if event.status not in (DRAFT, PUBLISHED, CLOSED):
        raise Conflict(f"this event is {event.status}; it can no longer be cancelled")
    was_public = event.status != DRAFT
    event.status, event.cancel_reason = CANCELLED, reason
    calendar.rendered(event, now=utcnow())  # STATUS:CANCELLED for calendars that hold it
    session.add(event)
    # Seats held for a fee are held for nothing now: no clock releases them, no payment confirms them.
    await session.execute(
        update(Registration)
        .where(col(Registration.event_id) == event.id, col(Registration.status) == AWAITING_PAYMENT)
        .values(pay_by=None)
    )
    if was_public:
        await emit(
            session,
            OfflineEventCancelled(
                event_id=event.id,
                community_id=event.community_id,
                title=event.title,
                starts_at=event.starts_at,
                reason=reason,
                recipient_ids=await registration.people(session, event.id, (*HOLDING_SEATS, WAITLISTED)),
            ),
            subject=event.id,
            community_id=event.community_id,
            actor_id=principal.user_id,
        )
    return event


async def announce(session: AsyncSession, *, principal: Principal, event_id: str, message: str) -> int:
    """An organiser's message to everyone with a seat; how many it goes to."""
    event = await access.organised_event(session, principal=principal, event_id=event_id)
    if event.status not in (PUBLISHED, CLOSED, HELD):
        raise Conflict(f"this event is {event.status}; there is nobody to announce to")
    recipients = await registration.people(session, event.id)
    if recipients:
        await emit(
            session,
            OfflineEventAnnounced(
                event_id=event.id,
                community_id=event.community_id,
                author_id=principal.user_id,
                message=message,
                recipient_ids=recipients,
            ),
            subject=event.id,
            community_id=event.community_id,
            actor_id=principal.user_id,
        )
    return len(recipients)


async def list_events(
    session: AsyncSession, *, principal: Principal, community_id: str, scope: Scope, limit: int, offset: int
) -> list[OfflineEvent]:
    """upcoming: open or closed for sign-up and not over, soonest first; past: the others, latest
    first; drafts: organisers' (a leader sees every draft, another organiser their own)."""
    await get_community(session, principal=principal, community_id=community_id)
    now = utcnow()
    query = select(OfflineEvent).where(OfflineEvent.community_id == community_id)
    if scope == "upcoming":
        query = query.where(col(OfflineEvent.status).in_([PUBLISHED, CLOSED]), _not_over(now))
        query = query.order_by(col(OfflineEvent.starts_at), col(OfflineEvent.id))
    elif scope == "past":
        over = col(OfflineEvent.status).in_([HELD, ARCHIVED, CANCELLED]) | ~_not_over(now)
        query = query.where(col(OfflineEvent.status) != DRAFT, over)
        query = query.order_by(col(OfflineEvent.starts_at).desc(), col(OfflineEvent.id))
    else:
        await access.require_organiser(session, principal, community_id)
        query = query.where(OfflineEvent.status == DRAFT)
        if not access.is_leader(principal, community_id):
            query = query.where(OfflineEvent.created_by == principal.user_id)
        query = query.order_by(col(OfflineEvent.created_at).desc(), col(OfflineEvent.id))
    return list((await session.exec(query.offset(offset).limit(limit))).all())


def _not_over(now: datetime) -> ColumnElement[bool]:
    return or_(col(OfflineEvent.until).is_(None), col(OfflineEvent.until) > now)


async def community_name(session: AsyncSession, community_id: str) -> str:
    community = await session.get(Community, community_id)
    return community.name if community is not None else ""


async def _publish(session: AsyncSession, event: OfflineEvent, *, now: datetime, actor_id: str) -> None:
    event.status, event.published_at = PUBLISHED, now
    session.add(event)
    await emit(
        session,
        OfflineEventPublished(
            event_id=event.id,
            community_id=event.community_id,
            organiser_id=event.created_by,
            title=event.title,
            kind=event.kind,
            place=event.place,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            capacity=event.capacity,
            fee_fen=event.fee_fen,
            rrule=event.rrule,
            registration_closes_at=event.registration_closes_at,
        ),
        subject=event.id,
        community_id=event.community_id,
        actor_id=actor_id,
    )


def _terms_of(event: OfflineEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in EventTerms.model_fields}


def _validated(terms: dict[str, Any], *, ahead: bool) -> EventCreate:
    """The details checked as a request body is, as a clear 422 naming the fields at fault."""
    try:
        return EventCreate.model_validate({**terms, "draft": not ahead})
    except ValidationError as exc:
        errors = [
            {"location": [str(p) for p in e["loc"]], "message": e["msg"], "type": e["type"]} for e in exc.errors()
        ]
        problem = f"{'.'.join(errors[0]['location']) or 'details'}: {errors[0]['message']}"
        raise Unprocessable(f"the event's details are not valid: {problem}", errors=errors) from None


def _columns(terms: EventTerms) -> dict[str, Any]:
    """The stored columns: sign-up closes at the start unless told otherwise; `until` is when the last
    occurrence ends (None for a rule without end)."""
    columns = terms.model_dump(exclude={"draft"})
    columns["registration_closes_at"] = terms.registration_closes_at or terms.starts_at
    duration: timedelta = terms.ends_at - terms.starts_at
    if terms.rrule is None:
        columns["until"] = terms.ends_at
    else:
        last = recurrence.last_start(terms.rrule, starts_at=terms.starts_at, timezone=terms.timezone)
        columns["until"] = None if last is None else last + duration
    return columns
