from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.directory.models import KnownCommunity
from shared.bus import EventHandlers
from shared.events import Event
from shared.events.schemas.community import CommunityCreated

handlers = EventHandlers()


@handlers.on(CommunityCreated)
async def remember_community(session: AsyncSession, event: Event[CommunityCreated]) -> None:
    """Providers apply to communities that exist; the guide carries the community's name."""
    await session.merge(KnownCommunity(id=event.data.community_id, name=event.data.name))
