"""Who may do what with a community's events.

- Members see the community's events; a draft only its organisers (others get 404, as if it did not exist).
- Organisers of a community: its leaders, and the members a leader allowed (`Organiser`, a resident
  talent 能人). They create events; an event is organised by its community's leaders and by its
  creator while they may still organise there.
- At the door: the event's organisers and the helpers they named.
A leader of community A has no power in community B: every check names the event's own community.
"""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.communities import membership
from services.community.events import rows
from services.community.events.models import DRAFT, Helper, OfflineEvent, Organiser
from shared.access import get_for_member
from shared.auth import LEADER, Principal
from shared.errors import Forbidden, NotFound


def is_leader(principal: Principal, community_id: str) -> bool:
    try:
        principal.require_role(community_id, LEADER)  # operators and Linli's services too
    except Forbidden:
        return False
    return True


async def may_organise(session: AsyncSession, principal: Principal, community_id: str) -> bool:
    if is_leader(principal, community_id):
        return True
    return await session.get(Organiser, (community_id, principal.user_id)) is not None


async def require_organiser(session: AsyncSession, principal: Principal, community_id: str) -> None:
    await membership.require_member(session, principal, community_id)
    if not await may_organise(session, principal, community_id):
        raise Forbidden(f"only the leaders of community {community_id} and organisers they allowed may do this")


async def organises(session: AsyncSession, principal: Principal, event: OfflineEvent) -> bool:
    if is_leader(principal, event.community_id):
        return True
    return event.created_by == principal.user_id and await may_organise(session, principal, event.community_id)


async def visible_event(session: AsyncSession, *, principal: Principal, event_id: str) -> OfflineEvent:
    """The event for a member of its community (403 for others); a draft for its organisers only."""
    event = await get_for_member(session, OfflineEvent, event_id, principal=principal, label="event")
    await membership.require_member(session, principal, event.community_id)  # the token may predate a removal
    if event.status == DRAFT and not await organises(session, principal, event):
        raise NotFound(f"event {event_id} does not exist")
    return event


async def organised_event(
    session: AsyncSession, *, principal: Principal, event_id: str, lock: bool = True
) -> OfflineEvent:
    """The event for one of its organisers; to change it, read afresh under its row lock."""
    event = await visible_event(session, principal=principal, event_id=event_id)
    if not await organises(session, principal, event):
        raise Forbidden(f"only the organisers of event {event_id} may do this")
    return await rows.lock(session, event.id) if lock else event


async def require_door(session: AsyncSession, principal: Principal, event: OfflineEvent) -> None:
    """Checking people in: the event's organisers and the helpers they named."""
    if await organises(session, principal, event):
        return
    if await session.get(Helper, (event.id, principal.user_id)) is None:
        raise Forbidden(f"only the organisers of event {event.id} and their helpers check people in")
