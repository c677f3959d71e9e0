"""What livestream learns from other services' events: its read models of catalog's directory and
products, orders' deals and paid orders, community's offline events and sign-ups, and member names.
News of stock and seats goes on to the rooms showing the deal or event once it is committed (sold
out at once; sales and sign-ups coalesced)."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.livestream.cards import service as cards
from services.livestream.cards.models import CardKind
from services.livestream.directory import service as directory
from services.livestream.members import service as members
from services.livestream.purchases import service as purchases
from services.livestream.room.hub import RoomHub
from services.livestream.signups import service as signups
from shared.bus import EventHandlers
from shared.db import after_commit
from shared.events import Event
from shared.events.schemas.catalog import (
    EndorsementAdded,
    EndorsementWithdrawn,
    ListingApplied,
    ListingListed,
    ListingMoved,
    ListingOnTrial,
    ListingSuspended,
    ListingTerminated,
    ListingUnderReview,
    OfferingCreated,
    OfferingUpdated,
    ProductCreated,
    ProviderRegistered,
    ProviderUpdated,
    QualificationExpired,
    QualificationFact,
    QualificationRejected,
    QualificationSubmitted,
    QualificationVerified,
)
from shared.events.schemas.community import (
    MemberJoined,
    MemberRenamed,
    OfflineEventCancelled,
    OfflineEventClosed,
    OfflineEventPublished,
    OfflineEventRegistered,
    OfflineEventUpdated,
    RegistrationCancelled,
    RegistrationPromoted,
)
from shared.events.schemas.orders import (
    DealClosed,
    DealPublished,
    DealSoldOut,
    OrderPaid,
    OrderPickedUp,
    OrderPickupUndone,
    OrderRefunded,
)

TOLD_ROOMS = "livestream_told_rooms"  # the items whose rooms this transaction will tell, and how urgently


def live_handlers(rooms: RoomHub) -> EventHandlers:
    handlers = EventHandlers()

    def tell_rooms(session: AsyncSession, kind: CardKind, ref_id: str, *, urgent: bool) -> None:
        """After commit, the rooms showing a card of this item redraw it: once per item and batch of
        events (a rush of 100 sign-ups to one event is one redraw), urgently if any change was urgent."""
        told: dict[tuple[CardKind, str], bool] = session.sync_session.info.setdefault(TOLD_ROOMS, {})
        if (kind, ref_id) in told:
            told[(kind, ref_id)] |= urgent
            return
        told[(kind, ref_id)] = urgent

        async def tell() -> None:
            async with rooms.db.reader() as reader:
                showing = await cards.cards_showing(reader, kind, ref_id)
            for session_id, card_id in showing:
                await rooms.changed(session_id, f"card:{card_id}", urgent=told[(kind, ref_id)])

        after_commit(session, tell)

    # ---------------------------------------------------------------- catalog: products and the directory

    @handlers.on(ProductCreated)
    async def product(session: AsyncSession, event: Event[ProductCreated]) -> None:
        d = event.data
        await purchases.remember_product(
            session, product_id=d.product_id, community_id=event.community_id or "", name=d.name, images=d.images
        )

    @handlers.on(ProviderRegistered)
    async def provider_registered(session: AsyncSession, event: Event[ProviderRegistered]) -> None:
        d = event.data
        await directory.remember_provider(session, provider_id=d.provider_id, name=d.name, kind=d.kind, at=event.time)

    @handlers.on(ProviderUpdated)
    async def provider_updated(session: AsyncSession, event: Event[ProviderUpdated]) -> None:
        d = event.data
        await directory.remember_provider(session, provider_id=d.provider_id, name=d.name, kind=None, at=event.time)

    async def offering(session: AsyncSession, event: Event[OfferingCreated] | Event[OfferingUpdated]) -> None:
        await directory.remember_offering(session, event.data, at=event.time)

    handlers.on(OfferingCreated)(offering)
    handlers.on(OfferingUpdated)(offering)

    async def listing(session: AsyncSession, event: Event[ListingMoved]) -> None:
        d = event.data
        state = event.type.rsplit(".", 1)[1]
        await directory.remember_listing(
            session, provider_id=d.provider_id, community_id=d.community_id, state=state, at=event.time
        )

    for moved in (
        ListingApplied,
        ListingUnderReview,
        ListingOnTrial,
        ListingListed,
        ListingSuspended,
        ListingTerminated,
    ):
        handlers.on(moved)(listing)

    async def qualification(session: AsyncSession, event: Event[QualificationFact]) -> None:
        d = event.data
        await directory.remember_qualification(
            session,
            qualification_id=d.qualification_id,
            provider_id=d.provider_id,
            domain=d.domain,
            valid_until=d.valid_until,
            status=event.type.rsplit(".", 1)[1],
            at=event.time,
        )

    for fact in (QualificationSubmitted, QualificationVerified, QualificationRejected, QualificationExpired):
        handlers.on(fact)(qualification)

    @handlers.on(EndorsementAdded)
    async def endorsed(session: AsyncSession, event: Event[EndorsementAdded]) -> None:
        d = event.data
        await directory.remember_endorsement(
            session,
            endorsement_id=d.endorsement_id,
            provider_id=d.provider_id,
            community_id=d.community_id,
            leader_id=d.leader_id,
            note=d.note,
            at=event.time,
        )

    @handlers.on(EndorsementWithdrawn)
    async def withdrawn(session: AsyncSession, event: Event[EndorsementWithdrawn]) -> None:
        d = event.data
        await directory.remember_endorsement(
            session,
            endorsement_id=d.endorsement_id,
            provider_id=d.provider_id,
            community_id=d.community_id,
            leader_id=d.leader_id,
            note=None,
            at=event.time,
        )

    # ---------------------------------------------------------------- orders: deals, stock, purchases

    @handlers.on(DealPublished)
    async def deal_published(session: AsyncSession, event: Event[DealPublished]) -> None:
        await purchases.remember_deal(session, event.data)

    @handlers.on(DealSoldOut)
    async def sold_out(session: AsyncSession, event: Event[DealSoldOut]) -> None:
        await purchases.mark_deal(session, event.data.deal_id, sold_out=True)
        tell_rooms(session, CardKind.deal, event.data.deal_id, urgent=True)

    @handlers.on(DealClosed)
    async def closed(session: AsyncSession, event: Event[DealClosed]) -> None:
        await purchases.mark_deal(session, event.data.deal_id, closed=True)
        tell_rooms(session, CardKind.deal, event.data.deal_id, urgent=True)

    @handlers.on(OrderPaid)
    async def paid(session: AsyncSession, event: Event[OrderPaid]) -> None:
        await purchases.remember_paid(session, event.data, community_id=event.community_id, at=event.time)
        tell_rooms(session, CardKind.deal, event.data.deal_id, urgent=False)

    @handlers.on(OrderRefunded)
    async def refunded(session: AsyncSession, event: Event[OrderRefunded]) -> None:
        await purchases.remember_refund(session, order_id=event.data.order_id, amount_fen=event.data.amount_fen)
        tell_rooms(session, CardKind.deal, event.data.deal_id, urgent=False)

    @handlers.on(OrderPickedUp)
    async def picked_up(session: AsyncSession, event: Event[OrderPickedUp]) -> None:
        await purchases.remember_pickup(session, order_id=event.data.order_id, at=event.time)

    @handlers.on(OrderPickupUndone)
    async def pickup_undone(session: AsyncSession, event: Event[OrderPickupUndone]) -> None:
        await purchases.remember_pickup(session, order_id=event.data.order_id, at=None)

    # ---------------------------------------------------------------- community: offline events, sign-ups, names

    @handlers.on(OfflineEventPublished)
    async def event_published(session: AsyncSession, event: Event[OfflineEventPublished]) -> None:
        await signups.remember_event(session, event.data)
        tell_rooms(session, CardKind.event, event.data.event_id, urgent=True)

    @handlers.on(OfflineEventUpdated)
    async def event_updated(session: AsyncSession, event: Event[OfflineEventUpdated]) -> None:
        await signups.update_event(session, event.data)
        tell_rooms(session, CardKind.event, event.data.event_id, urgent=True)

    @handlers.on(OfflineEventClosed)
    async def event_closed(session: AsyncSession, event: Event[OfflineEventClosed]) -> None:
        d = event.data
        await signups.mark_event(session, d.event_id, status="closed", seats_taken=d.seats_taken)
        tell_rooms(session, CardKind.event, d.event_id, urgent=True)

    @handlers.on(OfflineEventCancelled)
    async def event_cancelled(session: AsyncSession, event: Event[OfflineEventCancelled]) -> None:
        await signups.mark_event(session, event.data.event_id, status="cancelled")
        tell_rooms(session, CardKind.event, event.data.event_id, urgent=True)

    @handlers.on(OfflineEventRegistered)
    async def signed_up(session: AsyncSession, event: Event[OfflineEventRegistered]) -> None:
        d = event.data
        await signups.registered(
            session,
            registration_id=d.registration_id,
            event_id=d.event_id,
            user_id=d.user_id,
            seats=d.seats,
            status=d.status,
            at=event.time,
        )
        tell_rooms(session, CardKind.event, d.event_id, urgent=False)

    @handlers.on(RegistrationCancelled)
    async def sign_up_cancelled(session: AsyncSession, event: Event[RegistrationCancelled]) -> None:
        d = event.data
        await signups.cancelled(
            session, registration_id=d.registration_id, event_id=d.event_id, was=d.was, seats=d.seats
        )
        tell_rooms(session, CardKind.event, d.event_id, urgent=False)

    @handlers.on(RegistrationPromoted)
    async def promoted(session: AsyncSession, event: Event[RegistrationPromoted]) -> None:
        d = event.data
        await signups.promoted(
            session, registration_id=d.registration_id, event_id=d.event_id, status=d.status, seats=d.seats
        )
        tell_rooms(session, CardKind.event, d.event_id, urgent=False)

    @handlers.on(MemberJoined)
    @handlers.on(MemberRenamed)
    async def member(session: AsyncSession, event: Event[MemberJoined] | Event[MemberRenamed]) -> None:
        d = event.data
        await members.remember(
            session, community_id=d.community_id, user_id=d.user_id, display_name=d.display_name, at=event.time
        )

    return handlers
