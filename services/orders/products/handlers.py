from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.products.models import KnownProduct
from shared.bus import EventHandlers
from shared.events import Event
from shared.events.schemas.catalog import ProductCreated

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
        )
    )
