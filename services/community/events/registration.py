"""Sign-up, the waitlist and cancellation: capacity and the waitlist's order under concurrency.

Every change to an event's seats runs under the event's row lock (`rows.py`), and the event row
keeps the counts (`seats_taken`, `waitlisted`) and the next arrival number (`next_seq`), so a
sign-up reads and writes one locked row instead of counting the others.

The waitlist is first come, first served, strictly: a sign-up gets a seat only when nobody is
waiting and its seats (1 + companions) fit; otherwise it waits at the end. Freed seats go to the
head of the waitlist, and on down while the head fits — nobody overtakes the head, even someone
needing fewer seats. Each promotion is announced (`community.registration.promoted`) so the person
can be told.

A seat at an event with a fee is `awaiting_payment` until `pay_by` (`hold` after it was given: at
sign-up or on promotion). Orders learns it from the events, collects the fee and says
`orders.event_fee.paid`; `confirm_fee` then makes it `registered`, or releases it when the payment
came after the hold ran out. Unpaid holds are released by the events clock (`release_unpaid`); a
released seat goes to the waitlist like a cancelled one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.communities import membership
from services.community.events import access
from services.community.events.models import (
    AWAITING_PAYMENT,
    CHECKED_IN,
    CLOSED,
    DRAFT,
    HOLDING_SEATS,
    MAX_WAITLIST,
    NO_SHOW,
    PUBLISHED,
    REGISTERED,
    WAITLISTED,
    WITHDRAWN,
    OfflineEvent,
    Registration,
    RegistrationCreate,
)
from services.community.events.rows import lock, lock_many
from shared import codes
from shared.auth import Principal
from shared.bus import emit
from shared.errors import Conflict, NotFound, Unprocessable
from shared.events.schemas.community import (
    OfflineEventRegistered,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationPromoted,
)
from shared.logging import get_logger
from shared.models import utcnow

log = get_logger(__name__)


@dataclass(frozen=True)
class SignedUp:
    registration: Registration
    waitlist_position: int | None  # None: a seat


@dataclass(frozen=True)
class SignUp:
    """One tap on "sign up" (in the app or on a live room's event card): who, for what, with what."""

    principal: Principal
    event_id: str
    data: RegistrationCreate


class Roster:
    """Where sign-ups are served in one transaction, in arrival order, each as if alone: their events
    are locked, and the signers' earlier registrations and memberships read, once."""

    def __init__(
        self,
        session: AsyncSession,
        events: dict[str, OfflineEvent],
        earlier: dict[tuple[str, str], Registration],
        codes: dict[str, list[str]],
        now: datetime,
        members: set[tuple[str, str]],
        hold: timedelta,
    ) -> None:
        self.session, self.events, self.earlier, self.codes, self.now = session, events, earlier, codes, now
        self.members = members  # (community, person): the token may predate a removal
        self.hold = hold

    @classmethod
    async def open(cls, session: AsyncSession, signups: Sequence[SignUp], *, hold: timedelta) -> Roster:
        events = await lock_many(session, {s.event_id for s in signups})
        users = {s.principal.user_id for s in signups}
        rows = (
            await session.exec(
                select(Registration).where(
                    col(Registration.event_id).in_(list(events)), col(Registration.user_id).in_(users)
                )
            )
        ).all()
        earlier = {(r.event_id, r.user_id): r for r in rows}
        wanted = Counter(s.event_id for s in signups if s.event_id in events)
        communities = {event.community_id for event in events.values()}
        members = await membership.pairs(session, community_ids=communities, user_ids=users)
        return cls(session, events, earlier, await _free_codes(session, wanted), utcnow(), members, hold)

    async def sign_up(self, signup: SignUp) -> SignedUp:
        """A seat, or a place at the end of the waitlist; or a refusal that changes nothing."""
        principal, data = signup.principal, signup.data
        event = self.events.get(signup.event_id)
        if event is None:
            raise NotFound(f"event {signup.event_id} does not exist")
        membership.require_among(principal, event.community_id, self.members)
        if event.status == DRAFT:
            raise NotFound(f"event {event.id} does not exist")  # a draft is invisible to those who may sign up
        if event.status != PUBLISHED or self.now >= event.registration_closes_at:
            raise Conflict(
                f"sign-up for this event closed at {event.registration_closes_at.isoformat()}"
                if event.status in (PUBLISHED, CLOSED)
                else f"this event is {event.status}; sign-up is closed",
                event_status=event.status,
            )
        mine = self.earlier.get((event.id, principal.user_id))
        if mine is not None and mine.status != WITHDRAWN:
            raise Conflict(
                f"you are already signed up for this event ({mine.status})",
                registration_id=mine.id,
                registration_status=mine.status,
            )
        seats = 1 + data.companions
        if data.companions > event.max_companions:
            raise Unprocessable(f"at most {event.max_companions} companions may come with you to this event")
        if seats > event.capacity:
            raise Unprocessable(f"this event has {event.capacity} seats in all; {seats} can never be given")
        if len(data.answers) != len(event.questions):
            raise Unprocessable(
                f"answer each of the event's {len(event.questions)} questions, in order", questions=event.questions
            )
        pay_by = None
        if event.waitlisted == 0 and seats <= event.capacity - event.seats_taken:
            (status, pay_by), position = seat_status(event, now=self.now, hold=self.hold), None
            event.seats_taken += seats
        elif event.waitlisted >= MAX_WAITLIST:
            raise Conflict("this event is full and so is its waitlist")
        else:
            event.waitlisted += 1
            status, position = WAITLISTED, event.waitlisted
        fields: dict[str, Any] = {
            "seq": event.next_seq,
            "status": status,
            "pay_by": pay_by,
            "companions": data.companions,
            "seats": seats,
            "answers": list(data.answers),
            "registered_at": self.now,
            "promoted_at": None,
            "cancelled_at": None,
        }
        if mine is None:  # a first sign-up; after a cancellation, the same row again (one per resident)
            registration = Registration(
                event_id=event.id,
                community_id=event.community_id,
                user_id=principal.user_id,
                code=self._new_code(event.id),
                **fields,
            )
        else:
            registration = mine.sqlmodel_update(fields)
        event.next_seq += 1
        self.session.add_all([event, registration])
        self.earlier[(event.id, principal.user_id)] = registration
        await emit(
            self.session,
            OfflineEventRegistered(
                registration_id=registration.id,
                event_id=event.id,
                community_id=event.community_id,
                organiser_id=event.created_by,
                user_id=principal.user_id,
                status=status,
                companions=data.companions,
                seats=seats,
                waitlist_position=position,
                title=event.title,
                fee_fen=event.fee_fen,
                pay_by=pay_by,
            ),
            subject=event.id,
            community_id=event.community_id,
            actor_id=principal.user_id,
        )
        return SignedUp(registration, position)

    def _new_code(self, event_id: str) -> str:
        return self.codes[event_id].pop()


async def _free_codes(session: AsyncSession, wanted: Counter[str]) -> dict[str, list[str]]:
    """As many check-in codes per event as sign-ups may need, none of them held at that event yet: a
    collision is one in ~10^9 per pair, so it is checked, with one indexed probe, rather than hoped."""
    free: dict[str, list[str]] = {event_id: [] for event_id in wanted}
    while missing := {event_id: n - len(free[event_id]) for event_id, n in wanted.items() if len(free[event_id]) < n}:
        fresh = {event_id: {codes.new_code() for _ in range(n)} for event_id, n in missing.items()}
        taken = await session.exec(
            select(Registration.event_id, Registration.code).where(
                col(Registration.event_id).in_(list(fresh)),
                col(Registration.code).in_(set().union(*fresh.values())),
            )
        )
        for event_id, code in taken.all():
            fresh[event_id].discard(code)
        for event_id, candidates in fresh.items():
            free[event_id] += list(candidates - set(free[event_id]))[: missing[event_id]]
    return free


def seat_status(event: OfflineEvent, *, now: datetime, hold: timedelta) -> tuple[str, datetime | None]:
    """A seat, and until when it is held: at an event with a fee, until paid or `hold` has passed (whole
    seconds: `pay_by` travels in events and names the hold a payment was for)."""
    if event.fee_fen == 0:
        return REGISTERED, None
    return AWAITING_PAYMENT, (now + hold).replace(microsecond=0)


async def sign_up(
    session: AsyncSession, *, principal: Principal, event_id: str, data: RegistrationCreate, hold: timedelta
) -> SignedUp:
    """One sign-up in the caller's transaction (the route batches them through `desk.RegistrationDesk`)."""
    signup = SignUp(principal=principal, event_id=event_id, data=data)
    return await (await Roster.open(session, [signup], hold=hold)).sign_up(signup)


async def mine(session: AsyncSession, *, event_id: str, user_id: str) -> Registration | None:
    query = select(Registration).where(Registration.event_id == event_id, Registration.user_id == user_id)
    return (await session.exec(query)).first()


async def of_member(session: AsyncSession, *, principal: Principal, event_id: str) -> SignedUp:
    """The caller's own sign-up for the event, with their place on the waitlist if they wait."""
    event = await access.visible_event(session, principal=principal, event_id=event_id)
    registration = await mine(session, event_id=event.id, user_id=principal.user_id)
    if registration is None:
        raise NotFound("you have not signed up for this event")
    return SignedUp(registration, await waitlist_position(session, registration))


async def withdraw(session: AsyncSession, *, principal: Principal, event_id: str, hold: timedelta) -> Registration:
    """The member cancels their sign-up: a seat freed goes to the waitlist. A fee they paid is refunded
    if they cancel before sign-up closes; after that it is kept (the organiser planned with them)."""
    visible = await access.visible_event(session, principal=principal, event_id=event_id)
    event = await lock(session, visible.id)
    registration = await mine(session, event_id=event.id, user_id=principal.user_id)
    if registration is None or registration.status == WITHDRAWN:
        raise NotFound("you are not signed up for this event")
    if registration.status in (CHECKED_IN, NO_SHOW):
        raise Conflict("you already took part in this event (or it is over); there is nothing to cancel")
    if event.status not in (PUBLISHED, CLOSED):
        raise Conflict(f"this event is {event.status}; sign-ups can no longer change")
    now = utcnow()
    # Never paid (awaiting_payment): whatever arrives for it is not kept either.
    refund = registration.status == AWAITING_PAYMENT or now < event.registration_closes_at
    await _cancel(
        session, event, registration, now=now, reason="withdrawn", refund_fee=refund, actor_id=principal.user_id
    )
    await promote(session, event, now=now, hold=hold)
    return registration


async def confirm_fee(
    session: AsyncSession, *, registration_id: str, pay_by: datetime, paid_at: datetime, hold: timedelta
) -> Registration | None:
    """Orders collected the fee for the hold ending `pay_by`: the seat is the payer's, if that hold is
    still on and the payment came in time. Paid late, the seat is released (and the fee refunded); a
    hold already gone (withdrawn, released, a newer sign-up) told orders to refund when it went."""
    found = await session.get(Registration, registration_id)
    if found is None:
        log.warning("a fee was paid for a registration that does not exist", registration_id=registration_id)
        return None
    event = await lock(session, found.event_id)
    registration = await _locked_registration(session, registration_id)
    if registration.status != AWAITING_PAYMENT or registration.pay_by != pay_by:
        return None
    now = utcnow()
    if paid_at > pay_by:
        await _cancel(session, event, registration, now=now, reason="unpaid", refund_fee=True, actor_id=None)
        await promote(session, event, now=now, hold=hold)
        return registration
    registration.status, registration.pay_by = REGISTERED, None  # the hold is over: the seat is theirs
    session.add(registration)
    await emit(
        session,
        RegistrationConfirmed(
            registration_id=registration.id,
            event_id=event.id,
            community_id=event.community_id,
            organiser_id=event.created_by,
            user_id=registration.user_id,
            seats=registration.seats,
        ),
        subject=event.id,
        community_id=event.community_id,
        actor_id=registration.user_id,
    )
    return registration


async def release_unpaid(session: AsyncSession, event: OfflineEvent, *, now: datetime, hold: timedelta) -> int:
    """The events clock: seats whose hold ran out unpaid go back, to the waitlist first (event locked)."""
    due = (
        await session.exec(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status == AWAITING_PAYMENT,
                col(Registration.pay_by) <= now,
            )
            .order_by(col(Registration.seq))
            .execution_options(populate_existing=True)
        )
    ).all()
    for registration in due:
        await _cancel(session, event, registration, now=now, reason="unpaid", refund_fee=True, actor_id=None)
    await promote(session, event, now=now, hold=hold)
    return len(due)


async def _cancel(
    session: AsyncSession,
    event: OfflineEvent,
    registration: Registration,
    *,
    now: datetime,
    reason: str,
    refund_fee: bool,
    actor_id: str | None,
) -> None:
    was = registration.status
    registration.status, registration.cancelled_at, registration.pay_by = WITHDRAWN, now, None
    if was == WAITLISTED:
        event.waitlisted -= 1
    else:
        event.seats_taken -= registration.seats
    session.add_all([event, registration])
    await emit(
        session,
        RegistrationCancelled(
            registration_id=registration.id,
            event_id=event.id,
            community_id=event.community_id,
            organiser_id=event.created_by,
            user_id=registration.user_id,
            was=was,
            seats=registration.seats,
            reason=reason,
            refund_fee=refund_fee,
        ),
        subject=event.id,
        community_id=event.community_id,
        actor_id=actor_id,
    )


async def _locked_registration(session: AsyncSession, registration_id: str) -> Registration:
    """Read afresh once its event is locked (every registration change holds the event's lock)."""
    query = select(Registration).where(Registration.id == registration_id).execution_options(populate_existing=True)
    return (await session.exec(query)).one()


async def promote(session: AsyncSession, event: OfflineEvent, *, now: datetime, hold: timedelta) -> list[Registration]:
    """Give free seats to the waitlist in arrival order, while its head fits (the event is locked)."""
    free = event.capacity - event.seats_taken
    if event.waitlisted == 0 or free <= 0 or event.status not in (PUBLISHED, CLOSED):
        return []
    # Each promotion takes at least one seat: `free` rows of the head are all that can move.
    head = (
        await session.exec(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.status == WAITLISTED)
            .order_by(col(Registration.seq))
            .limit(free)
        )
    ).all()
    promoted = []
    for registration in head:
        if registration.seats > event.capacity - event.seats_taken:
            break  # first come, first served: nobody overtakes the head
        (registration.status, registration.pay_by), registration.promoted_at = (
            seat_status(event, now=now, hold=hold),
            now,
        )
        event.seats_taken += registration.seats
        event.waitlisted -= 1
        promoted.append(registration)
        await emit(
            session,
            RegistrationPromoted(
                registration_id=registration.id,
                event_id=event.id,
                community_id=event.community_id,
                organiser_id=event.created_by,
                user_id=registration.user_id,
                status=registration.status,
                seats=registration.seats,
                title=event.title,
                fee_fen=event.fee_fen,
                pay_by=registration.pay_by,
            ),
            subject=event.id,
            community_id=event.community_id,
        )
    session.add_all([event, *promoted])
    return promoted


async def people(session: AsyncSession, event_id: str, statuses: Collection[str] = HOLDING_SEATS) -> list[str]:
    """Who has a registration of these statuses (default: a seat), in arrival order: whom to tell."""
    query = (
        select(Registration.user_id)
        .where(Registration.event_id == event_id, col(Registration.status).in_(list(statuses)))
        .order_by(col(Registration.seq))
    )
    return list((await session.exec(query)).all())


async def waitlist_position(session: AsyncSession, registration: Registration) -> int | None:
    if registration.status != WAITLISTED:
        return None
    ahead = await session.exec(
        select(func.count()).where(
            Registration.event_id == registration.event_id,
            Registration.status == WAITLISTED,
            col(Registration.seq) < registration.seq,
        )
    )
    return ahead.one() + 1
