"""What livestream knows of catalog's directory, learnt from its events: providers and their
offerings, where they are listed, their verified papers and leaders' endorsements — enough to put
a provider on air or on a card with its credential badge, never to vet one."""

from datetime import date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.livestream.directory.models import (
    KnownEndorsement,
    KnownListing,
    KnownOffering,
    KnownProvider,
    KnownQualification,
)
from shared.errors import Conflict, NotFound
from shared.events.schemas.catalog import OfferingSnapshot
from shared.models import utcnow

LISTED, VERIFIED = "listed", "verified"


async def remember_provider(
    session: AsyncSession, *, provider_id: str, name: str, kind: str | None, at: datetime
) -> None:
    known = await session.get(KnownProvider, provider_id)
    if known is None:
        session.add(KnownProvider(id=provider_id, name=name, kind=kind or "organisation", as_of=at))
    elif known.as_of <= at:
        known.name, known.as_of = name, at
        known.kind = kind or known.kind
        session.add(known)


async def remember_offering(session: AsyncSession, snapshot: OfferingSnapshot, *, at: datetime) -> None:
    known = await session.get(KnownOffering, snapshot.offering_id)
    if known is not None and known.as_of > at:
        return
    fields = snapshot.model_dump(include=set(KnownOffering.model_fields) - {"id", "as_of"})
    await session.merge(KnownOffering(id=snapshot.offering_id, as_of=at, **fields))


async def remember_listing(
    session: AsyncSession, *, provider_id: str, community_id: str, state: str, at: datetime
) -> None:
    known = await session.get(KnownListing, (provider_id, community_id))
    if known is None or known.as_of <= at:
        await session.merge(KnownListing(provider_id=provider_id, community_id=community_id, state=state, as_of=at))


async def remember_qualification(
    session: AsyncSession,
    *,
    qualification_id: str,
    provider_id: str,
    domain: str,
    valid_until: date,
    status: str,
    at: datetime,
) -> None:
    known = await session.get(KnownQualification, qualification_id)
    if known is None or known.as_of <= at:
        await session.merge(
            KnownQualification(
                id=qualification_id,
                provider_id=provider_id,
                domain=domain,
                valid_until=valid_until,
                status=status,
                as_of=at,
            )
        )


async def remember_endorsement(
    session: AsyncSession,
    *,
    endorsement_id: str,
    provider_id: str,
    community_id: str,
    leader_id: str,
    note: str | None,
    at: datetime,
) -> None:
    """An endorsement added (with its note) or withdrawn (note None): withdrawal is final."""
    known = await session.get(KnownEndorsement, endorsement_id)
    if note is None:
        if known is None:
            known = KnownEndorsement(
                id=endorsement_id,
                provider_id=provider_id,
                community_id=community_id,
                leader_id=leader_id,
                note="",
                at=at,
            )
        known.withdrawn = True
        session.add(known)
    elif known is None:
        session.add(
            KnownEndorsement(
                id=endorsement_id,
                provider_id=provider_id,
                community_id=community_id,
                leader_id=leader_id,
                note=note,
                at=at,
            )
        )


async def require_listed(session: AsyncSession, *, provider_id: str, community_id: str) -> KnownProvider:
    """A provider appears on air or on a card only while listed in the session's community."""
    provider = await session.get(KnownProvider, provider_id)
    if provider is None:
        raise NotFound(f"provider {provider_id} does not exist")
    listing = await session.get(KnownListing, (provider_id, community_id))
    if listing is None or listing.state != LISTED:
        state = listing.state if listing else "not listed"
        raise Conflict(
            f"provider {provider_id} is {state.replace('_', ' ')} in this community; only listed providers appear"
        )
    return provider


async def offering(session: AsyncSession, offering_id: str) -> KnownOffering:
    known = await session.get(KnownOffering, offering_id)
    if known is None:
        raise NotFound(f"offering {offering_id} does not exist")
    return known


async def badge(session: AsyncSession, *, provider_id: str, community_id: str) -> dict[str, Any]:
    """The credential badge: papers an operator verified that are still valid, and this community's
    leaders' endorsement (the newest note)."""
    today = utcnow().date()
    verified = (
        await session.exec(
            select(KnownQualification.domain).where(
                KnownQualification.provider_id == provider_id,
                KnownQualification.status == VERIFIED,
                col(KnownQualification.valid_until) >= today,
            )
        )
    ).all()
    endorsement = (
        await session.exec(
            select(KnownEndorsement)
            .where(
                KnownEndorsement.provider_id == provider_id,
                KnownEndorsement.community_id == community_id,
                col(KnownEndorsement.withdrawn).is_(False),
            )
            .order_by(col(KnownEndorsement.at))
        )
    ).all()
    return {
        "verified_qualification": bool(verified),
        "verified_domains": sorted(set(verified)),
        "endorsed": bool(endorsement),
        "endorsement_note": endorsement[-1].note if endorsement else None,
    }
