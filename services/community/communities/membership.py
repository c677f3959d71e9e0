"""Who belongs to a community, read from community's own memberships rather than from the token.

A token carries a person's roles for up to 15 minutes; community owns the memberships, so its own
endpoints check them here and a removed member (or a revoked moderator) loses access at once.
Other services learn the change from `community.member.removed`/`.left`/`.role_revoked` and update
their read models; until then they go by the token. Operators and Linli's services are trusted.
"""

from collections.abc import Collection

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.communities.models import Membership
from shared.auth import LEADER, MODERATOR, Principal
from shared.errors import Forbidden

STEWARDS = (LEADER, MODERATOR)  # who moderates what members post


def trusted(principal: Principal) -> bool:
    return principal.operator or principal.kind == "service"


async def roles(session: AsyncSession, *, community_id: str, user_id: str) -> set[str]:
    query = select(Membership.role).where(Membership.community_id == community_id, Membership.user_id == user_id)
    return set((await session.exec(query)).all())


async def pairs(
    session: AsyncSession, *, community_ids: Collection[str], user_ids: Collection[str]
) -> set[tuple[str, str]]:
    """Which (community, person) pairs among these are memberships: one query for a batch of requests."""
    query = select(Membership.community_id, Membership.user_id).where(
        col(Membership.community_id).in_(list(community_ids)), col(Membership.user_id).in_(list(user_ids))
    )
    return set((await session.exec(query)).all())


def require_among(principal: Principal, community_id: str, known: set[tuple[str, str]]) -> None:
    """`require_member` against memberships read beforehand with `pairs`."""
    if not trusted(principal) and (community_id, principal.user_id) not in known:
        raise Forbidden(f"you are not a member of community {community_id}")


async def require_member(session: AsyncSession, principal: Principal, community_id: str) -> None:
    if not trusted(principal) and not await roles(session, community_id=community_id, user_id=principal.user_id):
        raise Forbidden(f"you are not a member of community {community_id}")


async def has_role(session: AsyncSession, principal: Principal, community_id: str, *wanted: str) -> bool:
    if trusted(principal):
        return True
    return bool(set(wanted) & await roles(session, community_id=community_id, user_id=principal.user_id))


async def require_role(session: AsyncSession, principal: Principal, community_id: str, *wanted: str) -> None:
    if not await has_role(session, principal, community_id, *wanted):
        raise Forbidden(f"this needs the role {' or '.join(wanted)} in community {community_id}")
