"""Recommendations for a resident in a community, from matching's read models."""

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.matching.interests.models import CoOccurrence, Interaction, Interest, ItemStat
from services.matching.interests.rules import decayed, kind_topics, topics_of_tags
from services.matching.interests.service import opted_out, tag_overrides
from services.matching.needs.service import matching_services
from services.matching.recommendations.models import (
    DealView,
    EventView,
    ItemKind,
    ListingView,
    OfferingView,
    Recommendation,
    SessionView,
    SwapView,
)
from services.matching.recommendations.rules import Candidate, Neighbours, Profile, rank, similarity
from shared.auth import Principal
from shared.models import utcnow


async def recommend(
    session: AsyncSession,
    *,
    principal: Principal,
    community_id: str,
    limit: int,
    half_life_days: float,
    lang: str = "en",
) -> list[Recommendation]:
    principal.require_member(community_id)
    return await recommend_for(
        session,
        user_id=principal.user_id,
        community_id=community_id,
        limit=limit,
        half_life_days=half_life_days,
        lang=lang,
    )


async def recommend_for(
    session: AsyncSession, *, user_id: str, community_id: str, limit: int, half_life_days: float, lang: str = "en"
) -> list[Recommendation]:
    """The ranking itself (the endpoint and `make eval` both call this)."""
    now = utcnow()
    profile, mine, needs = Profile(weights={}, seeds={}), set[str](), {}
    if not await opted_out(session, user_id):
        interests = (
            await session.exec(
                select(Interest).where(Interest.user_id == user_id, Interest.community_id == community_id)
            )
        ).all()
        profile = Profile(
            weights={i.topic: decayed(i.weight, i.updated_at, now, half_life_days) for i in interests},
            seeds={i.topic: i.seed for i in interests},
            sources={i.topic: i.source for i in interests},
        )
        mine = set((await session.exec(select(Interaction.item).where(Interaction.user_id == user_id))).all())
        needs = await matching_services(session, user_id=user_id, community_id=community_id)
    candidates = [
        c for c in await candidates_in(session, community_id=community_id, user_id=user_id) if c.item not in mine
    ]
    neighbours = await neighbours_of(session, community_id=community_id, mine=list(mine)) if mine else Neighbours()
    return rank(candidates, profile, now=now, limit=limit, neighbours=neighbours, needs=needs, lang=lang)


async def candidates_in(session: AsyncSession, *, community_id: str, user_id: str | None = None) -> list[Candidate]:
    """What can be recommended in a community now: open deals, upcoming sessions, services of listed
    providers, published events with seats left, open swaps (never `user_id`'s own)."""
    now = utcnow()
    takers = dict(
        (await session.exec(select(ItemStat.item, ItemStat.takers).where(ItemStat.community_id == community_id))).all()
    )
    overrides = await tag_overrides(session, community_id)
    found: list[Candidate] = []
    for d in (
        await session.exec(
            select(DealView).where(
                DealView.community_id == community_id,
                col(DealView.closes_at) > now,
                or_(col(DealView.opens_at).is_(None), col(DealView.opens_at) <= now),
                col(DealView.ended).is_(False),
            )
        )
    ).all():
        topics = frozenset(topics_of_tags(d.tags, overrides))
        found.append(_candidate("deal", d.id, d.title, topics, d.published_at, takers, topic=min(d.tags, default="")))
    for s in (
        await session.exec(
            select(SessionView).where(SessionView.community_id == community_id, col(SessionView.planned_start) > now)
        )
    ).all():
        found.append(_candidate("session", s.id, s.title, frozenset(s.topics), s.published_at, takers, topic="session"))
    for o, endorsements in (
        await session.exec(
            select(OfferingView, ListingView.endorsements)
            .join(ListingView, col(ListingView.provider_id) == col(OfferingView.provider_id))
            .where(ListingView.community_id == community_id, ListingView.state == "listed", col(OfferingView.active))
        )
    ).all():
        found.append(
            _candidate(
                "service",
                o.id,
                o.name,
                frozenset({o.category}),
                o.published_at,
                takers,
                topic=o.category,
                endorsed=endorsements > 0,
            )
        )
    for e in (
        await session.exec(
            select(EventView).where(
                EventView.community_id == community_id,
                EventView.status == "published",
                col(EventView.registration_closes_at) > now,
                col(EventView.seats_taken) < col(EventView.capacity),
            )
        )
    ).all():
        found.append(
            _candidate("event", e.id, e.title, frozenset(kind_topics(e.kind)), e.published_at, takers, topic=e.kind)
        )
    swaps = select(SwapView).where(SwapView.community_id == community_id, col(SwapView.open))
    if user_id is not None:
        swaps = swaps.where(SwapView.owner_id != user_id)
    for w in (await session.exec(swaps)).all():
        topics = frozenset(topics_of_tags([w.category], overrides))
        found.append(_candidate("swap", w.id, w.title, topics, w.published_at, takers, topic=w.category))
    return found


def _candidate(
    kind: ItemKind,
    id_: str,
    title: str,
    topics: frozenset[str],
    published_at: datetime,
    takers: dict[str, int],
    *,
    topic: str,
    endorsed: bool = False,
) -> Candidate:
    return Candidate(kind, id_, title, topics, published_at, takers.get(f"{kind}:{id_}", 0), endorsed, topic)


async def neighbours_of(session: AsyncSession, *, community_id: str, mine: list[str]) -> Neighbours:
    """Similarity of each item neighbours took together with the resident's items (cosine over
    takers), with the resident's item that contributed most."""
    rows = (
        await session.exec(
            select(CoOccurrence.item, CoOccurrence.other, CoOccurrence.together).where(
                CoOccurrence.community_id == community_id, col(CoOccurrence.item).in_(mine), CoOccurrence.together > 0
            )
        )
    ).all()
    if not rows:
        return Neighbours()
    involved = {r[0] for r in rows} | {r[1] for r in rows}
    takers = dict(
        (
            await session.exec(
                select(ItemStat.item, ItemStat.takers).where(
                    ItemStat.community_id == community_id, col(ItemStat.item).in_(involved)
                )
            )
        ).all()
    )
    max_takers = (
        await session.exec(select(func.max(ItemStat.takers)).where(ItemStat.community_id == community_id))
    ).one() or 0
    similar: dict[str, tuple[float, str]] = {}
    best: dict[str, tuple[float, str]] = {}
    for item, other, together in rows:
        s = similarity(together, takers.get(item, 0), takers.get(other, 0))
        total, _ = similar.get(other, (0.0, ""))
        similar[other] = (total + s, "")
        if s > best.get(other, (0.0, ""))[0]:
            best[other] = (s, item)
    titles = await titles_of(session, [seed for _, seed in best.values()])
    return Neighbours(
        similar={o: (s, titles.get(best[o][1], best[o][1])) for o, (s, _) in similar.items()}, max_takers=max_takers
    )


async def titles_of(session: AsyncSession, items: list[str]) -> dict[str, str]:
    """The titles of items (kind:id) a reason names."""
    by_kind: dict[str, list[str]] = {}
    for item in items:
        kind, _, id_ = item.partition(":")
        by_kind.setdefault(kind, []).append(id_)
    titles: dict[str, str] = {}
    for kind, table, name in (
        ("deal", DealView, DealView.title),
        ("session", SessionView, SessionView.title),
        ("service", OfferingView, OfferingView.name),
        ("event", EventView, EventView.title),
        ("swap", SwapView, SwapView.title),
    ):
        if ids := by_kind.get(kind):
            for id_, title in (await session.exec(select(table.id, name).where(col(table.id).in_(ids)))).all():  # type: ignore[attr-defined]
                titles[f"{kind}:{id_}"] = title
    return titles
