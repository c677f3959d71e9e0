"""What orders knows of communities and their members, learnt from community's events; names
of members orders has not heard of yet fall back to the default every service shows."""

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.members.models import KnownCommunity, KnownMember
from shared.events.schemas.community import default_display_name


async def remember_community(session: AsyncSession, *, community_id: str, name: str) -> None:
    await session.merge(KnownCommunity(id=community_id, name=name))


async def remember_member(
    session: AsyncSession, *, community_id: str, user_id: str, display_name: str | None, at: datetime
) -> None:
    """A member joined or was renamed at `at`; redelivered or late events older than the name kept are ignored."""
    member = await session.get(KnownMember, (community_id, user_id))
    name = display_name or default_display_name(user_id)
    if member is None:
        session.add(KnownMember(community_id=community_id, user_id=user_id, display_name=name, named_at=at))
    elif member.named_at <= at:
        member.display_name, member.named_at = name, at
        session.add(member)


async def names(session: AsyncSession, members: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(community id, user id) → display name, for each of `members`."""
    wanted = set(members)
    rows = (
        await session.exec(select(KnownMember).where(col(KnownMember.user_id).in_({user for _, user in wanted})))
    ).all()
    known = {(m.community_id, m.user_id): m.display_name for m in rows}
    return {key: known.get(key) or default_display_name(key[1]) for key in wanted}


async def name_if_known(session: AsyncSession, *, community_id: str, user_id: str) -> str | None:
    member = await session.get(KnownMember, (community_id, user_id))
    return member.display_name if member else None


async def community_name(session: AsyncSession, community_id: str) -> str | None:
    community = await session.get(KnownCommunity, community_id)
    return community.name if community else None


async def is_member(session: AsyncSession, *, user_id: str, community_ids: list[str]) -> bool:
    query = select(KnownMember.user_id).where(
        KnownMember.user_id == user_id, col(KnownMember.community_id).in_(community_ids)
    )
    return (await session.exec(query)).first() is not None
