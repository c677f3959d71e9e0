"""What matching learns from other services' events; each handler calls a service function."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.matching.interests import service as interests
from services.matching.recommendations import service as recommendations
from shared.bus import EventHandlers
from shared.events import Event
from shared.events.schemas.livestream import SessionScheduled
from shared.events.schemas.orders import DealPublished, OrderPaid

handlers = EventHandlers()


@handlers.on(OrderPaid)
async def on_order_paid(session: AsyncSession, event: Event[OrderPaid]) -> None:
    assert event.community_id is not None
    await interests.record_purchase(
        session,
        user_id=event.data.buyer_id,
        community_id=event.community_id,
        deal_id=event.data.deal_id,
        product_name=event.data.product_name,
        tags=event.data.tags,
    )


@handlers.on(DealPublished)
async def on_deal_published(session: AsyncSession, event: Event[DealPublished]) -> None:
    d = event.data
    await recommendations.remember_deal(
        session,
        deal_id=d.deal_id,
        community_id=d.community_id,
        title=d.product_name,
        tags=d.tags,
        closes_at=d.closes_at,
    )


@handlers.on(SessionScheduled)
async def on_session_scheduled(session: AsyncSession, event: Event[SessionScheduled]) -> None:
    s = event.data
    await recommendations.remember_session(
        session,
        session_id=s.session_id,
        community_id=s.community_id,
        title=s.title,
        topics=s.topics,
        planned_start=s.planned_start,
    )
