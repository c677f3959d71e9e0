"""Cards the host shows: a deal (live stock, countdown, a buy button that places a real order), a
service from the directory (with its endorsement), an event sign-up, a resident's testimonial tied
to a verified purchase. A session has a list of cards; one at a time is pinned."""

from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.livestream.cards.models import (
    Card,
    CardCreate,
    CardKind,
    Testimonial,
    TestimonialCreate,
    TestimonialPublic,
)
from services.livestream.directory import service as directory
from services.livestream.directory.models import KnownProvider
from services.livestream.members import service as members
from services.livestream.purchases.models import KnownDeal, KnownOrder, KnownProduct
from services.livestream.sessions import service as sessions
from services.livestream.sessions.models import LIVE, SCHEDULED, LiveSession
from services.livestream.signups.models import KnownEvent
from shared.auth import Principal
from shared.errors import Conflict, NotFound
from shared.models import utcnow

ACTIVE = "active"


async def add(session: AsyncSession, *, principal: Principal, session_id: str, data: CardCreate) -> Card:
    live = await sessions.get_for_staff(session, principal=principal, session_id=session_id)
    sessions.require_open(live)
    details: dict[str, Any] = {}
    match data.kind:
        case CardKind.deal:
            deal = await session.get(KnownDeal, data.ref_id)
            if deal is None or live.community_id not in deal.community_ids:
                raise NotFound(f"deal {data.ref_id} is not on sale in this community")
        case CardKind.service:
            offering = await directory.offering(session, data.ref_id)
            await directory.require_listed(session, provider_id=offering.provider_id, community_id=live.community_id)
            if offering.status != ACTIVE:
                raise Conflict(f"offering {data.ref_id} is {offering.status.replace('_', ' ')}")
        case CardKind.event:
            event = await session.get(KnownEvent, data.ref_id)
            if event is not None and event.community_id != live.community_id:
                raise NotFound(f"event {data.ref_id} is not in this community")
            if event is None and data.event is None:
                raise NotFound(f"event {data.ref_id} is not known (yet); describe it with `event`")
            if event is None and data.event is not None:
                details = data.event.model_dump(mode="json")
        case CardKind.testimonial:
            testimonial = await session.get(Testimonial, data.ref_id)
            if testimonial is None or testimonial.session_id != live.id:
                raise NotFound(f"testimonial {data.ref_id} does not exist in this session")
    duplicate = await session.exec(
        select(Card.id).where(Card.session_id == live.id, Card.kind == data.kind, Card.ref_id == data.ref_id)
    )
    if duplicate.first() is not None:
        raise Conflict("this card is already on the session's list")
    last = (await session.exec(select(func.max(Card.position)).where(Card.session_id == live.id))).one()
    card = Card(session_id=live.id, kind=data.kind, ref_id=data.ref_id, details=details, position=(last or 0) + 1)
    session.add(card)
    await session.flush()
    if data.pin:
        await _pin(session, live, card)
    return card


async def _card(
    session: AsyncSession, *, principal: Principal, session_id: str, card_id: str
) -> tuple[LiveSession, Card]:
    live = await sessions.get_for_staff(session, principal=principal, session_id=session_id)
    sessions.require_open(live)
    card = await session.get(Card, card_id)
    if card is None or card.session_id != live.id:
        raise NotFound(f"card {card_id} does not exist in this session")
    return live, card


async def _pin(session: AsyncSession, live: LiveSession, card: Card) -> None:
    pinned = (await session.exec(select(Card).where(Card.session_id == live.id, col(Card.pinned).is_(True)))).all()
    for other in pinned:
        other.pinned = False
        session.add(other)
    card.pinned, card.pinned_at = True, utcnow()
    session.add(card)


async def pin(session: AsyncSession, *, principal: Principal, session_id: str, card_id: str) -> Card:
    live, card = await _card(session, principal=principal, session_id=session_id, card_id=card_id)
    await _pin(session, live, card)
    return card


async def unpin(session: AsyncSession, *, principal: Principal, session_id: str, card_id: str) -> Card:
    _, card = await _card(session, principal=principal, session_id=session_id, card_id=card_id)
    card.pinned = False
    session.add(card)
    return card


async def remove(session: AsyncSession, *, principal: Principal, session_id: str, card_id: str) -> None:
    _, card = await _card(session, principal=principal, session_id=session_id, card_id=card_id)
    await session.delete(card)


async def list_cards(session: AsyncSession, *, principal: Principal, session_id: str) -> dict[str, Any]:
    live = await sessions.get_for_viewer(session, principal=principal, session_id=session_id)
    return await render_cards(session, live)


async def get_card(session: AsyncSession, *, session_id: str, card_id: str) -> Card:
    card = await session.get(Card, card_id)
    if card is None or card.session_id != session_id:
        raise NotFound(f"card {card_id} does not exist in this session")
    return card


async def cards_showing(session: AsyncSession, kind: CardKind, ref_id: str) -> list[tuple[str, str]]:
    """(session id, card id) of the cards showing a deal or an event in sessions not over yet: where news
    of its stock or seats goes."""
    query = (
        select(Card.session_id, Card.id)
        .join(LiveSession, col(LiveSession.id) == col(Card.session_id))
        .where(Card.kind == kind, Card.ref_id == ref_id, col(LiveSession.status).in_([SCHEDULED, LIVE]))
    )
    return [(s, c) for s, c in (await session.exec(query)).all()]


async def shown(session: AsyncSession, session_id: str, kind: CardKind) -> list[str]:
    """What the session's cards of this kind show (deal ids, event ids…)."""
    query = select(Card.ref_id).where(Card.session_id == session_id, Card.kind == kind)
    return list((await session.exec(query)).all())


# ---------------------------------------------------------------------- what a card shows


async def render_cards(session: AsyncSession, live: LiveSession) -> dict[str, Any]:
    cards = (await session.exec(select(Card).where(Card.session_id == live.id).order_by(col(Card.position)))).all()
    items = [await render_card(session, live, card) for card in cards]
    return {"items": items, "pinned_id": next((c.id for c in cards if c.pinned), None)}


async def render_card(session: AsyncSession, live: LiveSession, card: Card) -> dict[str, Any]:
    shown: dict[str, Any] = {"id": card.id, "kind": card.kind, "position": card.position, "pinned": card.pinned}
    match card.kind:
        case CardKind.deal:
            shown |= await _deal(session, card.ref_id)
        case CardKind.service:
            shown |= await _service(session, card.ref_id, live.community_id)
        case CardKind.event:
            shown |= await _event(session, card)
        case CardKind.testimonial:
            shown |= await _testimonial(session, card.ref_id)
    return shown


async def _deal(session: AsyncSession, deal_id: str) -> dict[str, Any]:
    deal = await session.get(KnownDeal, deal_id)
    if deal is None:
        return {"deal_id": deal_id, "unavailable": True}
    product = await session.get(KnownProduct, deal.product_id)
    left = 0 if deal.sold_out else max(0, deal.stock - deal.sold)
    return {
        "deal_id": deal.id,
        "product_id": deal.product_id,
        "title": deal.product_name,
        "image": product.images[0] if product and product.images else None,
        "price_fen": deal.price_fen,
        "stock": deal.stock,
        "left": left,
        "sold_out": deal.sold_out or left == 0,
        "closed": deal.closed,
        "per_person_limit": deal.per_person_limit,
        "opens_at": deal.opens_at,
        "closes_at": deal.closes_at,
        "buy": {
            "method": "POST",
            "path": "/api/v1/orders",
            "body": {"deal_id": deal.id},
            "idempotency_key": "required",
        },
    }


async def _event(session: AsyncSession, card: Card) -> dict[str, Any]:
    event = await session.get(KnownEvent, card.ref_id)
    shown: dict[str, Any] = {
        "event_id": card.ref_id,
        "title": None,
        "starts_at": None,
        "capacity_left": None,
        **card.details,
    }
    if event is not None:
        shown |= {
            "title": event.title,
            "kind": event.kind,
            "place": event.place,
            "starts_at": event.starts_at,
            "ends_at": event.ends_at,
            "capacity_left": max(0, event.capacity - event.seats_taken),
            "status": event.status,
        }
    return shown | {"signup_path": f"/api/v1/community-events/{card.ref_id}/registrations"}


async def _service(session: AsyncSession, offering_id: str, community_id: str) -> dict[str, Any]:
    offering = await directory.offering(session, offering_id)
    provider = await session.get(KnownProvider, offering.provider_id)
    return {
        "offering_id": offering.id,
        "provider_id": offering.provider_id,
        "name": offering.name,
        "category": offering.category,
        "price_model": offering.price_model,
        "price_fen": offering.price_fen,
        "status": offering.status,
        "provider_name": provider.name if provider else None,
        "badge": await directory.badge(session, provider_id=offering.provider_id, community_id=community_id),
    }


async def _testimonial(session: AsyncSession, testimonial_id: str) -> dict[str, Any]:
    testimonial = await session.get(Testimonial, testimonial_id)
    if testimonial is None:
        return {"testimonial_id": testimonial_id, "unavailable": True}
    public = await render_testimonial(session, testimonial)
    return {
        "testimonial_id": public.id,
        "author_id": public.author_id,
        "author_name": public.author_name,
        "text": public.text,
        "purchase": {"order_id": public.order_id, "product_name": public.product_name, "picked_up": public.picked_up},
    }


# ---------------------------------------------------------------------- testimonials


async def testify(
    session: AsyncSession, *, principal: Principal, session_id: str, data: TestimonialCreate
) -> TestimonialPublic:
    """A resident tells of a product they paid for and picked up: the card links to that purchase."""
    live = await sessions.get_for_viewer(session, principal=principal, session_id=session_id)
    sessions.require_open(live)
    principal.require_member(live.community_id)
    order = await session.get(KnownOrder, data.order_id)
    if order is None or order.buyer_id != principal.user_id:
        raise NotFound(f"order {data.order_id} is not one of yours")
    if order.picked_up_at is None or order.refunded:
        raise Conflict("a testimonial needs an order you have picked up (and not had refunded)")
    existing = await session.exec(
        select(Testimonial.id).where(Testimonial.session_id == live.id, Testimonial.order_id == order.id)
    )
    if existing.first() is not None:
        raise Conflict("you already told of this order in this session")
    testimonial = Testimonial(
        session_id=live.id,
        community_id=live.community_id,
        author_id=principal.user_id,
        order_id=order.id,
        text=data.text,
    )
    session.add(testimonial)
    return await render_testimonial(session, testimonial)


async def list_testimonials(session: AsyncSession, *, principal: Principal, session_id: str) -> list[TestimonialPublic]:
    live = await sessions.get_for_viewer(session, principal=principal, session_id=session_id)
    rows = (
        await session.exec(
            select(Testimonial).where(Testimonial.session_id == live.id).order_by(col(Testimonial.created_at))
        )
    ).all()
    return [await render_testimonial(session, t) for t in rows]


async def render_testimonial(session: AsyncSession, testimonial: Testimonial) -> TestimonialPublic:
    order = await session.get(KnownOrder, testimonial.order_id)
    return TestimonialPublic(
        id=testimonial.id,
        session_id=testimonial.session_id,
        author_id=testimonial.author_id,
        author_name=await members.name(session, community_id=testimonial.community_id, user_id=testimonial.author_id),
        order_id=testimonial.order_id,
        product_name=order.product_name if order else "",
        picked_up=bool(order and order.picked_up_at),
        text=testimonial.text,
        created_at=testimonial.created_at,
    )
