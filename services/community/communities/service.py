"""Communities and membership. Roles are per community; the gateway reads a person's roles from
here when it issues a token, and other services learn them from `community.member.*` events.

An operator opens a community and names its first leader (a person creating one leads it
themselves). Residents join by invite code, or ask and a leader approves; anyone may leave; a
leader hands out moderator and property-manager roles and removes members. community's own
checks read the memberships (`membership`), so a removal takes effect at once."""

from collections.abc import Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.communities import membership
from services.community.communities.models import Community, CommunityCreate, Membership, Removal
from shared.auth import LEADER, RESIDENT, Principal
from shared.bus import emit
from shared.codes import new_code
from shared.errors import Forbidden, NotFound
from shared.events.schemas.community import CommunityCreated, MemberJoined, MemberRenamed, default_display_name


async def create_community(
    session: AsyncSession, *, principal: Principal, data: CommunityCreate, leader_id: str | None = None
) -> Community:
    """`leader_id`: an operator names the first leader; anyone else who creates a community leads it."""
    leader = leader_id or principal.user_id
    if leader != principal.user_id:
        principal.require_operator()
    community = Community(
        **data.model_dump(exclude={"leader_id"}), invite_code=new_code(8), created_by=principal.user_id
    )
    session.add(community)
    await session.flush()
    await emit(
        session,
        CommunityCreated(community_id=community.id, name=community.name, leader_id=leader),
        subject=community.id,
        community_id=community.id,
        actor_id=principal.user_id,
    )
    await add_member(session, community_id=community.id, user_id=leader, role=LEADER, actor_id=principal.user_id)
    return community


async def join_by_invite(
    session: AsyncSession, *, principal: Principal, invite_code: str, display_name: str | None = None
) -> Membership:
    community = (
        await session.exec(select(Community).where(Community.invite_code == invite_code.strip().upper()))
    ).first()
    if community is None:
        raise NotFound("no community has this invite code")
    existing = await memberships(session, community_id=community.id, user_id=principal.user_id)
    if existing:
        return existing[0]  # joining twice is harmless (a new name goes through rename)
    if await session.get(Removal, (community.id, principal.user_id)) is not None:
        raise Forbidden("a leader removed you from this community; ask to join and a leader decides")
    return await add_member(
        session, community_id=community.id, user_id=principal.user_id, role=RESIDENT, display_name=display_name
    )


async def rename(session: AsyncSession, *, principal: Principal, community_id: str, display_name: str) -> Membership:
    """A member changes the name neighbours know them by in this community (all their roles there)."""
    await get_community(session, principal=principal, community_id=community_id)
    rows = await memberships(session, community_id=community_id, user_id=principal.user_id)
    if not rows:
        raise NotFound(f"you are not a member of community {community_id}")
    if rows[0].display_name != display_name:
        for row in rows:
            row.display_name = display_name
        session.add_all(rows)
        await emit(
            session,
            MemberRenamed(community_id=community_id, user_id=principal.user_id, display_name=display_name),
            subject=community_id,
            community_id=community_id,
            actor_id=principal.user_id,
        )
    return rows[0]


async def memberships(session: AsyncSession, *, community_id: str, user_id: str) -> list[Membership]:
    query = select(Membership).where(Membership.community_id == community_id, Membership.user_id == user_id)
    return list((await session.exec(query.order_by(col(Membership.id)))).all())


async def add_member(
    session: AsyncSession,
    *,
    community_id: str,
    user_id: str,
    role: str,
    display_name: str | None = None,
    actor_id: str | None = None,
) -> Membership:
    name = display_name or default_display_name(user_id)
    row = Membership(community_id=community_id, user_id=user_id, role=role, display_name=name)
    session.add(row)
    await emit(
        session,
        MemberJoined(community_id=community_id, user_id=user_id, role=role, display_name=name),
        subject=community_id,
        community_id=community_id,
        actor_id=actor_id or user_id,
    )
    return row


async def get_community(session: AsyncSession, *, principal: Principal, community_id: str) -> Community:
    community = await session.get(Community, community_id)
    if community is None:
        raise NotFound(f"community {community_id} does not exist")
    await membership.require_member(session, principal, community_id)
    return community


async def list_members(session: AsyncSession, *, principal: Principal, community_id: str) -> list[Membership]:
    await get_community(session, principal=principal, community_id=community_id)
    await membership.require_role(session, principal, community_id, LEADER)
    return list((await session.exec(select(Membership).where(Membership.community_id == community_id))).all())


async def roles_of(session: AsyncSession, *, principal: Principal, user_id: str) -> dict[str, list[str]]:
    """A person's roles in every community; for the gateway when it issues tokens."""
    if principal.user_id != user_id:
        principal.require_service()
    rows = (await session.exec(select(Membership).where(Membership.user_id == user_id))).all()
    roles: dict[str, list[str]] = {}
    for row in rows:
        roles.setdefault(row.community_id, []).append(row.role)
    return roles


async def is_member(session: AsyncSession, *, community_id: str, user_id: str) -> bool:
    """From the memberships themselves, not a token: what a request without one (a calendar feed) relies on."""
    return bool(await memberships(session, community_id=community_id, user_id=user_id))


async def display_names(session: AsyncSession, *, community_id: str, user_ids: Iterable[str]) -> dict[str, str]:
    """The names members are known by in a community (群昵称); the default for anyone not (or no longer) a member."""
    wanted = set(user_ids)
    rows = await session.exec(
        select(Membership.user_id, Membership.display_name).where(
            Membership.community_id == community_id, col(Membership.user_id).in_(wanted)
        )
    )
    known = dict(rows.all())
    return {user_id: known.get(user_id) or default_display_name(user_id) for user_id in wanted}
