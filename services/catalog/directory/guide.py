"""The community's life-service guide (社区生活服务指南): the providers its leaders endorse and that
are listed there, by category, each with the leaders' words and how to reach it through Linli
(a booking or inquiry link, never a phone number)."""

from pydantic import BaseModel
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.directory import endorsements
from services.catalog.directory.models import KnownCommunity, Offering, Provider
from services.catalog.directory.search import DirectoryEntry, cards, entries, visible
from services.catalog.directory.taxonomy import CATEGORIES
from shared.auth import Principal
from shared.models import utcnow

TITLE = "社区生活服务指南"


class GuideSection(BaseModel):
    category: str
    label: str
    entries: list[DirectoryEntry]


class Guide(BaseModel):
    community_id: str
    community_name: str | None
    title: str
    sections: list[GuideSection]


async def guide(session: AsyncSession, *, principal: Principal, community_id: str) -> Guide:
    principal.require_member(community_id)
    endorsed = {e.provider_id for e in await endorsements.active(session, community_id=community_id)}
    now = utcnow()
    query = (
        cards(slots_from=now)
        .where(col(Offering.provider_id).in_(sorted(endorsed)), *visible(now))
        .order_by(col(Provider.name), col(Offering.name), col(Offering.id))
    )
    found = await entries(session, (await session.exec(query)).all() if endorsed else [], community_id=community_id)
    sections = [
        GuideSection(category=category, label=info.label, entries=[e for e in found if e.category == category])
        for category, info in CATEGORIES.items()
    ]
    community = await session.get(KnownCommunity, community_id)
    return Guide(
        community_id=community_id,
        community_name=community.name if community else None,
        title=f"{community.name} {TITLE}" if community else TITLE,
        sections=[s for s in sections if s.entries],
    )
