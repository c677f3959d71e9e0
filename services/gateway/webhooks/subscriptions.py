"""A provider's webhook subscriptions: create, read, change, delete, and disable with a notice."""

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway.partners.models import Partner
from services.gateway.webhooks.events import partner_event_types
from services.gateway.webhooks.guard import Guard
from services.gateway.webhooks.models import (
    ACTIVE,
    CANCELLED,
    DELETED,
    DISABLED,
    PENDING,
    PartnerNotice,
    SubscriptionCreate,
    SubscriptionUpdate,
    WebhookDelivery,
    WebhookSubscription,
)
from shared.bus import emit
from shared.errors import Conflict, NotFound, Unprocessable
from shared.events.schemas.gateway import SubscriptionDisabled
from shared.models import utcnow

MAX_PER_PROVIDER = 20
KEY_REVOKED = "its API key was revoked"


def _check_event_types(event_types: list[str]) -> list[str]:
    known = partner_event_types()
    unknown = sorted(set(event_types) - known.keys())
    if unknown:
        raise Unprocessable(
            f"unknown event types {', '.join(unknown)}; GET /partner/v1/event-types lists those you may subscribe to",
            unknown=unknown,
        )
    return sorted(set(event_types))


async def create(
    session: AsyncSession, *, partner: Partner, data: SubscriptionCreate, guard: Guard
) -> WebhookSubscription:
    event_types = _check_event_types(data.event_types)
    await guard.check_url(data.url)  # before the transaction begins: it asks DNS
    count = await session.exec(
        select(func.count())
        .select_from(WebhookSubscription)
        .where(WebhookSubscription.provider_id == partner.provider_id, WebhookSubscription.status != DELETED)
    )
    if count.one() >= MAX_PER_PROVIDER:
        raise Conflict(f"a provider may have {MAX_PER_PROVIDER} subscriptions; delete one first")
    subscription = WebhookSubscription(
        provider_id=partner.provider_id,
        key_id=partner.key_id,
        url=data.url,
        event_types=event_types,
        description=data.description,
    )
    session.add(subscription)
    await session.flush()
    return subscription


async def list_subscriptions(session: AsyncSession, *, partner: Partner) -> list[WebhookSubscription]:
    query = (
        select(WebhookSubscription)
        .where(WebhookSubscription.provider_id == partner.provider_id, WebhookSubscription.status != DELETED)
        .order_by(col(WebhookSubscription.created_at))
    )
    return list((await session.exec(query)).all())


async def get(session: AsyncSession, *, partner: Partner, subscription_id: str) -> WebhookSubscription:
    """The provider's own subscription; another provider's is not found (404, not 403: ids are not confirmed)."""
    subscription = await session.get(WebhookSubscription, subscription_id)
    if subscription is None or subscription.provider_id != partner.provider_id or subscription.status == DELETED:
        raise NotFound(f"subscription {subscription_id} does not exist")
    return subscription


async def change(
    session: AsyncSession, *, partner: Partner, subscription_id: str, data: SubscriptionUpdate, guard: Guard
) -> WebhookSubscription:
    """Checks everything before changing anything: a bad URL or event type leaves it as it was.
    (The URL is checked first, outside the transaction: it asks DNS.)"""
    event_types = _check_event_types(data.event_types) if data.event_types is not None else None
    if data.url is not None:
        await guard.check_url(data.url)
    subscription = await get(session, partner=partner, subscription_id=subscription_id)
    if data.enabled and subscription.status == DISABLED and subscription.disabled_reason == KEY_REVOKED:
        raise Conflict("its API key was revoked, so nothing can sign its deliveries; subscribe again")
    if data.url is not None and data.url != subscription.url:
        subscription.url, subscription.failing_since = data.url, None
    if event_types is not None:
        subscription.event_types = event_types
    if data.description is not None:
        subscription.description = data.description
    now = utcnow()
    if data.enabled is True and subscription.status == DISABLED:
        _mark(subscription, ACTIVE, reason=None, at=None)
        subscription.failing_since = None
    elif data.enabled is False and subscription.status == ACTIVE:
        _mark(subscription, DISABLED, reason="by the partner", at=now)
    subscription.updated_at = now
    session.add(subscription)
    return subscription


async def delete(session: AsyncSession, *, partner: Partner, subscription_id: str) -> None:
    """Gone for the partner; its deliveries and their log are kept, those not yet sent cancelled."""
    subscription = await get(session, partner=partner, subscription_id=subscription_id)
    subscription.status, subscription.updated_at = DELETED, utcnow()
    session.add(subscription)
    await session.execute(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.subscription_id) == subscription.id, col(WebhookDelivery.status) == PENDING)
        .values(status=CANCELLED, next_attempt_at=None)
    )


async def disable(session: AsyncSession, subscription: WebhookSubscription, *, reason: str, now: datetime) -> None:
    """Stop sending to an endpoint, tell the partner (a notice) and Linli (an event). Deliveries not
    yet sent wait for the partner to re-enable it."""
    if subscription.status != ACTIVE:
        return
    _mark(subscription, DISABLED, reason=reason, at=now)
    subscription.updated_at = now
    session.add(subscription)
    session.add(
        PartnerNotice(
            provider_id=subscription.provider_id,
            subscription_id=subscription.id,
            kind="subscription_disabled",
            detail=f"Webhooks to {subscription.url} are disabled: {reason}. Fix the endpoint, then re-enable it "
            f'with PATCH /partner/v1/subscriptions/{subscription.id} {{"enabled": true}}.',
            created_at=now,
        )
    )
    disabled = SubscriptionDisabled(
        subscription_id=subscription.id, provider_id=subscription.provider_id, url=subscription.url, reason=reason
    )
    await emit(session, disabled, subject=subscription.id)


def _mark(subscription: WebhookSubscription, status: str, *, reason: str | None, at: datetime | None) -> None:
    subscription.status, subscription.disabled_reason, subscription.disabled_at = status, reason, at


async def disable_for_key(session: AsyncSession, *, key_id: str, provider_id: str) -> None:
    query = select(WebhookSubscription).where(
        WebhookSubscription.key_id == key_id, WebhookSubscription.status == ACTIVE
    )
    now = utcnow()
    for subscription in (await session.exec(query)).all():
        await disable(session, subscription, reason=KEY_REVOKED, now=now)


async def notices(session: AsyncSession, *, partner: Partner, limit: int, offset: int) -> list[PartnerNotice]:
    query = (
        select(PartnerNotice)
        .where(PartnerNotice.provider_id == partner.provider_id)
        .order_by(col(PartnerNotice.created_at).desc())
        .offset(offset)
        .limit(limit)
    )
    return list((await session.exec(query)).all())
