"""What matching learns from other services' events; each handler calls a service function. A new
kind of signal is one handler here: turn the event into an `Activity` (profile) or a demand signal."""

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from services.matching.demand import service as demand
from services.matching.demand.rules import DemandRules
from services.matching.interests import service as interests
from services.matching.interests.rules import TAG_WEIGHT, TOPIC_WEIGHT, kind_topics, label
from services.matching.interests.service import Activity
from services.matching.needs import service as needs
from services.matching.needs.models import NeedView
from services.matching.recommendations import readmodels
from services.matching.settings import Settings
from shared.bus import EventHandlers
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
    ProviderRegistered,
    ProviderUpdated,
    SearchUnanswered,
)
from shared.events.schemas.community import (
    NeedClosed,
    NeedPosted,
    NeedSeconded,
    OfflineEventCancelled,
    OfflineEventCheckedIn,
    OfflineEventClosed,
    OfflineEventHeld,
    OfflineEventPublished,
    OfflineEventRegistered,
    RegistrationCancelled,
    RegistrationPromoted,
    SwapClosed,
    SwapModerated,
    SwapOfferAccepted,
    SwapOfferMade,
    SwapPosted,
    SwapReported,
)
from shared.events.schemas.livestream import LeadCaptured, PollClosed, SessionScheduled
from shared.events.schemas.orders import (
    BookingRequested,
    BookingReviewed,
    DealClosed,
    DealPublished,
    DealSoldOut,
    OrderPaid,
)

WAITLISTED = "waitlisted"


def build_handlers(settings: Settings) -> EventHandlers:
    half_life = settings.interest_half_life_days
    rules = DemandRules.from_settings(settings)
    h = EventHandlers()

    async def learn(session: AsyncSession, activity: Activity) -> None:
        await interests.record(session, activity, half_life_days=half_life)

    async def asked(session: AsyncSession, activity: Activity, *, category: str, source_id: str, at: datetime) -> None:
        """A resident asked for a category (a lead, a need, "me too", a search that found nothing): one
        demand signal and what it says of them, unless they switched personalisation off."""
        if await interests.opted_out(session, activity.user_id):
            return
        await demand.record_signal(
            session,
            rules=rules,
            community_id=activity.community_id,
            category=category,
            source=activity.source,
            source_id=source_id,
            at=at,
            user_id=activity.user_id,
        )
        await learn(session, activity)

    # Profiles ------------------------------------------------------------------------------------

    @h.on(OrderPaid)
    async def on_order_paid(session: AsyncSession, event: Event[OrderPaid]) -> None:
        d, community_id = event.data, event.community_id
        assert community_id is not None
        topics = await interests.topics_of_product(session, community_id, d.tags)
        await learn(
            session,
            Activity(d.buyer_id, community_id, "purchase", d.product_name, topics, f"deal:{d.deal_id}", event.time),
        )

    @h.on(BookingRequested)
    async def on_booking(session: AsyncSession, event: Event[BookingRequested]) -> None:
        d = event.data
        offering = await readmodels.name_and_category(session, d.offering_id)
        if event.actor_id is None or offering is None:
            return
        name, category = offering
        item = f"service:{d.offering_id}"
        await learn(
            session,
            Activity(event.actor_id, d.community_id, "booking", name, {category: TAG_WEIGHT}, item, event.time),
        )

    async def joined(session: AsyncSession, user_id: str, event_id: str, community_id: str, at: datetime) -> None:
        found = await readmodels.title_and_kind(session, event_id)
        if found is None:
            return
        title, kind = found
        topics = {kind: TAG_WEIGHT, **{t: TOPIC_WEIGHT for t in kind_topics(kind)[1:]}}
        await learn(session, Activity(user_id, community_id, "event", title, topics, f"event:{event_id}", at))

    @h.on(OfflineEventRegistered)
    async def on_registered(session: AsyncSession, event: Event[OfflineEventRegistered]) -> None:
        d = event.data
        if d.status != WAITLISTED:
            await readmodels.take_seats(session, event_id=d.event_id, seats=d.seats)
        await joined(session, d.user_id, d.event_id, d.community_id, event.time)

    @h.on(OfflineEventCheckedIn)
    async def on_checked_in(session: AsyncSession, event: Event[OfflineEventCheckedIn]) -> None:
        d = event.data  # coming says more than signing up: the interest grows again
        await joined(session, d.user_id, d.event_id, d.community_id, event.time)

    @h.on(LeadCaptured)
    async def on_lead(session: AsyncSession, event: Event[LeadCaptured]) -> None:
        d = event.data
        if d.category is None:
            return
        item = f"service:{d.offering_id}" if d.offering_id else None
        seed = d.keyword or d.note or d.category
        lead = Activity(d.viewer_id, d.community_id, "lead", seed, {d.category: TAG_WEIGHT}, item, event.time)
        await asked(session, lead, category=d.category, source_id=d.lead_id, at=event.time)

    @h.on(NeedPosted)
    async def on_need_posted(session: AsyncSession, event: Event[NeedPosted]) -> None:
        d = event.data
        if event.actor_id is None:
            return
        need = await needs.remember_need(
            session,
            need_id=d.need_id,
            community_id=d.community_id,
            poster_id=event.actor_id,
            category=d.category,
            said=d.text,
            visibility=d.visibility,
            at=event.time,
        )
        await asked(
            session,
            _need_activity(event.actor_id, need, event.time),
            category=need.category,
            source_id=need.id,
            at=event.time,
        )

    @h.on(NeedSeconded)
    async def on_need_seconded(session: AsyncSession, event: Event[NeedSeconded]) -> None:
        d = event.data  # the envelope's actor is the neighbour who said "me too"
        need = await needs.need_view(session, d.need_id)
        if event.actor_id is None or need is None:
            return
        source_id = f"{need.id}:{event.actor_id}"
        await asked(
            session,
            _need_activity(event.actor_id, need, event.time),
            category=need.category,
            source_id=source_id,
            at=event.time,
        )

    @h.on(NeedClosed)
    async def on_need_closed(session: AsyncSession, event: Event[NeedClosed]) -> None:
        await needs.close_need(session, need_id=event.data.need_id)

    @h.on(SearchUnanswered)
    async def on_search_unanswered(session: AsyncSession, event: Event[SearchUnanswered]) -> None:
        d = event.data
        category = d.category or await needs.category_of(
            session, community_id=d.community_id, terms=await needs.words(d.q or "")
        )
        if category is None:
            return  # words that name nothing known: no category to count them in
        search = Activity(
            d.user_id, d.community_id, "search", d.q or label(category, "zh"), {category: TAG_WEIGHT}, None, event.time
        )
        await asked(session, search, category=category, source_id=event.id, at=event.time)

    # Swaps: what a resident gives away or asks for says what they are into (through the topic map);
    # an item asked for is taken (never recommended back); their own posts are never recommended.

    @h.on(SwapPosted)
    async def on_swap_posted(session: AsyncSession, event: Event[SwapPosted]) -> None:
        d = event.data
        await readmodels.remember_swap(session, data=d, at=event.time)
        topics = await interests.topics_of_product(session, d.community_id, [d.category])
        await learn(session, Activity(d.owner_id, d.community_id, "swap", d.title, topics, None, event.time))

    @h.on(SwapOfferMade)
    async def on_swap_offer(session: AsyncSession, event: Event[SwapOfferMade]) -> None:
        d = event.data
        swap = await readmodels.swap_view(session, d.swap_id)
        if swap is None:
            return
        topics = await interests.topics_of_product(session, d.community_id, [swap.category])
        item = f"swap:{swap.id}"
        await learn(session, Activity(d.user_id, d.community_id, "swap", swap.title, topics, item, event.time))

    async def swap_taken(session: AsyncSession, event: Event[SwapOfferAccepted] | Event[SwapClosed]) -> None:
        await readmodels.open_swap(session, swap_id=event.data.swap_id, open_=False)

    h.on(SwapOfferAccepted)(swap_taken)
    h.on(SwapClosed)(swap_taken)

    @h.on(SwapReported)
    async def on_swap_reported(session: AsyncSession, event: Event[SwapReported]) -> None:
        await readmodels.open_swap(session, swap_id=event.data.swap_id, open_=False)  # hidden until moderated

    @h.on(SwapModerated)
    async def on_swap_moderated(session: AsyncSession, event: Event[SwapModerated]) -> None:
        await readmodels.open_swap(session, swap_id=event.data.swap_id, open_=event.data.decision == "restored")

    # Demand ---------------------------------------------------------------------------------------

    @h.on(PollClosed)
    async def on_poll_closed(session: AsyncSession, event: Event[PollClosed]) -> None:
        d = event.data
        for option in d.options:
            if option.category is not None and option.votes > 0:
                await demand.record_signal(
                    session,
                    rules=rules,
                    community_id=d.community_id,
                    category=option.category,
                    source="poll",
                    source_id=f"{d.poll_id}:{option.option_id}",
                    at=event.time,
                    residents_=option.votes,
                )

    # What can be recommended ----------------------------------------------------------------------

    @h.on(DealPublished)
    async def on_deal_published(session: AsyncSession, event: Event[DealPublished]) -> None:
        await readmodels.remember_deal(session, data=event.data, at=event.time)

    async def deal_ended(session: AsyncSession, event: Event[DealClosed] | Event[DealSoldOut]) -> None:
        await readmodels.end_deal(session, deal_id=event.data.deal_id)

    h.on(DealClosed)(deal_ended)
    h.on(DealSoldOut)(deal_ended)

    @h.on(SessionScheduled)
    async def on_session_scheduled(session: AsyncSession, event: Event[SessionScheduled]) -> None:
        await readmodels.remember_session(session, data=event.data, at=event.time)

    async def offering(session: AsyncSession, event: Event[OfferingCreated] | Event[OfferingUpdated]) -> None:
        await readmodels.remember_offering(session, data=event.data, at=event.time)
        await needs.remember_offering(session, data=event.data)

    h.on(OfferingCreated)(offering)
    h.on(OfferingUpdated)(offering)

    @h.on(ProviderRegistered)
    async def on_provider(session: AsyncSession, event: Event[ProviderRegistered]) -> None:
        d = event.data
        await needs.remember_provider(session, provider_id=d.provider_id, name=d.name, kind=d.kind)

    @h.on(ProviderUpdated)
    async def on_provider_updated(session: AsyncSession, event: Event[ProviderUpdated]) -> None:
        await needs.remember_provider(session, provider_id=event.data.provider_id, name=event.data.name)

    @h.on(BookingReviewed)
    async def on_reviewed(session: AsyncSession, event: Event[BookingReviewed]) -> None:
        await readmodels.rate_offering(session, offering_id=event.data.offering_id, rating=event.data.rating)

    async def listing_moved(session: AsyncSession, event: Event[ListingMoved]) -> None:
        d = event.data  # the type's last word is the listing's new state
        state = event.type.rsplit(".", 1)[1]
        await readmodels.move_listing(session, provider_id=d.provider_id, community_id=d.community_id, state=state)

    for moved in (
        ListingApplied,
        ListingUnderReview,
        ListingOnTrial,
        ListingListed,
        ListingSuspended,
        ListingTerminated,
    ):
        h.on(moved)(listing_moved)

    @h.on(EndorsementAdded)
    async def on_endorsed(session: AsyncSession, event: Event[EndorsementAdded]) -> None:
        await readmodels.endorse(
            session, provider_id=event.data.provider_id, community_id=event.data.community_id, delta=1
        )

    @h.on(EndorsementWithdrawn)
    async def on_withdrawn(session: AsyncSession, event: Event[EndorsementWithdrawn]) -> None:
        await readmodels.endorse(
            session, provider_id=event.data.provider_id, community_id=event.data.community_id, delta=-1
        )

    @h.on(OfflineEventPublished)
    async def on_event_published(session: AsyncSession, event: Event[OfflineEventPublished]) -> None:
        await readmodels.remember_event(session, data=event.data, at=event.time)

    async def event_moved(
        session: AsyncSession, event: Event[OfflineEventClosed] | Event[OfflineEventHeld] | Event[OfflineEventCancelled]
    ) -> None:
        # The type's last word is the event's new status: closed, held, cancelled.
        await readmodels.move_event(session, event_id=event.data.event_id, status=event.type.rsplit(".", 1)[1])

    h.on(OfflineEventClosed)(event_moved)
    h.on(OfflineEventHeld)(event_moved)
    h.on(OfflineEventCancelled)(event_moved)

    @h.on(RegistrationCancelled)
    async def on_cancelled(session: AsyncSession, event: Event[RegistrationCancelled]) -> None:
        if event.data.was != WAITLISTED:
            await readmodels.take_seats(session, event_id=event.data.event_id, seats=-event.data.seats)

    @h.on(RegistrationPromoted)
    async def on_promoted(session: AsyncSession, event: Event[RegistrationPromoted]) -> None:
        await readmodels.take_seats(session, event_id=event.data.event_id, seats=event.data.seats)

    return h


def _need_activity(user_id: str, need: NeedView, at: datetime) -> Activity:
    return Activity(
        user_id,
        need.community_id,
        "need",
        needs.gist(need.text) or label(need.category, "zh"),
        {need.category: TAG_WEIGHT},
        None,
        at,
    )
