"""What the dashboard learns from events: each handler adds its event to a community's day, or to a
provider's record. Combined with matching's other handlers (several may read the same event)."""

from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from services.matching.insights import service as insights
from services.matching.settings import Settings
from shared.bus import EventHandlers
from shared.events import Event
from shared.events.schemas.catalog import ComplaintFiled, ListingSuspended, ProviderRegistered, ProviderUpdated
from shared.events.schemas.community import OfflineEventCheckedIn, OfflineEventRegistered, RegistrationCancelled
from shared.events.schemas.livestream import LeadCaptured, SessionEnded
from shared.events.schemas.orders import BookingRequested, BookingReviewed, OrderPaid, OrderRefunded


def insight_handlers(settings: Settings) -> EventHandlers:
    zone = ZoneInfo(settings.insights_timezone)
    h = EventHandlers()

    @h.on(OrderPaid)
    async def on_paid(session: AsyncSession, event: Event[OrderPaid]) -> None:
        assert event.community_id is not None  # orders names the deal's community on every order event
        await insights.record(
            session,
            zone=zone,
            community_id=event.community_id,
            at=event.time,
            user_id=event.data.buyer_id,
            took="bought",
            orders=1,
            turnover_fen=event.data.amount_fen,
        )

    @h.on(OrderRefunded)
    async def on_refunded(session: AsyncSession, event: Event[OrderRefunded]) -> None:
        assert event.community_id is not None
        await insights.record(
            session,
            zone=zone,
            community_id=event.community_id,
            at=event.time,
            user_id=event.data.buyer_id,
            took="bought",
            turnover_fen=-event.data.amount_fen,
        )

    @h.on(SessionEnded)
    async def on_session_ended(session: AsyncSession, event: Event[SessionEnded]) -> None:
        d = event.data  # a session counts on the day it went live; its peak is known once it ends
        await insights.record(
            session,
            zone=zone,
            community_id=d.community_id,
            at=d.started_at or d.ended_at,
            sessions=1,
            peak_viewers=d.peak_viewers,
        )

    @h.on(OfflineEventRegistered)
    async def on_registered(session: AsyncSession, event: Event[OfflineEventRegistered]) -> None:
        d = event.data
        await insights.record(
            session,
            zone=zone,
            community_id=d.community_id,
            at=event.time,
            user_id=d.user_id,
            took="took_part",
            registrations=1,
        )
        await insights.register(session, event_id=d.event_id, user_id=d.user_id, going=True)

    @h.on(RegistrationCancelled)
    async def on_cancelled(session: AsyncSession, event: Event[RegistrationCancelled]) -> None:
        await insights.register(session, event_id=event.data.event_id, user_id=event.data.user_id, going=False)

    @h.on(OfflineEventCheckedIn)
    async def on_checked_in(session: AsyncSession, event: Event[OfflineEventCheckedIn]) -> None:
        d = event.data
        await insights.record(
            session,
            zone=zone,
            community_id=d.community_id,
            at=event.time,
            user_id=d.user_id,
            took="took_part",
            check_ins=1,
        )

    @h.on(BookingRequested)
    async def on_booking(session: AsyncSession, event: Event[BookingRequested]) -> None:
        await insights.record(
            session,
            zone=zone,
            community_id=event.data.community_id,
            at=event.time,
            user_id=event.actor_id,  # the resident who booked
            took="booked",
            bookings=1,
        )

    @h.on(BookingReviewed)
    async def on_reviewed(session: AsyncSession, event: Event[BookingReviewed]) -> None:
        d = event.data
        await insights.review(
            session, provider_id=d.provider_id, community_id=d.community_id, user_id=event.actor_id, rating=d.rating
        )
        await insights.record(session, zone=zone, community_id=d.community_id, at=event.time, user_id=event.actor_id)

    @h.on(LeadCaptured)
    async def on_lead(session: AsyncSession, event: Event[LeadCaptured]) -> None:
        d = event.data
        await insights.record(session, zone=zone, community_id=d.community_id, at=event.time, user_id=d.viewer_id)

    @h.on(ComplaintFiled)
    async def on_complaint(session: AsyncSession, event: Event[ComplaintFiled]) -> None:
        d = event.data
        await insights.complaints(
            session, provider_id=d.provider_id, community_id=d.community_id, open_complaints=d.open_complaints
        )

    @h.on(ListingSuspended)
    async def on_suspended(session: AsyncSession, event: Event[ListingSuspended]) -> None:
        await insights.suspended(session, provider_id=event.data.provider_id, community_id=event.data.community_id)

    async def named(session: AsyncSession, event: Event[ProviderRegistered] | Event[ProviderUpdated]) -> None:
        await insights.name_provider(session, provider_id=event.data.provider_id, name=event.data.name)

    h.on(ProviderRegistered)(named)
    h.on(ProviderUpdated)(named)
    return h
