"""Asking to join without an invite code: a person asks, a leader of the community approves (they
join as a resident, `community.member.joined`) or declines (`community.membership.declined`).
One open request per person and community; a member has nothing to ask. Approval is also the way
back for someone a leader removed (the invite code no longer admits them)."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.communities.members import holders, require_leader
from services.community.communities.models import (
    APPROVED,
    DECLINED,
    PENDING,
    Community,
    MembershipRequest,
    MembershipRequestCreate,
    Removal,
)
from services.community.communities.service import add_member, is_member
from shared.auth import LEADER, RESIDENT, Principal
from shared.bus import emit
from shared.errors import Conflict, NotFound
from shared.events.schemas.community import MembershipDeclined, MembershipRequested
from shared.models import utcnow


async def ask(
    session: AsyncSession, *, principal: Principal, community_id: str, data: MembershipRequestCreate
) -> MembershipRequest:
    if await session.get(Community, community_id) is None:
        raise NotFound(f"community {community_id} does not exist")
    if await is_member(session, community_id=community_id, user_id=principal.user_id):
        raise Conflict(f"you are already a member of community {community_id}")
    pending = select(MembershipRequest).where(
        MembershipRequest.community_id == community_id,
        MembershipRequest.user_id == principal.user_id,
        MembershipRequest.status == PENDING,
    )
    if (await session.exec(pending)).first() is not None:
        raise Conflict("you have already asked to join; a leader will answer")
    request = MembershipRequest(**data.model_dump(), community_id=community_id, user_id=principal.user_id)
    session.add(request)
    await emit(
        session,
        MembershipRequested(
            request_id=request.id,
            community_id=community_id,
            user_id=principal.user_id,
            recipient_ids=await holders(session, community_id=community_id, roles=(LEADER,)),
        ),
        subject=request.id,
        community_id=community_id,
        actor_id=principal.user_id,
    )
    return request


async def pending(session: AsyncSession, *, principal: Principal, community_id: str) -> list[MembershipRequest]:
    await require_leader(session, principal, community_id)
    query = select(MembershipRequest).where(
        MembershipRequest.community_id == community_id, MembershipRequest.status == PENDING
    )
    return list((await session.exec(query.order_by(col(MembershipRequest.created_at)))).all())


async def decide(
    session: AsyncSession, *, principal: Principal, community_id: str, request_id: str, approve: bool
) -> MembershipRequest:
    await require_leader(session, principal, community_id)
    request = await session.get(MembershipRequest, request_id)
    if request is None or request.community_id != community_id:
        raise NotFound(f"request {request_id} does not exist in community {community_id}")
    if request.status != PENDING:
        raise Conflict(f"this request was already {request.status}")
    request.status, request.decided_by, request.decided_at = (
        (APPROVED if approve else DECLINED),
        principal.user_id,
        utcnow(),
    )
    session.add(request)
    if not approve:
        await emit(
            session,
            MembershipDeclined(request_id=request.id, community_id=community_id, user_id=request.user_id),
            subject=request.id,
            community_id=community_id,
            actor_id=principal.user_id,
        )
        return request
    removal = await session.get(Removal, (community_id, request.user_id))
    if removal is not None:  # a leader lets them back in
        await session.delete(removal)
    if not await is_member(session, community_id=community_id, user_id=request.user_id):  # joined by code meanwhile
        await add_member(
            session,
            community_id=community_id,
            user_id=request.user_id,
            role=RESIDENT,
            display_name=request.display_name,
            actor_id=principal.user_id,
        )
    return request
