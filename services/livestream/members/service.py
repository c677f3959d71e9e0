"""Names of members, learnt from community's events; a member not heard of yet shows the default
name every service shows."""

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.livestream.members.models import KnownMember
from shared.events.schemas.community import default_display_name


async def remember(
    session: AsyncSession, *, community_id: str, user_id: str, display_name: str | None, at: datetime
) -> None:
    member = await session.get(KnownMember, (community_id, user_id))
    name = display_name or default_display_name(user_id)
    if member is None:
        session.add(KnownMember(community_id=community_id, user_id=user_id, display_name=name, named_at=at))
    elif member.named_at <= at:
        member.display_name, member.named_at = name, at
        session.add(member)


async def name(session: AsyncSession, *, community_id: str, user_id: str) -> str:
    member = await session.get(KnownMember, (community_id, user_id))
    return member.display_name if member else default_display_name(user_id)


async def names(session: AsyncSession, *, community_id: str, user_ids: Iterable[str]) -> dict[str, str]:
    wanted = set(user_ids)
    rows = (
        await session.exec(
            select(KnownMember).where(KnownMember.community_id == community_id, col(KnownMember.user_id).in_(wanted))
        )
    ).all()
    known = {m.user_id: m.display_name for m in rows}
    return {user: known.get(user) or default_display_name(user) for user in wanted}
