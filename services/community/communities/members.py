"""A community's members over time: leaving, removal by a leader, roles handed out and taken back.

A community always keeps a leader: the last one can neither leave nor lose the role. Leaders name
moderators and property managers; only an operator names or removes a leader. Every change is an
event (`community.member.left`/`.removed`/`.role_granted`/`.role_revoked`) for the read models of
other services, which otherwise go by the token (valid for up to 15 minutes)."""

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.communities import membership
from services.community.communities.models import Membership, Removal
from services.community.communities.service import get_community, memberships
from shared.auth import LEADER, RESIDENT, Principal
from shared.bus import emit
from shared.errors import Conflict, NotFound
from shared.events.schemas.community import MemberLeft, MemberRemoved, MemberRoleGranted, MemberRoleRevoked


async def leave(session: AsyncSession, *, principal: Principal, community_id: str) -> None:
    await get_community(session, principal=principal, community_id=community_id)
    rows = await _rows_of(session, community_id=community_id, user_id=principal.user_id)
    await _keep_a_leader(session, community_id, rows)
    for row in rows:
        await session.delete(row)
    await emit(
        session,
        MemberLeft(community_id=community_id, user_id=principal.user_id),
        subject=community_id,
        community_id=community_id,
        actor_id=principal.user_id,
    )


async def remove(session: AsyncSession, *, principal: Principal, community_id: str, user_id: str) -> None:
    """A leader removes a member (an operator also a leader); they lose access to community at once."""
    await require_leader(session, principal, community_id)
    if user_id == principal.user_id:
        raise Conflict("to leave a community, leave it (DELETE …/members/me)")
    rows = await _rows_of(session, community_id=community_id, user_id=user_id)
    if any(row.role == LEADER for row in rows):
        principal.require_operator()
        await _keep_a_leader(session, community_id, rows)
    for row in rows:
        await session.delete(row)
    await session.merge(Removal(community_id=community_id, user_id=user_id, removed_by=principal.user_id))
    await emit(
        session,
        MemberRemoved(community_id=community_id, user_id=user_id, removed_by=principal.user_id),
        subject=community_id,
        community_id=community_id,
        actor_id=principal.user_id,
    )


async def grant_role(
    session: AsyncSession, *, principal: Principal, community_id: str, user_id: str, role: str
) -> list[Membership]:
    """Granting a role someone has is harmless (no event)."""
    await require_leader(session, principal, community_id)
    if role == LEADER:
        principal.require_operator()
    rows = await _rows_of(session, community_id=community_id, user_id=user_id)
    if all(row.role != role for row in rows):
        session.add(
            Membership(community_id=community_id, user_id=user_id, role=role, display_name=rows[0].display_name)
        )
        await emit(
            session,
            MemberRoleGranted(community_id=community_id, user_id=user_id, role=role, granted_by=principal.user_id),
            subject=community_id,
            community_id=community_id,
            actor_id=principal.user_id,
        )
    return await memberships(session, community_id=community_id, user_id=user_id)


async def revoke_role(
    session: AsyncSession, *, principal: Principal, community_id: str, user_id: str, role: str
) -> list[Membership]:
    """They stay a member: someone whose only role this was stays on as a resident."""
    await require_leader(session, principal, community_id)
    rows = await _rows_of(session, community_id=community_id, user_id=user_id)
    held = next((row for row in rows if row.role == role), None)
    if held is None:
        raise NotFound(f"{user_id} does not have the role {role} in community {community_id}")
    if role == LEADER:
        principal.require_operator()
        await _keep_a_leader(session, community_id, [held])
    if len(rows) == 1:
        held.role = RESIDENT
        session.add(held)
    else:
        await session.delete(held)
    await emit(
        session,
        MemberRoleRevoked(community_id=community_id, user_id=user_id, role=role, revoked_by=principal.user_id),
        subject=community_id,
        community_id=community_id,
        actor_id=principal.user_id,
    )
    await session.flush()
    return await memberships(session, community_id=community_id, user_id=user_id)


async def holders(session: AsyncSession, *, community_id: str, roles: tuple[str, ...]) -> list[str]:
    """Who holds any of `roles` in the community (whom to tell of a request or a report)."""
    query = select(Membership.user_id).where(Membership.community_id == community_id, col(Membership.role).in_(roles))
    return list(dict.fromkeys((await session.exec(query.order_by(col(Membership.id)))).all()))


async def require_leader(session: AsyncSession, principal: Principal, community_id: str) -> None:
    await get_community(session, principal=principal, community_id=community_id)
    await membership.require_role(session, principal, community_id, LEADER)


async def _rows_of(session: AsyncSession, *, community_id: str, user_id: str) -> list[Membership]:
    rows = await memberships(session, community_id=community_id, user_id=user_id)
    if not rows:
        raise NotFound(f"{user_id} is not a member of community {community_id}")
    return rows


async def _keep_a_leader(session: AsyncSession, community_id: str, losing: list[Membership]) -> None:
    if not any(row.role == LEADER for row in losing):
        return
    query = select(func.count()).where(Membership.community_id == community_id, Membership.role == LEADER)
    if (await session.exec(query)).one() <= 1:
        raise Conflict(f"community {community_id} needs a leader: an operator names another one first")
