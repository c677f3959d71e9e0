"""Qualifications: a provider files papers for a regulated domain (an expiry date in the past is
refused); an operator verifies or rejects them; verified papers that run out expire, and every
listing that needed them is suspended (`expire`, run by the directory clock)."""

from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.directory import papers, vetting
from services.catalog.directory.access import LISTED, Standing, provider_for
from services.catalog.directory.models import Decision, Listing, Qualification, QualificationCreate
from shared.auth import Principal
from shared.bus import emit
from shared.errors import Conflict, NotFound
from shared.events.schemas.catalog import (
    QualificationExpired,
    QualificationFact,
    QualificationRejected,
    QualificationSubmitted,
    QualificationVerified,
)
from shared.models import utcnow

PENDING, REJECTED, EXPIRED = "pending", "rejected", "expired"


async def submit(
    session: AsyncSession, *, principal: Principal, provider_id: str, data: QualificationCreate
) -> Qualification:
    await provider_for(session, principal, provider_id, at_least=Standing.MANAGER)
    qualification = Qualification(**data.model_dump(), provider_id=provider_id, uploaded_by=principal.user_id)
    session.add(qualification)
    await _announce(session, QualificationSubmitted, qualification, actor_id=principal.user_id)
    return qualification


async def of_provider(session: AsyncSession, *, principal: Principal, provider_id: str) -> list[Qualification]:
    await provider_for(session, principal, provider_id, at_least=Standing.LEADER)
    query = select(Qualification).where(Qualification.provider_id == provider_id)
    return list((await session.exec(query.order_by(col(Qualification.created_at)))).all())


async def decide(
    session: AsyncSession, *, principal: Principal, qualification_id: str, decision: Decision
) -> Qualification:
    principal.require_operator()
    query = select(Qualification).where(Qualification.id == qualification_id).with_for_update()
    qualification = (await session.exec(query)).first()
    if qualification is None:
        raise NotFound(f"qualification {qualification_id} does not exist")
    if qualification.status != PENDING:
        raise Conflict(f"this qualification was already {qualification.status}")
    if decision.verified and qualification.valid_until < utcnow().date():
        raise Conflict("these papers expired while waiting; the provider files current ones")
    qualification.status = papers.VERIFIED if decision.verified else REJECTED
    qualification.decided_by, qualification.decided_at = principal.user_id, utcnow()
    session.add(qualification)
    event = QualificationVerified if decision.verified else QualificationRejected
    await _announce(session, event, qualification, actor_id=principal.user_id)
    return qualification


async def expire(session: AsyncSession, qualification: Qualification, *, today: date) -> None:
    """Verified papers ran out: mark them, and suspend the listings that now lack papers."""
    qualification.status = EXPIRED
    session.add(qualification)
    await _announce(session, QualificationExpired, qualification, actor_id=None)
    if not await papers.missing(session, qualification.provider_id, today=today):
        return  # other papers cover the domain, or no offering needs it
    listed = await session.exec(
        select(Listing).where(Listing.provider_id == qualification.provider_id, Listing.state == LISTED)
    )
    for listing in listed.all():
        await vetting.move(
            session,
            listing,
            to=vetting.SUSPENDED,
            actor_id=None,
            roles={vetting.SYSTEM},
            reason=f"{qualification.kind} {qualification.number} expired on {qualification.valid_until.isoformat()}",
        )


async def _announce(
    session: AsyncSession, event: type[QualificationFact], qualification: Qualification, *, actor_id: str | None
) -> None:
    await emit(
        session,
        event(
            qualification_id=qualification.id,
            provider_id=qualification.provider_id,
            domain=qualification.domain,
            valid_until=qualification.valid_until,
        ),
        subject=qualification.id,
        actor_id=actor_id,
    )
