"""Who organises: a leader allows a member to organise events in a community (a resident talent 能人),
or withdraws it; an event's organisers name helpers who check people in at the door."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.communities.service import display_names, get_community, is_member
from services.community.events import access
from services.community.events.models import Helper, Organiser, OrganiserPublic
from shared.auth import LEADER, Principal
from shared.errors import NotFound, Unprocessable


async def grant(session: AsyncSession, *, principal: Principal, community_id: str, user_id: str) -> OrganiserPublic:
    await get_community(session, principal=principal, community_id=community_id)
    principal.require_role(community_id, LEADER)
    await _require_member(session, community_id=community_id, user_id=user_id)
    organiser = await session.get(Organiser, (community_id, user_id))
    if organiser is None:  # granting twice is harmless
        organiser = Organiser(community_id=community_id, user_id=user_id, granted_by=principal.user_id)
        session.add(organiser)
    return (await _public(session, community_id, [organiser]))[0]


async def revoke(session: AsyncSession, *, principal: Principal, community_id: str, user_id: str) -> None:
    """From now on they create no events and manage none of theirs (the community's leaders still do)."""
    await get_community(session, principal=principal, community_id=community_id)
    principal.require_role(community_id, LEADER)
    organiser = await session.get(Organiser, (community_id, user_id))
    if organiser is None:
        raise NotFound(f"{user_id} is not an organiser in community {community_id}")
    await session.delete(organiser)


async def list_organisers(session: AsyncSession, *, principal: Principal, community_id: str) -> list[OrganiserPublic]:
    await get_community(session, principal=principal, community_id=community_id)
    rows = (
        await session.exec(
            select(Organiser).where(Organiser.community_id == community_id).order_by(col(Organiser.granted_at))
        )
    ).all()
    return await _public(session, community_id, list(rows))


async def add_helper(session: AsyncSession, *, principal: Principal, event_id: str, user_id: str) -> Helper:
    event = await access.organised_event(session, principal=principal, event_id=event_id)
    await _require_member(session, community_id=event.community_id, user_id=user_id)
    helper = await session.get(Helper, (event.id, user_id))
    if helper is None:
        helper = Helper(event_id=event.id, user_id=user_id, added_by=principal.user_id)
        session.add(helper)
    return helper


async def remove_helper(session: AsyncSession, *, principal: Principal, event_id: str, user_id: str) -> None:
    event = await access.organised_event(session, principal=principal, event_id=event_id)
    helper = await session.get(Helper, (event.id, user_id))
    if helper is None:
        raise NotFound(f"{user_id} is not a helper at event {event_id}")
    await session.delete(helper)


async def list_helpers(session: AsyncSession, *, principal: Principal, event_id: str) -> list[Helper]:
    event = await access.organised_event(session, principal=principal, event_id=event_id, lock=False)
    return list((await session.exec(select(Helper).where(Helper.event_id == event.id))).all())


async def _require_member(session: AsyncSession, *, community_id: str, user_id: str) -> None:
    if not await is_member(session, community_id=community_id, user_id=user_id):
        raise Unprocessable(f"{user_id} is not a member of community {community_id}")


async def _public(session: AsyncSession, community_id: str, rows: list[Organiser]) -> list[OrganiserPublic]:
    names = await display_names(session, community_id=community_id, user_ids=[r.user_id for r in rows])
    return [OrganiserPublic.model_validate({**r.model_dump(), "name": names[r.user_id]}) for r in rows]
