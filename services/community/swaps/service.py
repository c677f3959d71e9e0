"""Item swaps (闲置交换) between neighbours.

A member posts an item (free, to swap for something named, or for a token price); neighbours make
offers; the owner accepts one, which declines the others (each maker is told); owner and taker both
confirm the hand-over and the post closes. A member's report hides the post from everyone but its
owner and the community's moderators and leaders, until one of those restores or removes it.
Every change reads the post afresh under its row lock."""

from typing import Any

from sqlmodel import col, delete, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.communities import membership
from services.community.communities.members import holders
from services.community.communities.service import get_community
from services.community.locking import locked
from services.community.moderation import Moderation, ReportCreate, require_shown
from services.community.swaps.models import (
    ACCEPTED,
    CLOSED,
    DECLINED,
    OPEN,
    PENDING,
    PROMISED,
    REMOVED,
    OfferCreate,
    Swap,
    SwapCreate,
    SwapOffer,
    SwapReport,
    SwapStatus,
)
from shared.access import get_for_member
from shared.auth import Principal
from shared.bus import emit
from shared.errors import Conflict, Forbidden, NotFound, Unprocessable
from shared.events.schemas.community import (
    SwapClosed,
    SwapModerated,
    SwapOfferAccepted,
    SwapOfferDeclined,
    SwapOfferMade,
    SwapPosted,
    SwapReported,
)
from shared.models import utcnow


async def post(session: AsyncSession, *, principal: Principal, community_id: str, data: SwapCreate) -> Swap:
    await get_community(session, principal=principal, community_id=community_id)
    swap = Swap(**data.model_dump(), community_id=community_id, owner_id=principal.user_id)
    session.add(swap)
    await _emit(
        session,
        swap,
        principal,
        SwapPosted(
            swap_id=swap.id,
            community_id=community_id,
            owner_id=swap.owner_id,
            title=swap.title,
            category=swap.category,
            terms=swap.terms,
            swap_for=swap.swap_for,
            price_fen=swap.price_fen,
        ),
    )
    return swap


async def list_swaps(
    session: AsyncSession, *, principal: Principal, community_id: str, status: SwapStatus, limit: int, offset: int
) -> list[Swap]:
    """Newest first; hidden and removed posts for their owners and the community's moderators only."""
    await get_community(session, principal=principal, community_id=community_id)
    query = select(Swap).where(Swap.community_id == community_id, Swap.status == status)
    if not await membership.has_role(session, principal, community_id, *membership.STEWARDS):
        shown = (col(Swap.hidden).is_(False)) & (Swap.status != REMOVED)
        query = query.where(or_(shown, Swap.owner_id == principal.user_id))
    query = query.order_by(col(Swap.created_at).desc()).limit(limit).offset(offset)
    return list((await session.exec(query)).all())


async def get_swap(session: AsyncSession, *, principal: Principal, swap_id: str, lock: bool = False) -> Swap:
    """A post for a member of its community; hidden or removed, for its owner and moderators only (404)."""
    swap = await get_for_member(session, Swap, swap_id, principal=principal, label="swap")
    await membership.require_member(session, principal, swap.community_id)
    withheld = swap.hidden or swap.status == REMOVED
    await require_shown(
        session,
        principal,
        community_id=swap.community_id,
        author_id=swap.owner_id,
        withheld=withheld,
        label=f"swap {swap_id}",
    )
    return await locked(session, Swap, swap_id, label="swap") if lock else swap


async def make_offer(session: AsyncSession, *, principal: Principal, swap_id: str, data: OfferCreate) -> SwapOffer:
    swap = await get_swap(session, principal=principal, swap_id=swap_id, lock=True)
    if swap.owner_id == principal.user_id:
        raise Unprocessable("you cannot make an offer on your own item")
    _require_open(swap)
    mine = select(SwapOffer).where(
        SwapOffer.swap_id == swap.id, SwapOffer.user_id == principal.user_id, SwapOffer.status == PENDING
    )
    if (await session.exec(mine)).first() is not None:
        raise Conflict("you already have an offer on this item")
    offer = SwapOffer(**data.model_dump(), swap_id=swap.id, user_id=principal.user_id)
    session.add(offer)
    await _emit(
        session,
        swap,
        principal,
        SwapOfferMade(
            offer_id=offer.id,
            swap_id=swap.id,
            community_id=swap.community_id,
            owner_id=swap.owner_id,
            user_id=offer.user_id,
        ),
    )
    return offer


async def list_offers(session: AsyncSession, *, principal: Principal, swap_id: str) -> list[SwapOffer]:
    """The owner sees every offer; anyone else their own."""
    swap = await get_swap(session, principal=principal, swap_id=swap_id)
    query = select(SwapOffer).where(SwapOffer.swap_id == swap.id)
    if swap.owner_id != principal.user_id:
        query = query.where(SwapOffer.user_id == principal.user_id)
    return list((await session.exec(query.order_by(col(SwapOffer.created_at)))).all())


async def accept(session: AsyncSession, *, principal: Principal, swap_id: str, offer_id: str) -> Swap:
    """The owner promises the item to one offer's maker; every other open offer is declined."""
    swap = await _owned(session, principal, swap_id)
    _require_open(swap)
    offer = await _pending_offer(session, swap, offer_id)
    offer.status, swap.status, swap.taker_id = ACCEPTED, PROMISED, offer.user_id
    session.add_all([offer, swap])
    await _emit(
        session,
        swap,
        principal,
        SwapOfferAccepted(
            offer_id=offer.id,
            swap_id=swap.id,
            community_id=swap.community_id,
            owner_id=swap.owner_id,
            user_id=offer.user_id,
        ),
    )
    await _decline_open(session, swap, principal, (PENDING,), reason="another offer was accepted")
    return swap


async def decline(session: AsyncSession, *, principal: Principal, swap_id: str, offer_id: str) -> SwapOffer:
    swap = await _owned(session, principal, swap_id)
    offer = await _pending_offer(session, swap, offer_id)
    await _decline(session, swap, offer, principal, reason="the owner declined it")
    return offer


async def confirm_handover(session: AsyncSession, *, principal: Principal, swap_id: str) -> Swap:
    """Owner and taker each confirm the item changed hands (twice is harmless); then the post closes."""
    swap = await get_swap(session, principal=principal, swap_id=swap_id, lock=True)
    if principal.user_id not in (swap.owner_id, swap.taker_id):
        raise Forbidden("only the item's owner and the neighbour it was promised to confirm the hand-over")
    if swap.status != PROMISED:
        raise Conflict(f"this post is {swap.status}; a hand-over follows an accepted offer")
    if principal.user_id == swap.owner_id:
        swap.owner_confirmed = True
    else:
        swap.taker_confirmed = True
    if swap.owner_confirmed and swap.taker_confirmed:
        swap.status, swap.closed_at = CLOSED, utcnow()
        assert swap.taker_id is not None  # promised posts have a taker
        await _emit(
            session,
            swap,
            principal,
            SwapClosed(
                swap_id=swap.id,
                community_id=swap.community_id,
                owner_id=swap.owner_id,
                taker_id=swap.taker_id,
                category=swap.category,
            ),
        )
    session.add(swap)
    return swap


async def report(session: AsyncSession, *, principal: Principal, swap_id: str, data: ReportCreate) -> Swap:
    """A member reports a post (once); it is hidden until a moderator decides."""
    swap = await get_swap(session, principal=principal, swap_id=swap_id, lock=True)
    if swap.owner_id == principal.user_id:
        raise Conflict("this is your own post")
    if swap.status not in (OPEN, PROMISED):
        raise Conflict(f"this post is {swap.status}")
    if await session.get(SwapReport, (swap.id, principal.user_id)) is not None:
        raise Conflict("you already reported this post")
    session.add(SwapReport(**data.model_dump(), swap_id=swap.id, user_id=principal.user_id))
    swap.hidden = True
    session.add(swap)
    stewards = await holders(session, community_id=swap.community_id, roles=membership.STEWARDS)
    await _emit(
        session,
        swap,
        principal,
        SwapReported(swap_id=swap.id, community_id=swap.community_id, reason=data.reason, recipient_ids=stewards),
    )
    return swap


async def moderate(session: AsyncSession, *, principal: Principal, swap_id: str, data: Moderation) -> Swap:
    """A moderator or leader restores a hidden post (its reports are cleared) or removes a post for good."""
    swap = await get_swap(session, principal=principal, swap_id=swap_id, lock=True)
    await membership.require_role(session, principal, swap.community_id, *membership.STEWARDS)
    if data.decision == "restore":
        if not swap.hidden:
            raise Conflict("this post is not hidden")
        swap.hidden = False
        await session.exec(delete(SwapReport).where(col(SwapReport.swap_id) == swap.id))
    else:
        if swap.status in (CLOSED, REMOVED):
            raise Conflict(f"this post is already {swap.status}")
        swap.status, swap.hidden, swap.closed_at = REMOVED, False, utcnow()
        await _decline_open(session, swap, principal, (PENDING, ACCEPTED), reason="the post was removed")
    session.add(swap)
    await _emit(
        session,
        swap,
        principal,
        SwapModerated(
            swap_id=swap.id,
            community_id=swap.community_id,
            owner_id=swap.owner_id,
            decision="restored" if data.decision == "restore" else "removed",
            note=data.note,
        ),
    )
    return swap


def _require_open(swap: Swap) -> None:
    if swap.status != OPEN:
        raise Conflict(f"this post is {swap.status}; it takes no more offers", swap_status=swap.status)
    if swap.hidden:
        raise Conflict("this post is hidden pending a moderator's decision")


async def _owned(session: AsyncSession, principal: Principal, swap_id: str) -> Swap:
    swap = await get_swap(session, principal=principal, swap_id=swap_id, lock=True)
    if swap.owner_id != principal.user_id:
        raise Forbidden("only the item's owner decides on offers")
    return swap


async def _pending_offer(session: AsyncSession, swap: Swap, offer_id: str) -> SwapOffer:
    offer = await session.get(SwapOffer, offer_id)
    if offer is None or offer.swap_id != swap.id:
        raise NotFound(f"offer {offer_id} does not exist on swap {swap.id}")
    if offer.status != PENDING:
        raise Conflict(f"this offer is already {offer.status}")
    return offer


async def _decline_open(
    session: AsyncSession, swap: Swap, principal: Principal, statuses: tuple[str, ...], *, reason: str
) -> None:
    """Declines the post's offers in `statuses` (a removed post keeps no promise either)."""
    query = select(SwapOffer).where(SwapOffer.swap_id == swap.id, col(SwapOffer.status).in_(statuses))
    for offer in (await session.exec(query.order_by(col(SwapOffer.created_at)))).all():
        await _decline(session, swap, offer, principal, reason=reason)


async def _decline(session: AsyncSession, swap: Swap, offer: SwapOffer, principal: Principal, *, reason: str) -> None:
    offer.status = DECLINED
    session.add(offer)
    await _emit(
        session,
        swap,
        principal,
        SwapOfferDeclined(
            offer_id=offer.id, swap_id=swap.id, community_id=swap.community_id, user_id=offer.user_id, reason=reason
        ),
    )


async def _emit(session: AsyncSession, swap: Swap, principal: Principal, payload: Any) -> None:
    await emit(session, payload, subject=swap.id, community_id=swap.community_id, actor_id=principal.user_id)
