"""The live room's hint for its host: the cards ranked by how much the people in the room now are into
what each is about, from their interest profiles. The gateway asks (after livestream said the caller
hosts or moderates the session and who is in the room); residents who switched personalisation off
are in the room but not in the figures."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.matching.hints.models import Card, LiveAudience, LiveHint
from services.matching.hints.rules import FEWEST_SHOWN, Viewer, appeal, reason
from services.matching.interests.models import Interest, OptOut
from services.matching.interests.rules import decayed, kind_topics, topics_of_tags
from services.matching.interests.service import tag_overrides
from services.matching.recommendations.models import DealView, EventView, OfferingView
from shared.auth import Principal
from shared.models import utcnow


async def live_hint(
    session: AsyncSession, *, principal: Principal, audience: LiveAudience, half_life_days: float, lang: str = "en"
) -> list[LiveHint]:
    principal.require_service()
    viewers = await _viewers(session, audience, half_life_days)
    room = len(set(audience.viewer_ids))
    hints = []
    for card, title, topics in await _cards(session, audience):
        a = appeal(topics, viewers)
        hints.append(
            LiveHint(
                kind=card.kind,
                ref_id=card.ref_id,
                title=title,
                score=a.score,
                interested=a.interested if a.interested >= FEWEST_SHOWN else None,
                viewers=room,
                reason=reason(a, room, lang),
            )
        )
    return sorted(hints, key=lambda h: h.score, reverse=True)


async def _viewers(session: AsyncSession, audience: LiveAudience, half_life_days: float) -> list[Viewer]:
    ids = set(audience.viewer_ids)
    ids -= set((await session.exec(select(OptOut.user_id).where(col(OptOut.user_id).in_(ids)))).all())
    rows = (
        await session.exec(
            select(Interest).where(Interest.community_id == audience.community_id, col(Interest.user_id).in_(ids))
        )
    ).all()
    now = utcnow()
    weights: dict[str, dict[str, float]] = {}
    seeds: dict[str, dict[str, tuple[str, str]]] = {}
    for i in rows:
        weights.setdefault(i.user_id, {})[i.topic] = decayed(i.weight, i.updated_at, now, half_life_days)
        seeds.setdefault(i.user_id, {})[i.topic] = (i.source, i.seed)
    # Everyone in the room counts in the mean, with or without a profile.
    return [Viewer(weights.get(u, {}), seeds.get(u, {})) for u in ids]


async def _cards(session: AsyncSession, audience: LiveAudience) -> list[tuple[Card, str, frozenset[str]]]:
    """Each card with its title and the topics it is about (none for an item matching has not heard of)."""
    overrides = await tag_overrides(session, audience.community_id)
    found = []
    for card in audience.candidates:
        title, topics = card.title or card.ref_id, frozenset[str]()
        if card.kind == "service" and (o := await session.get(OfferingView, card.ref_id)) is not None:
            title, topics = o.name, frozenset({o.category})
        elif card.kind == "event" and (e := await session.get(EventView, card.ref_id)) is not None:
            title, topics = e.title, frozenset(kind_topics(e.kind))
        elif card.kind == "deal" and (d := await session.get(DealView, card.ref_id)) is not None:
            title, topics = d.title, frozenset(topics_of_tags(d.tags, overrides))
        found.append((card, title, topics))
    return found
