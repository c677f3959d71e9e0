"""Giveaways (福袋): the host opens one; at close it is drawn among the viewers present at that moment
(the room's presence; the host, moderators and guests excluded), one prize per person. The seed and
the eligible list are recorded, so anyone can redo the draw and get the same winners."""

import random
import secrets

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.livestream.giveaways.models import (
    DRAWN,
    OPEN,
    Giveaway,
    GiveawayAudit,
    GiveawayCreate,
    GiveawayPublic,
    Winner,
)
from services.livestream.members import service as members
from services.livestream.sessions import service as sessions
from shared.auth import Principal
from shared.bus import emit
from shared.errors import Conflict, NotFound
from shared.events.schemas.livestream import GiveawayDrawn
from shared.models import utcnow

RULE = "random.Random(seed).sample(eligible, min(prizes, len(eligible))) — Python's Mersenne Twister, eligible sorted"


def draw_winners(seed: str, eligible: list[str], prizes: int) -> list[str]:
    """The draw: a pure function of what is recorded. Sampling without replacement: one prize per person."""
    return random.Random(seed).sample(sorted(eligible), min(prizes, len(eligible)))


async def open_giveaway(
    session: AsyncSession, *, principal: Principal, session_id: str, data: GiveawayCreate
) -> Giveaway:
    live = await sessions.get_for_staff(session, principal=principal, session_id=session_id)
    sessions.require_open(live)
    running = await session.exec(select(Giveaway.id).where(Giveaway.session_id == live.id, Giveaway.status == OPEN))
    if running.first() is not None:
        raise Conflict("a giveaway is already open in this session; draw it first")
    giveaway = Giveaway(
        session_id=live.id,
        community_id=live.community_id,
        title=data.title,
        prizes=data.prizes,
        created_by=principal.user_id,
    )
    session.add(giveaway)
    return giveaway


async def get_open(session: AsyncSession, *, principal: Principal, session_id: str, giveaway_id: str) -> Giveaway:
    live = await sessions.get_for_staff(session, principal=principal, session_id=session_id)
    giveaway = await session.get(Giveaway, giveaway_id)
    if giveaway is None or giveaway.session_id != live.id:
        raise NotFound(f"giveaway {giveaway_id} does not exist in this session")
    if giveaway.status != OPEN:
        raise Conflict("this giveaway was already drawn")
    return giveaway


async def draw(
    session: AsyncSession, *, principal: Principal, session_id: str, giveaway_id: str, present: dict[str, str]
) -> Giveaway:
    """Close and draw among `present` (person → role in the room, as the room's sequencer counts them)."""
    giveaway = await get_open(session, principal=principal, session_id=session_id, giveaway_id=giveaway_id)
    eligible = sorted(user for user, role in present.items() if role == "viewer")
    giveaway.seed = secrets.token_hex(16)
    giveaway.eligible = eligible
    giveaway.winners = draw_winners(giveaway.seed, eligible, giveaway.prizes)
    giveaway.status, giveaway.drawn_at = DRAWN, utcnow()
    session.add(giveaway)
    await emit(
        session,
        GiveawayDrawn(
            giveaway_id=giveaway.id,
            session_id=giveaway.session_id,
            community_id=giveaway.community_id,
            title=giveaway.title,
            prizes=giveaway.prizes,
            seed=giveaway.seed,
            eligible=len(eligible),
            winner_ids=giveaway.winners,
        ),
        subject=giveaway.id,
        community_id=giveaway.community_id,
        actor_id=principal.user_id,
    )
    return giveaway


async def audit(session: AsyncSession, *, principal: Principal, session_id: str, giveaway_id: str) -> GiveawayAudit:
    live = await sessions.get_for_viewer(session, principal=principal, session_id=session_id)
    giveaway = await session.get(Giveaway, giveaway_id)
    if giveaway is None or giveaway.session_id != live.id:
        raise NotFound(f"giveaway {giveaway_id} does not exist in this session")
    public = await render_giveaway(session, giveaway)
    reproduced = (
        giveaway.seed is not None
        and draw_winners(giveaway.seed, giveaway.eligible, giveaway.prizes) == giveaway.winners
    )
    return GiveawayAudit(
        **public.model_dump(), seed=giveaway.seed, eligible=giveaway.eligible, rule=RULE, reproduced=reproduced
    )


async def latest(session: AsyncSession, session_id: str) -> Giveaway | None:
    query = select(Giveaway).where(Giveaway.session_id == session_id).order_by(col(Giveaway.opened_at).desc())
    return (await session.exec(query)).first()


async def render_giveaway(session: AsyncSession, giveaway: Giveaway) -> GiveawayPublic:
    names = await members.names(session, community_id=giveaway.community_id, user_ids=giveaway.winners)
    return GiveawayPublic(
        id=giveaway.id,
        session_id=giveaway.session_id,
        title=giveaway.title,
        prizes=giveaway.prizes,
        status=giveaway.status,
        winners=[Winner(user_id=w, name=names[w]) for w in giveaway.winners],
        opened_at=giveaway.opened_at,
        drawn_at=giveaway.drawn_at,
    )
