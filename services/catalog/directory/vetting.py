"""Vetting: a provider's listing in a community moves applied → under review → trial (the leader
tries the service and writes a trial note) → listed → suspended → terminated, along the allowed
transitions only, each recorded with who and why.

The provider applies, and may withdraw (terminate its own listing) at any point; the community's
leader moves the listing through review, trial and listing; leaders and operators suspend and
terminate. Linli itself puts a listed listing back under review when complaints or low ratings
pass their thresholds (`maybe_put_under_review`) and suspends one whose papers expired.
"""

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.directory import papers
from services.catalog.directory.access import LISTED, Standing, provider_for
from services.catalog.directory.models import (
    Complaint,
    KnownCommunity,
    Listing,
    ListingCreate,
    ListingTransition,
    Offering,
    Provider,
    TransitionRequest,
)
from services.catalog.settings import Settings
from shared.auth import LEADER, Principal
from shared.bus import emit
from shared.errors import Conflict, Forbidden, NotFound
from shared.events.schemas.catalog import (
    ListingApplied,
    ListingListed,
    ListingMoved,
    ListingOnTrial,
    ListingSuspended,
    ListingTerminated,
    ListingUnderReview,
)
from shared.models import utcnow

APPLIED, UNDER_REVIEW, TRIAL, SUSPENDED, TERMINATED = "applied", "under_review", "trial", "suspended", "terminated"
Role = Literal["provider", "leader", "operator", "resident", "system"]
PROVIDER: Role = "provider"
OPERATOR: Role = "operator"
RESIDENT: Role = "resident"
SYSTEM: Role = "system"
LEADER_ROLE: Role = "leader"

# Ending a listing: declined or ended by a leader or an operator, or withdrawn by the provider.
ENDS = frozenset({LEADER_ROLE, OPERATOR, PROVIDER})
# (from, to) → who may move a listing so.
TRANSITIONS: dict[tuple[str, str], frozenset[Role]] = {
    (APPLIED, UNDER_REVIEW): frozenset({LEADER_ROLE}),
    (APPLIED, TERMINATED): ENDS,
    (UNDER_REVIEW, TRIAL): frozenset({LEADER_ROLE}),
    (UNDER_REVIEW, LISTED): frozenset({LEADER_ROLE}),  # back from a review, when it had its trial before
    (UNDER_REVIEW, SUSPENDED): frozenset({LEADER_ROLE, OPERATOR}),
    (UNDER_REVIEW, TERMINATED): ENDS,
    (TRIAL, LISTED): frozenset({LEADER_ROLE}),
    (TRIAL, TERMINATED): ENDS,
    (LISTED, UNDER_REVIEW): frozenset({LEADER_ROLE, SYSTEM}),
    (LISTED, SUSPENDED): frozenset({LEADER_ROLE, OPERATOR, SYSTEM}),
    (LISTED, TERMINATED): ENDS,
    (SUSPENDED, UNDER_REVIEW): frozenset({LEADER_ROLE}),
    (SUSPENDED, LISTED): frozenset({LEADER_ROLE}),
    (SUSPENDED, TERMINATED): ENDS,
}
EVENTS: dict[str, type[ListingMoved]] = {
    APPLIED: ListingApplied,
    UNDER_REVIEW: ListingUnderReview,
    TRIAL: ListingOnTrial,
    LISTED: ListingListed,
    SUSPENDED: ListingSuspended,
    TERMINATED: ListingTerminated,
}


@dataclass(frozen=True)
class ReviewRules:
    """When Linli puts a listed listing back under review by itself."""

    complaint_threshold: int = 3  # open complaints, one per resident
    low_rating_below: float = 3.0  # an offering's average rating below this…
    low_rating_min_count: int = 5  # …over at least this many ratings

    @classmethod
    def from_settings(cls, settings: Settings) -> "ReviewRules":
        return cls(
            complaint_threshold=settings.complaint_threshold,
            low_rating_below=settings.low_rating_below,
            low_rating_min_count=settings.low_rating_min_count,
        )


async def apply(session: AsyncSession, *, principal: Principal, data: ListingCreate) -> Listing:
    provider, _ = await provider_for(session, principal, data.provider_id, at_least=Standing.MANAGER)
    await session.exec(select(Provider.id).where(Provider.id == provider.id).with_for_update())  # one at a time
    if await session.get(KnownCommunity, data.community_id) is None:
        raise NotFound(f"community {data.community_id} does not exist")
    existing = (
        await session.exec(
            select(Listing).where(Listing.provider_id == provider.id, Listing.community_id == data.community_id)
        )
    ).first()
    if existing is not None:
        raise Conflict(
            f"this provider already has a listing in this community ({existing.state})", listing_id=existing.id
        )
    listing = Listing(provider_id=provider.id, community_id=data.community_id, state=APPLIED)
    session.add(listing)
    role = PROVIDER if provider.owner_id == principal.user_id else OPERATOR
    await _record(session, listing, None, actor_id=principal.user_id, role=role, reason=data.message or "applied")
    return listing


async def get(session: AsyncSession, *, principal: Principal, listing_id: str) -> Listing:
    listing, _ = await listing_for(session, principal, listing_id)
    return listing


async def transition(
    session: AsyncSession, *, principal: Principal, listing_id: str, request: TransitionRequest
) -> Listing:
    listing, roles = await listing_for(session, principal, listing_id, lock=True)
    if not roles & {LEADER_ROLE, OPERATOR} and (PROVIDER not in roles or request.to != TERMINATED):
        raise Forbidden("the community's leaders and operators move a listing; its provider may only withdraw it")
    await move(session, listing, to=request.to, actor_id=principal.user_id, roles=roles, reason=request.reason)
    return listing


async def write_trial_note(session: AsyncSession, *, principal: Principal, listing_id: str, note: str) -> Listing:
    listing, roles = await listing_for(session, principal, listing_id, lock=True)
    if LEADER_ROLE not in roles:
        raise Forbidden("the community's leader writes the trial note")
    if listing.state != TRIAL:
        raise Conflict(f"a trial note is written while the listing is on trial, not {listing.state}")
    listing.trial_note, listing.trial_note_by, listing.updated_at = note, principal.user_id, utcnow()
    session.add(listing)
    return listing


async def history(session: AsyncSession, *, principal: Principal, listing_id: str) -> list[ListingTransition]:
    _, roles = await listing_for(session, principal, listing_id)
    if not roles & {PROVIDER, LEADER_ROLE, OPERATOR}:
        raise Forbidden("the provider, the community's leaders and operators read a listing's history")
    query = select(ListingTransition).where(ListingTransition.listing_id == listing_id)
    return list((await session.exec(query.order_by(col(ListingTransition.id)))).all())


async def of_community(
    session: AsyncSession, *, principal: Principal, community_id: str, state: str | None, limit: int, offset: int
) -> list[Listing]:
    if LEADER not in principal.roles_in(community_id) and not principal.operator:
        raise Forbidden("the community's leaders and operators see its listings in every state; residents search")
    query = select(Listing).where(Listing.community_id == community_id)
    if state is not None:
        query = query.where(Listing.state == state)
    query = query.order_by(col(Listing.created_at), col(Listing.id)).offset(offset).limit(limit)
    return list((await session.exec(query)).all())


async def of_provider(session: AsyncSession, *, principal: Principal, provider_id: str) -> list[Listing]:
    await provider_for(session, principal, provider_id, at_least=Standing.MANAGER)
    query = select(Listing).where(Listing.provider_id == provider_id).order_by(col(Listing.created_at))
    return list((await session.exec(query)).all())


async def move(
    session: AsyncSession, listing: Listing, *, to: str, actor_id: str | None, roles: set[Role], reason: str
) -> None:
    """The one way a listing changes state (people and Linli alike): allowed transitions only (409),
    by whom the transition allows (403); listing needs a trial note and, if regulated, papers."""
    allowed = TRANSITIONS.get((listing.state, to))
    if allowed is None:
        ways = sorted(b for a, b in TRANSITIONS if a == listing.state)
        raise Conflict(f"a listing cannot go from {listing.state} to {to}", allowed=ways)
    acting = next(
        (role for role in (LEADER_ROLE, OPERATOR, SYSTEM, PROVIDER) if role in allowed and role in roles), None
    )
    if acting is None:
        who = " or ".join(sorted(allowed - {SYSTEM}))
        raise Forbidden(f"only the community's {who} moves a listing from {listing.state} to {to}")
    if to == LISTED:
        if not listing.trial_note:
            raise Conflict("the leader tries the service and writes a trial note before listing it")
        await papers.require(session, listing.provider_id, today=utcnow().date())
    before = listing.state
    listing.state, listing.updated_at = to, utcnow()
    session.add(listing)
    await _record(session, listing, before, actor_id=actor_id, role=acting, reason=reason)


async def maybe_put_under_review(session: AsyncSession, listing: Listing, *, rules: ReviewRules) -> bool:
    """Put a listed listing back under review if complaints or ratings say so. Complaints call it
    when filed, reviews when a rating arrives."""
    if listing.state != LISTED:
        return False
    reasons = []
    if (complaints := await open_complaints(session, listing.id)) >= rules.complaint_threshold:
        reasons.append(f"{complaints} open complaints")
    lowest = await session.exec(
        select(func.min(Offering.rating_avg)).where(
            Offering.provider_id == listing.provider_id,
            Offering.status != "defunct",
            col(Offering.rating_count) >= rules.low_rating_min_count,
        )
    )
    if (rating := lowest.one()) is not None and rating < rules.low_rating_below:
        reasons.append(f"an offering is rated {rating:.1f}")
    if reasons:
        await move(session, listing, to=UNDER_REVIEW, actor_id=None, roles={SYSTEM}, reason="; ".join(reasons))
    return bool(reasons)


async def open_complaints(session: AsyncSession, listing_id: str) -> int:
    query = select(func.count()).where(Complaint.listing_id == listing_id, Complaint.status == "open")
    return int((await session.exec(query)).one())


async def listing_for(
    session: AsyncSession, principal: Principal, listing_id: str, *, lock: bool = False
) -> tuple[Listing, set[Role]]:
    """The listing and what the caller is to it; 404 if they are nothing to it."""
    query = select(Listing).where(Listing.id == listing_id)
    listing = (await session.exec(query.with_for_update() if lock else query)).first()
    if listing is None:
        raise NotFound(f"listing {listing_id} does not exist")
    roles: set[Role] = set()
    if principal.operator:
        roles.add(OPERATOR)
    if LEADER in principal.roles_in(listing.community_id):
        roles.add(LEADER_ROLE)
    provider = await session.get(Provider, listing.provider_id)
    if provider is not None and provider.owner_id == principal.user_id:
        roles.add(PROVIDER)
    if listing.state == LISTED and principal.roles_in(listing.community_id):
        roles.add(RESIDENT)
    if not roles:
        raise NotFound(f"listing {listing_id} does not exist")
    return listing, roles


async def _record(
    session: AsyncSession, listing: Listing, before: str | None, *, actor_id: str | None, role: Role, reason: str
) -> None:
    session.add(
        ListingTransition(
            listing_id=listing.id,
            from_state=before,
            to_state=listing.state,
            actor_id=actor_id,
            actor_role=role,
            reason=reason,
        )
    )
    await emit(
        session,
        EVENTS[listing.state](
            listing_id=listing.id,
            provider_id=listing.provider_id,
            community_id=listing.community_id,
            from_state=before,
            reason=reason,
        ),
        subject=listing.id,
        community_id=listing.community_id,
        actor_id=actor_id,
    )
