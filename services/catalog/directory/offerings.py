"""Offerings (HSDS services): a provider describes what it offers, at what price, when (slots from
RFC 5545 rules), for whom, and on what cancellation terms. A regulated offering of a provider
already listed somewhere needs its papers first; a defunct offering is kept, unchanged, for the
record. Leaders vetting the provider, and operators, assure it (HSDS assured_date)."""

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.directory import changelog, index, papers
from services.catalog.directory.access import LISTED, Standing, provider_for
from services.catalog.directory.models import (
    Change,
    Listing,
    Offering,
    OfferingCreate,
    OfferingPublic,
    OfferingUpdate,
    Provider,
    check_offering,
)
from services.catalog.directory.taxonomy import domain_of, label_of
from shared.auth import Principal
from shared.bus import emit
from shared.errors import Conflict, Forbidden, NotFound, Unprocessable
from shared.events.schemas.catalog import OfferingCreated, OfferingUpdated
from shared.models import utcnow

NULLABLE = {"price_fen", "schedule", "min_age", "max_age", "late_cancellation_fee_fen", "late_cancellation_fee_percent"}


async def create(session: AsyncSession, *, principal: Principal, data: OfferingCreate) -> Offering:
    provider, _ = await provider_for(session, principal, data.provider_id, at_least=Standing.MANAGER)
    offering = Offering(**data.model_dump(), regulated_domain=domain_of(data.category))
    await _papers_if_listed(session, provider, offering)
    session.add(offering)
    await index.store_terms(session, offering, provider_name=provider.name)
    await index.store_slots(session, offering, now=utcnow())
    await emit(
        session,
        OfferingCreated(**_snapshot(offering)),
        subject=offering.id,
        actor_id=principal.user_id,
    )
    return offering


async def get(session: AsyncSession, *, principal: Principal, offering_id: str) -> Offering:
    offering, _ = await _offering_for(session, principal, offering_id, at_least=Standing.RESIDENT)
    return offering


async def of_provider(session: AsyncSession, *, principal: Principal, provider_id: str) -> list[Offering]:
    await provider_for(session, principal, provider_id, at_least=Standing.RESIDENT)
    query = select(Offering).where(Offering.provider_id == provider_id).order_by(col(Offering.created_at))
    return list((await session.exec(query)).all())


async def update(session: AsyncSession, *, principal: Principal, offering_id: str, data: OfferingUpdate) -> Offering:
    offering, provider = await _offering_for(session, principal, offering_id, at_least=Standing.MANAGER)
    if offering.status == "defunct":
        raise Conflict("a defunct offering is kept unchanged for the record; describe a new one")
    changes = data.model_dump(exclude_unset=True)
    if cleared := sorted(f for f, v in changes.items() if v is None and f not in NULLABLE):
        raise Unprocessable(f"{', '.join(cleared)} cannot be cleared")
    merged = {**offering.model_dump(), **changes}
    try:
        check_offering(merged, schedule_too="schedule" in changes)
    except ValueError as exc:
        raise Unprocessable(str(exc)) from None
    changed = await changelog.apply(session, offering, changes, resource="offering", actor_id=principal.user_id)
    if not changed:
        return offering
    offering.regulated_domain = domain_of(offering.category)
    await _papers_if_listed(session, provider, offering)
    if set(changed) & set(index.TEXT_FIELDS):
        await index.store_terms(session, offering, provider_name=provider.name)
    if "schedule" in changed:
        await index.store_slots(session, offering, now=utcnow())
    await _announce(session, offering, changed, actor_id=principal.user_id)
    return offering


async def assure(session: AsyncSession, *, principal: Principal, offering_id: str) -> Offering:
    """A leader vetting the provider (or an operator) checked the offering is as described."""
    offering, provider = await _offering_for(session, principal, offering_id, at_least=Standing.LEADER)
    if provider.owner_id == principal.user_id and not principal.operator:
        raise Forbidden("a leader vetting the provider, or an operator, assures its offerings; not the provider")
    fields = {"assured_at": utcnow(), "assured_by": principal.user_id}
    changed = await changelog.apply(session, offering, fields, resource="offering", actor_id=principal.user_id)
    await _announce(session, offering, changed, actor_id=principal.user_id)
    return offering


async def changes(
    session: AsyncSession, *, principal: Principal, offering_id: str, limit: int, offset: int
) -> list[Change]:
    await _offering_for(session, principal, offering_id, at_least=Standing.LEADER)
    return await changelog.history(session, resource="offering", resource_id=offering_id, limit=limit, offset=offset)


def public(offering: Offering) -> OfferingPublic:
    return OfferingPublic.model_validate({**offering.model_dump(), "category_label": label_of(offering.category)})


async def _offering_for(
    session: AsyncSession, principal: Principal, offering_id: str, *, at_least: Standing
) -> tuple[Offering, Provider]:
    offering = await session.get(Offering, offering_id)
    if offering is None:
        raise NotFound(f"offering {offering_id} does not exist")
    try:
        provider, _ = await provider_for(session, principal, offering.provider_id, at_least=at_least)
    except NotFound:
        raise NotFound(f"offering {offering_id} does not exist") from None
    return offering, provider


async def _papers_if_listed(session: AsyncSession, provider: Provider, offering: Offering) -> None:
    """Listing needs papers; so does a new regulated offering of a provider already listed."""
    if not offering.regulated_domain or offering.status == "defunct":
        return
    listed = await session.exec(select(Listing.id).where(Listing.provider_id == provider.id, Listing.state == LISTED))
    if listed.first() is not None:
        await papers.require(session, provider.id, today=utcnow().date(), needed={offering.regulated_domain})


async def _announce(session: AsyncSession, offering: Offering, changed: list[str], *, actor_id: str) -> None:
    await emit(
        session,
        OfferingUpdated(**_snapshot(offering), changed=changed),
        subject=offering.id,
        actor_id=actor_id,
    )


def _snapshot(offering: Offering) -> dict[str, Any]:
    return {"offering_id": offering.id, **offering.model_dump()}
