"""Endorsements: a community's leader vouches for a provider listed there, in a short note of their
own; residents see it with the listing and in the guide. Only that community's leaders endorse
(operators do not: an endorsement is a neighbour's word); a leader of the community or an
operator withdraws one."""

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.directory.access import LISTED
from services.catalog.directory.models import Endorsement, EndorsementCreate, Listing
from shared.auth import LEADER, Principal
from shared.bus import emit
from shared.errors import Conflict, Forbidden, NotFound
from shared.events.schemas.catalog import EndorsementAdded, EndorsementWithdrawn
from shared.models import utcnow


async def endorse(session: AsyncSession, *, principal: Principal, data: EndorsementCreate) -> Endorsement:
    if LEADER not in principal.roles_in(data.community_id):
        raise Forbidden("only the community's leaders endorse providers for it")
    listing = (
        await session.exec(
            select(Listing)
            .where(Listing.provider_id == data.provider_id, Listing.community_id == data.community_id)
            .with_for_update()  # one endorsement per leader, even when the button is pressed twice
        )
    ).first()
    if listing is None or listing.state != LISTED:
        raise Conflict("only a provider listed in the community can be endorsed for it")
    already = await session.exec(
        select(Endorsement.id).where(
            Endorsement.provider_id == data.provider_id,
            Endorsement.community_id == data.community_id,
            Endorsement.leader_id == principal.user_id,
            col(Endorsement.withdrawn_at).is_(None),
        )
    )
    if (existing := already.first()) is not None:
        raise Conflict("you already endorse this provider here", endorsement_id=existing)
    endorsement = Endorsement(**data.model_dump(), leader_id=principal.user_id)
    session.add(endorsement)
    await emit(
        session,
        EndorsementAdded(
            endorsement_id=endorsement.id,
            provider_id=endorsement.provider_id,
            community_id=endorsement.community_id,
            leader_id=endorsement.leader_id,
            note=endorsement.note,
        ),
        subject=endorsement.id,
        community_id=endorsement.community_id,
        actor_id=principal.user_id,
    )
    return endorsement


async def withdraw(session: AsyncSession, *, principal: Principal, endorsement_id: str) -> Endorsement:
    endorsement = await session.get(Endorsement, endorsement_id)
    if endorsement is None or not (principal.roles_in(endorsement.community_id) or principal.operator):
        raise NotFound(f"endorsement {endorsement_id} does not exist")
    if LEADER not in principal.roles_in(endorsement.community_id) and not principal.operator:
        raise Forbidden("the community's leaders and operators withdraw endorsements")
    if endorsement.withdrawn_at is not None:
        raise Conflict("this endorsement was already withdrawn")
    endorsement.withdrawn_at, endorsement.withdrawn_by = utcnow(), principal.user_id
    session.add(endorsement)
    await emit(
        session,
        EndorsementWithdrawn(
            endorsement_id=endorsement.id,
            provider_id=endorsement.provider_id,
            community_id=endorsement.community_id,
            leader_id=endorsement.leader_id,
        ),
        subject=endorsement.id,
        community_id=endorsement.community_id,
        actor_id=principal.user_id,
    )
    return endorsement


async def of_community(session: AsyncSession, *, principal: Principal, community_id: str) -> list[Endorsement]:
    """Residents see the endorsements of providers listed now; leaders also those of suspended ones."""
    principal.require_member(community_id)
    leader = LEADER in principal.roles_in(community_id) or principal.operator
    return await active(session, community_id=community_id, listed_only=not leader)


async def active(
    session: AsyncSession, *, community_id: str, provider_ids: Sequence[str] | None = None, listed_only: bool = True
) -> list[Endorsement]:
    """Endorsements in force in a community (of these providers), oldest first."""
    query = select(Endorsement).where(Endorsement.community_id == community_id, col(Endorsement.withdrawn_at).is_(None))
    if listed_only:
        query = query.join(
            Listing,
            (col(Listing.provider_id) == col(Endorsement.provider_id))
            & (col(Listing.community_id) == community_id)
            & (col(Listing.state) == LISTED),
        )
    if provider_ids is not None:
        query = query.where(col(Endorsement.provider_id).in_(provider_ids))
    return list((await session.exec(query.order_by(col(Endorsement.created_at), col(Endorsement.id)))).all())
