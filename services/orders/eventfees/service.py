"""Event fees: a seat at an offline event with a fee is held by community until `pay_by`; orders
learns each hold from community's events, collects the fee through the same payment port, signed
webhook and `gateway.payment.succeeded` event as a deal's order, and says `orders.event_fee.paid`.
Community decides whether the seat is the payer's (the hold is its clock's); whenever a hold ends
with money that is not to be kept, community says so and the fee is refunded here, once.

Refunds: the organiser cancels the event (every paid fee); the resident withdraws before sign-up
closes, or their hold was released unpaid (`refund_fee` in `community.registration.cancelled`); a
payment for a hold already over, of the wrong amount, or a second payment of a paid fee."""

import functools
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.eventfees.models import DUE, PAID, REFUNDED, VOID, EventFee
from services.orders.orders.service import refund, start_payment
from services.orders.payments.port import PaymentProvider
from shared.auth import LEADER, Principal
from shared.bus import emit
from shared.db import after_commit
from shared.errors import Conflict, NotFound, NotFoundYet
from shared.events.schemas.orders import EventFeePaid, EventFeeRefunded
from shared.models import utcnow


async def hold(
    session: AsyncSession,
    *,
    registration_id: str,
    event_id: str,
    community_id: str,
    user_id: str,
    title: str,
    amount_fen: int,
    pay_by: datetime,
) -> EventFee:
    """A seat held for payment (a sign-up, or a promotion from the waitlist): a new fee. A registration
    holds one seat at a time, so an older fee of it still due is void."""
    for older in await _of_registration(session, registration_id, [DUE]):
        older.status = VOID
        session.add(older)
    fee = EventFee(
        registration_id=registration_id,
        event_id=event_id,
        community_id=community_id,
        user_id=user_id,
        title=title,
        amount_fen=amount_fen,
        pay_by=pay_by,
    )
    session.add(fee)
    return fee


async def pay(
    session: AsyncSession, *, principal: Principal, payments: PaymentProvider, registration_id: str
) -> EventFee:
    """The registrant asks to pay their held seat's fee; the provider is asked once this commits."""
    fees = await _of_registration(session, registration_id, [DUE, PAID, REFUNDED, VOID])
    fee = fees[0] if fees else None  # the latest hold's
    if fee is None:  # perhaps not yet: orders learns of a held seat from community's event
        raise NotFoundYet(
            f"no fee is due for registration {registration_id} (yet: a seat held a moment ago may take one)"
        )
    if fee.user_id != principal.user_id:
        raise NotFound(f"no fee is due for registration {registration_id}")
    if fee.status == PAID:
        raise Conflict("this fee is paid already", fee_id=fee.id)
    if fee.status != DUE:
        raise Conflict(f"this fee is {fee.status}: the seat is no longer held for it", fee_id=fee.id)
    now = utcnow()
    if fee.pay_by <= now:
        raise Conflict(f"the seat was held for payment until {fee.pay_by.isoformat()}", fee_id=fee.id)
    fee.payment_requested_at = now
    session.add(fee)
    after_commit(session, functools.partial(start_payment, payments, order_id=fee.id, amount_fen=fee.amount_fen))
    return fee


async def get_fee(session: AsyncSession, *, principal: Principal, fee_id: str) -> EventFee:
    """For the person who pays it and the community's leaders; 404 for anyone else."""
    fee = await session.get(EventFee, fee_id)
    if fee is None or (fee.user_id != principal.user_id and LEADER not in principal.roles_in(fee.community_id)):
        raise NotFound(f"event fee {fee_id} does not exist")
    return fee


async def is_fee(session: AsyncSession, payment_reference: str) -> bool:
    """Whether a payment confirmation is for an event fee (else it is for a deal's order)."""
    return await session.get(EventFee, payment_reference) is not None


async def confirm_payment(
    session: AsyncSession, *, payments: PaymentProvider, fee_id: str, provider_payment_id: str, amount_fen: int
) -> EventFee:
    """Apply a provider's confirmation: a repeat changes nothing; money that cannot be kept goes back."""
    fee = await _lock(session, fee_id)
    if provider_payment_id == fee.provider_payment_id:
        return fee
    if fee.status != DUE:
        reason = "paid again" if fee.status in (PAID, REFUNDED) else "the seat was no longer held for this payment"
        if fee.status == VOID:
            fee.provider_payment_id = provider_payment_id
            await _refund(session, payments, fee, amount_fen=amount_fen, reason=reason)
        else:  # the fee stays as it is; only this second payment goes back
            await _refund_payment(session, payments, fee, amount_fen=amount_fen, reason=reason)
        return fee
    fee.provider_payment_id = provider_payment_id
    if amount_fen != fee.amount_fen:
        reason = f"paid {amount_fen} fen for a fee of {fee.amount_fen} fen"
        await _refund(session, payments, fee, amount_fen=amount_fen, reason=reason)
        return fee
    fee.status, fee.paid_at = PAID, utcnow()
    session.add(fee)
    await emit(
        session,
        EventFeePaid(
            fee_id=fee.id,
            registration_id=fee.registration_id,
            event_id=fee.event_id,
            community_id=fee.community_id,
            user_id=fee.user_id,
            amount_fen=fee.amount_fen,
            pay_by=fee.pay_by,
            paid_at=fee.paid_at,
        ),
        subject=fee.id,
        community_id=fee.community_id,
        actor_id=fee.user_id,
    )
    return fee


async def registration_cancelled(
    session: AsyncSession, *, payments: PaymentProvider, registration_id: str, refund_fee: bool, reason: str
) -> None:
    """The hold ended (withdrawn, or released unpaid): a fee still due is void; a paid one is refunded
    when community says so (before sign-up closed, or never accepted)."""
    for fee in await _of_registration(session, registration_id, [DUE, PAID]):
        if fee.status == DUE:
            fee.status = VOID
            session.add(fee)
        elif refund_fee:
            await _refund(session, payments, fee, amount_fen=fee.amount_fen, reason=reason)


async def event_cancelled(session: AsyncSession, *, payments: PaymentProvider, event_id: str, reason: str) -> None:
    """The organiser cancelled the event: every paid fee is refunded, every due one void."""
    why = f"the organiser cancelled the event: {reason}"
    query = (
        select(EventFee)
        .where(EventFee.event_id == event_id, col(EventFee.status).in_([DUE, PAID]))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    for fee in (await session.exec(query)).all():
        if fee.status == DUE:
            fee.status = VOID
            session.add(fee)
        else:
            await _refund(session, payments, fee, amount_fen=fee.amount_fen, reason=why)


async def _refund(
    session: AsyncSession, payments: PaymentProvider, fee: EventFee, *, amount_fen: int, reason: str
) -> None:
    """The fee is refunded: the `amount_fen` it was paid goes back."""
    fee.status, fee.refunded_at, fee.refund_reason = REFUNDED, utcnow(), reason
    session.add(fee)
    await _refund_payment(session, payments, fee, amount_fen=amount_fen, reason=reason)


async def _refund_payment(
    session: AsyncSession, payments: PaymentProvider, fee: EventFee, *, amount_fen: int, reason: str
) -> None:
    """Announce the refund and send the money back through the provider once this commits."""
    await emit(
        session,
        EventFeeRefunded(
            fee_id=fee.id,
            registration_id=fee.registration_id,
            event_id=fee.event_id,
            community_id=fee.community_id,
            user_id=fee.user_id,
            amount_fen=amount_fen,
            reason=reason,
        ),
        subject=fee.id,
        community_id=fee.community_id,
        actor_id=fee.user_id,
    )
    after_commit(session, functools.partial(refund, payments, order_id=fee.id, amount_fen=amount_fen))


async def _lock(session: AsyncSession, fee_id: str) -> EventFee:
    """The fee read afresh under its row lock: a provider's retry waits, then sees it paid."""
    query = select(EventFee).where(EventFee.id == fee_id).with_for_update().execution_options(populate_existing=True)
    fee = (await session.exec(query)).first()
    if fee is None:
        raise NotFound(f"event fee {fee_id} does not exist")
    return fee


async def _of_registration(session: AsyncSession, registration_id: str, statuses: list[str]) -> list[EventFee]:
    """A registration's fees of these statuses under their row locks, the latest hold's first."""
    query = (
        select(EventFee)
        .where(EventFee.registration_id == registration_id, col(EventFee.status).in_(statuses))
        .order_by(col(EventFee.created_at).desc())
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list((await session.exec(query)).all())
