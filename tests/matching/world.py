"""Facts for matching's tests: the events other services publish, with sensible defaults."""

from __future__ import annotations

from datetime import timedelta

from shared.events.schemas.catalog import (
    EndorsementAdded,
    ListingListed,
    ListingSuspended,
    OfferingCreated,
    ProviderRegistered,
    SearchUnanswered,
)
from shared.events.schemas.community import (
    NeedClosed,
    NeedPosted,
    NeedSeconded,
    OfflineEventPublished,
    OfflineEventRegistered,
    SwapOfferMade,
    SwapPosted,
)
from shared.events.schemas.livestream import LeadCaptured, PollClosed, PollOptionCount
from shared.events.schemas.orders import BookingRequested, BookingReviewed, DealPublished, OrderPaid
from shared.models import new_id, utcnow
from tests.matching.feed import Fact

C = "c-1"
LATER = utcnow() + timedelta(days=7)


def offering(offering_id: str, provider_id: str, category: str, name: str = "上门保洁", description: str = "") -> Fact:
    data = OfferingCreated(
        offering_id=offering_id,
        provider_id=provider_id,
        name=name,
        description=description,
        category=category,
        price_model="fixed",
        price_fen=5000,
        schedule=None,
        slot_minutes=60,
        capacity=1,
        status="active",
        free_cancellation_hours=24,
        late_cancellation_fee_fen=None,
        late_cancellation_fee_percent=None,
    )
    return Fact(data, subject=offering_id)


def listed(provider_id: str, community_id: str = C) -> Fact:
    data = ListingListed(
        listing_id=new_id(), provider_id=provider_id, community_id=community_id, from_state="trial", reason="ok"
    )
    return Fact(data, subject=data.listing_id, community_id=community_id)


def suspended(provider_id: str, community_id: str = C) -> Fact:
    data = ListingSuspended(
        listing_id=new_id(), provider_id=provider_id, community_id=community_id, from_state="listed", reason="投诉"
    )
    return Fact(data, subject=data.listing_id, community_id=community_id)


def endorsed(provider_id: str, community_id: str = C) -> Fact:
    data = EndorsementAdded(
        endorsement_id=new_id(), provider_id=provider_id, community_id=community_id, leader_id="leader", note="靠谱"
    )
    return Fact(data, subject=data.endorsement_id, community_id=community_id)


def event(event_id: str, kind: str = "sports_day", capacity: int = 10, title: str = "亲子运动会") -> Fact:
    data = OfflineEventPublished(
        event_id=event_id,
        community_id=C,
        organiser_id="leader",
        title=title,
        kind=kind,
        place="会所",
        starts_at=LATER,
        ends_at=LATER + timedelta(hours=2),
        capacity=capacity,
        fee_fen=0,
        registration_closes_at=LATER,
    )
    return Fact(data, subject=event_id, community_id=C)


def registered(user_id: str, event_id: str, seats: int = 1, status: str = "registered") -> Fact:
    data = OfflineEventRegistered(
        registration_id=new_id(),
        event_id=event_id,
        community_id=C,
        organiser_id="leader",
        user_id=user_id,
        status=status,
        companions=seats - 1,
        seats=seats,
    )
    return Fact(data, subject=data.registration_id, community_id=C, actor_id=user_id)


def deal(deal_id: str, tags: list[str], name: str = "有机婴儿米粉") -> Fact:
    data = DealPublished(
        deal_id=deal_id,
        community_id=C,
        product_id=new_id(),
        product_name=name,
        tags=tags,
        price_fen=100,
        stock=10,
        closes_at=LATER,
    )
    return Fact(data, subject=deal_id, community_id=C)


def paid(user_id: str, deal_id: str, tags: list[str], name: str = "有机婴儿米粉") -> Fact:
    data = OrderPaid(
        order_id=new_id(),
        deal_id=deal_id,
        buyer_id=user_id,
        product_id=new_id(),
        product_name=name,
        tags=tags,
        quantity=1,
        amount_fen=100,
    )
    return Fact(data, subject=data.order_id, community_id=C, actor_id=user_id)


def booked(user_id: str, offering_id: str, provider_id: str) -> Fact:
    data = BookingRequested(
        booking_id=new_id(),
        provider_id=provider_id,
        offering_id=offering_id,
        community_id=C,
        kind="inquiry",
        starts_at=None,
        ends_at=None,
        note="",
        price_fen=None,
    )
    return Fact(data, subject=data.booking_id, community_id=C, actor_id=user_id)


def reviewed(offering_id: str, provider_id: str, rating: int) -> Fact:
    data = BookingReviewed(
        booking_id=new_id(),
        provider_id=provider_id,
        offering_id=offering_id,
        community_id=C,
        kind="slot",
        starts_at=None,
        ends_at=None,
        rating=rating,
        text="好",
    )
    return Fact(data, subject=data.booking_id, community_id=C)


def lead(user_id: str, category: str, keyword: str = "修水管") -> Fact:
    data = LeadCaptured(
        lead_id=new_id(),
        session_id="s",
        community_id=C,
        viewer_id=user_id,
        source="keyword",
        keyword=keyword,
        card_id=None,
        provider_id=None,
        offering_id=None,
        category=category,
        route_to="leader",
        route_to_id="leader",
        consent=True,
        note="",
    )
    return Fact(data, subject=data.lead_id, community_id=C, actor_id=user_id)


def poll(votes: dict[str, int]) -> Fact:
    options = [PollOptionCount(option_id=c, label=c, category=c, votes=n) for c, n in votes.items()]
    data = PollClosed(
        poll_id=new_id(),
        session_id="s",
        community_id=C,
        question="你需要什么服务？",
        multiple=True,
        voters=max(votes.values()),
        options=options,
    )
    return Fact(data, subject=data.poll_id, community_id=C)


def provider(provider_id: str, name: str, kind: str = "organisation") -> Fact:
    return Fact(ProviderRegistered(provider_id=provider_id, kind=kind, name=name), subject=provider_id)


def need(user_id: str, need_id: str, category: str, text: str, visibility: str = "community") -> Fact:
    data = NeedPosted(
        need_id=need_id, community_id=C, category=category, urgency="normal", visibility=visibility, text=text
    )
    return Fact(data, subject=need_id, community_id=C, actor_id=user_id)


def me_too(user_id: str, need_id: str, category: str, seconds: int = 1) -> Fact:
    data = NeedSeconded(need_id=need_id, community_id=C, category=category, seconds=seconds)
    return Fact(data, subject=need_id, community_id=C, actor_id=user_id)


def need_met(user_id: str, need_id: str, category: str) -> Fact:
    data = NeedClosed(need_id=need_id, community_id=C, category=category, seconds=0)
    return Fact(data, subject=need_id, community_id=C, actor_id=user_id)


def swap(owner_id: str, swap_id: str, category: str, title: str = "婴儿推车") -> Fact:
    data = SwapPosted(swap_id=swap_id, community_id=C, owner_id=owner_id, title=title, category=category, terms="free")
    return Fact(data, subject=swap_id, community_id=C, actor_id=owner_id)


def swap_offer(user_id: str, swap_id: str, owner_id: str) -> Fact:
    data = SwapOfferMade(offer_id=new_id(), swap_id=swap_id, community_id=C, owner_id=owner_id, user_id=user_id)
    return Fact(data, subject=swap_id, community_id=C, actor_id=user_id)


def searched(user_id: str, q: str | None = None, category: str | None = None) -> Fact:
    data = SearchUnanswered(community_id=C, user_id=user_id, category=category, q=q)
    return Fact(data, subject=C, community_id=C, actor_id=user_id)
