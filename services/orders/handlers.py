"""What orders learns from other services' events: its read models of catalog's products and of
community's communities and members."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.members import service as members
from services.orders.products.models import KnownProduct
from shared.bus import EventHandlers
from shared.events import Event
from shared.events.schemas.catalog import ProductCreated
from shared.events.schemas.community import CommunityCreated, MemberJoined, MemberRenamed

handlers = EventHandlers()


@handlers.on(ProductCreated)
async def remember_product(session: AsyncSession, event: Event[ProductCreated]) -> None:
    data = event.data
    assert event.community_id is not None
    await session.merge(
        KnownProduct(
            id=data.product_id,
            community_id=event.community_id,
            name=data.name,
            unit=data.unit,
            tags=data.tags,
            images=data.images,
        )
    )


@handlers.on(CommunityCreated)
async def remember_community(session: AsyncSession, event: Event[CommunityCreated]) -> None:
    await members.remember_community(session, community_id=event.data.community_id, name=event.data.name)


@handlers.on(MemberJoined)
async def remember_member(session: AsyncSession, event: Event[MemberJoined]) -> None:
    data = event.data
    await members.remember_member(
        session, community_id=data.community_id, user_id=data.user_id, display_name=data.display_name, at=event.time
    )


@handlers.on(MemberRenamed)
async def rename_member(session: AsyncSession, event: Event[MemberRenamed]) -> None:
    data = event.data
    await members.remember_member(
        session, community_id=data.community_id, user_id=data.user_id, display_name=data.display_name, at=event.time
    )
