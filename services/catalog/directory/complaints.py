"""Complaints: a resident of the community files one (one open complaint per resident and listing,
so no one alone can push a provider out); past the threshold a listed listing goes back under
review by itself. Each is announced (`catalog.complaint.filed`, without who filed it) for matching
to weigh. The community's leaders (and operators) read and resolve them."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.directory import vetting
from services.catalog.directory.models import Complaint, ComplaintCreate
from services.catalog.directory.vetting import LEADER_ROLE, OPERATOR, PROVIDER, ReviewRules
from shared.auth import Principal
from shared.bus import emit
from shared.errors import Conflict, Forbidden, NotFound
from shared.events.schemas.catalog import ComplaintFiled
from shared.models import utcnow

OPEN = "open"


async def file(
    session: AsyncSession, *, principal: Principal, listing_id: str, data: ComplaintCreate, rules: ReviewRules
) -> Complaint:
    listing, roles = await vetting.listing_for(session, principal, listing_id, lock=True)
    if not principal.roles_in(listing.community_id):
        raise Forbidden("residents of the community file complaints")
    if PROVIDER in roles:
        raise Forbidden("a provider does not complain about itself")
    if listing.state != vetting.LISTED:
        raise Conflict(f"complaints are about listed providers; this listing is {listing.state}")
    mine = await session.exec(
        select(Complaint.id).where(
            Complaint.listing_id == listing.id, Complaint.resident_id == principal.user_id, Complaint.status == OPEN
        )
    )
    if (existing := mine.first()) is not None:
        raise Conflict("you already have an open complaint about this provider here", complaint_id=existing)
    complaint = Complaint(
        listing_id=listing.id, community_id=listing.community_id, resident_id=principal.user_id, reason=data.reason
    )
    session.add(complaint)
    await session.flush()
    filed = ComplaintFiled(
        complaint_id=complaint.id,
        listing_id=listing.id,
        provider_id=listing.provider_id,
        community_id=listing.community_id,
        open_complaints=await vetting.open_complaints(session, listing.id),
    )
    # No actor: the envelope would name the resident the payload leaves out.
    await emit(session, filed, subject=complaint.id, community_id=listing.community_id)
    await vetting.maybe_put_under_review(session, listing, rules=rules)
    return complaint


async def of_listing(session: AsyncSession, *, principal: Principal, listing_id: str) -> list[Complaint]:
    """Leaders and operators read all; a resident reads their own."""
    listing, roles = await vetting.listing_for(session, principal, listing_id)
    query = select(Complaint).where(Complaint.listing_id == listing.id)
    if not roles & {LEADER_ROLE, OPERATOR}:
        query = query.where(Complaint.resident_id == principal.user_id)
    return list((await session.exec(query.order_by(col(Complaint.created_at)))).all())


async def resolve(session: AsyncSession, *, principal: Principal, complaint_id: str, note: str) -> Complaint:
    complaint = await session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound(f"complaint {complaint_id} does not exist")
    _, roles = await vetting.listing_for(session, principal, complaint.listing_id)
    if not roles & {LEADER_ROLE, OPERATOR}:
        raise Forbidden("the community's leaders and operators resolve complaints")
    if complaint.status != OPEN:
        raise Conflict("this complaint is already resolved")
    complaint.status, complaint.resolved_by, complaint.resolution = "resolved", principal.user_id, note
    complaint.resolved_at = utcnow()
    session.add(complaint)
    return complaint
