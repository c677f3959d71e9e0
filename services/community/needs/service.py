"""Posted needs (居民需求): a member posts what they need, by a category of the service directory;
neighbours add "me too" once each; the poster closes it as met. A need for the leaders only is seen
by its poster and the community's leaders; to anyone else it does not exist (404). The events carry
the category and counts for demand aggregation; the posting also its text, which matching matches
to providers (and shows to no one but the poster and the leaders)."""

from typing import Any

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.communities import membership
from services.community.communities.service import get_community
from services.community.locking import locked
from services.community.needs.models import MET, OPEN, Need, NeedCreate, NeedPublic, NeedSecond, NeedStatus
from shared.access import get_for_member
from shared.auth import LEADER, Principal
from shared.bus import emit
from shared.errors import Conflict, Forbidden, NotFound
from shared.events.schemas.community import NeedClosed, NeedPosted, NeedSeconded
from shared.models import utcnow


async def post(session: AsyncSession, *, principal: Principal, community_id: str, data: NeedCreate) -> Need:
    await get_community(session, principal=principal, community_id=community_id)
    need = Need(**data.model_dump(), community_id=community_id, poster_id=principal.user_id)
    session.add(need)
    await _emit(
        session,
        need,
        principal,
        NeedPosted(
            need_id=need.id,
            community_id=community_id,
            category=need.category,
            urgency=need.urgency,
            visibility=need.visibility,
            text=need.text,
        ),
    )
    return need


async def list_needs(
    session: AsyncSession, *, principal: Principal, community_id: str, status: NeedStatus, limit: int, offset: int
) -> list[Need]:
    """Newest first; a need for the leaders only among them for its poster and the leaders."""
    await get_community(session, principal=principal, community_id=community_id)
    query = select(Need).where(Need.community_id == community_id, Need.status == status)
    if not await membership.has_role(session, principal, community_id, LEADER):
        query = query.where(or_(Need.visibility == "community", Need.poster_id == principal.user_id))
    query = query.order_by(col(Need.created_at).desc()).limit(limit).offset(offset)
    return list((await session.exec(query)).all())


async def get_need(session: AsyncSession, *, principal: Principal, need_id: str, lock: bool = False) -> Need:
    need = await get_for_member(session, Need, need_id, principal=principal, label="need")
    await membership.require_member(session, principal, need.community_id)
    private = need.visibility == "leaders" and need.poster_id != principal.user_id
    if private and not await membership.has_role(session, principal, need.community_id, LEADER):
        raise NotFound(f"need {need_id} does not exist")
    return await locked(session, Need, need_id, label="need") if lock else need


async def second(session: AsyncSession, *, principal: Principal, need_id: str) -> Need:
    """Me too (我也需要): once per neighbour, on an open need someone else posted."""
    need = await get_need(session, principal=principal, need_id=need_id, lock=True)
    if need.poster_id == principal.user_id:
        raise Conflict("this is your own need")
    if need.status != OPEN:
        raise Conflict(f"this need is {need.status}")
    if await session.get(NeedSecond, (need.id, principal.user_id)) is not None:
        raise Conflict("you already said me too to this need")
    session.add(NeedSecond(need_id=need.id, user_id=principal.user_id))
    need.seconds += 1
    session.add(need)
    await _emit(
        session,
        need,
        principal,
        NeedSeconded(need_id=need.id, community_id=need.community_id, category=need.category, seconds=need.seconds),
    )
    return need


async def close(session: AsyncSession, *, principal: Principal, need_id: str) -> Need:
    """The poster closes their need as met."""
    need = await get_need(session, principal=principal, need_id=need_id, lock=True)
    if need.poster_id != principal.user_id:
        raise Forbidden("only the resident who posted this need closes it")
    if need.status != OPEN:
        raise Conflict(f"this need is already {need.status}")
    need.status, need.closed_at = MET, utcnow()
    session.add(need)
    await _emit(
        session,
        need,
        principal,
        NeedClosed(need_id=need.id, community_id=need.community_id, category=need.category, seconds=need.seconds),
    )
    return need


async def public(session: AsyncSession, *, principal: Principal, needs: list[Need]) -> list[NeedPublic]:
    """The needs as the asker sees them: which they said "me too" to."""
    mine = set(
        (
            await session.exec(
                select(NeedSecond.need_id).where(
                    NeedSecond.user_id == principal.user_id, col(NeedSecond.need_id).in_([n.id for n in needs])
                )
            )
        ).all()
    )
    return [NeedPublic.model_validate(n, from_attributes=True, update={"seconded_by_me": n.id in mine}) for n in needs]


async def _emit(session: AsyncSession, need: Need, principal: Principal, payload: Any) -> None:
    await emit(session, payload, subject=need.id, community_id=need.community_id, actor_id=principal.user_id)
