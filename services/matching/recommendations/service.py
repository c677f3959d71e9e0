"""Recommendations for a resident in a community, from matching's read models."""

import sqlalchemy
from sqlalchemy import JSON, CompoundSelect, String, bindparam, cast, literal, null, union_all
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.matching.interests.models import CoOccurrence, Interaction, ItemStat
from services.matching.interests.rules import decayed, kind_topics, topics_of_tags
from services.matching.interests.service import stored_interests, tag_overrides
from services.matching.needs.service import matching_services
from services.matching.prepared import table_of
from services.matching.recommendations.models import (
    DealView,
    EventView,
    ListingView,
    OfferingView,
    Recommendation,
    SessionView,
    SwapView,
)
from services.matching.recommendations.rules import Candidate, Neighbours, Profile, rank, similarity
from shared.auth import Principal
from shared.models import UTCDateTime, utcnow


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
    """The ranking itself (the endpoint and `make eval` both call this).

    It runs on every app start and every pull to refresh, so it reads with few statements, each built
    once (see `prepared`): the profile, the resident's items, their needs, the community's counts,
    everything recommendable, the neighbourhood of the resident's items and the titles it names."""
    now = utcnow()
    profile, mine, needs = Profile(weights={}, seeds={}), set[str](), {}
    if (interests := await stored_interests(session, user_id, community_id)) is not None:
        profile = Profile(
            weights={i.topic: decayed(i.weight, i.updated_at, now, half_life_days) for i in interests},
            seeds={i.topic: i.seed for i in interests},
            sources={i.topic: i.source for i in interests},
        )
        mine = set((await session.exec(_TAKEN_BY, params={"user_id": user_id})).all())
        needs = await matching_services(session, user_id=user_id, community_id=community_id)
    takers = await takers_in(session, community_id=community_id)
    recommendable = await candidates_in(session, community_id=community_id, takers=takers, user_id=user_id)
    neighbours = await neighbours_of(
        session,
        community_id=community_id,
        mine=mine,
        takers=takers,
        titles={c.item: c.title for c in recommendable},
    )
    candidates = [c for c in recommendable if c.item not in mine]
    return rank(candidates, profile, now=now, limit=limit, neighbours=neighbours, needs=needs, lang=lang)


_interactions, _item_stats, _pairs = table_of(Interaction), table_of(ItemStat), table_of(CoOccurrence)
_TAKEN_BY = select(_interactions.c.item).where(_interactions.c.user_id == bindparam("user_id"))
_TAKERS = select(_item_stats.c.item, _item_stats.c.takers).where(
    _item_stats.c.community_id == bindparam("community_id")
)


async def takers_in(session: AsyncSession, *, community_id: str) -> dict[str, int]:
    """How many residents of the community took each item."""
    return dict((await session.exec(_TAKERS, params={"community_id": community_id})).all())


def _recommendable() -> CompoundSelect:
    """Every kind of item that can be recommended, in one statement of one shape: kind, id, title,
    `words` (a deal's tags, a session's topics), `about` (a service's category, an event's kind, a
    swap's category), when it was published, and its provider's endorsements."""
    community, now = bindparam("community_id", type_=String), bindparam("now", type_=UTCDateTime)
    no_words, nothing = cast(null(), JSON), null()
    return union_all(
        sqlalchemy.select(
            literal("deal"),
            col(DealView.id),
            col(DealView.title),
            col(DealView.tags),
            nothing,
            col(DealView.published_at),
            literal(0),
        ).where(
            col(DealView.community_id) == community,
            col(DealView.closes_at) > now,
            or_(col(DealView.opens_at).is_(None), col(DealView.opens_at) <= now),
            col(DealView.ended).is_(False),
        ),
        sqlalchemy.select(
            literal("session"),
            col(SessionView.id),
            col(SessionView.title),
            col(SessionView.topics),
            nothing,
            col(SessionView.published_at),
            literal(0),
        ).where(col(SessionView.community_id) == community, col(SessionView.planned_start) > now),
        sqlalchemy.select(
            literal("service"),
            col(OfferingView.id),
            col(OfferingView.name),
            no_words,
            col(OfferingView.category),
            col(OfferingView.published_at),
            col(ListingView.endorsements),
        )
        .join(ListingView, col(ListingView.provider_id) == col(OfferingView.provider_id))
        .where(
            col(ListingView.community_id) == community, col(ListingView.state) == "listed", col(OfferingView.active)
        ),
        sqlalchemy.select(
            literal("event"),
            col(EventView.id),
            col(EventView.title),
            no_words,
            col(EventView.kind),
            col(EventView.published_at),
            literal(0),
        ).where(
            col(EventView.community_id) == community,
            col(EventView.status) == "published",
            col(EventView.registration_closes_at) > now,
            col(EventView.seats_taken) < col(EventView.capacity),
        ),
        sqlalchemy.select(
            literal("swap"),
            col(SwapView.id),
            col(SwapView.title),
            no_words,
            col(SwapView.category),
            col(SwapView.published_at),
            literal(0),
        ).where(
            col(SwapView.community_id) == community,
            col(SwapView.open),
            or_(bindparam("user_id", type_=String).is_(None), col(SwapView.owner_id) != bindparam("user_id")),
        ),
    )


_RECOMMENDABLE = _recommendable()


async def candidates_in(
    session: AsyncSession, *, community_id: str, takers: dict[str, int], user_id: str | None = None
) -> list[Candidate]:
    """What can be recommended in a community now: open deals, upcoming sessions, services of listed
    providers, published events with seats left, open swaps (never `user_id`'s own); `takers` from
    `takers_in`."""
    overrides = await tag_overrides(session, community_id)
    rows = await session.execute(_RECOMMENDABLE, {"community_id": community_id, "now": utcnow(), "user_id": user_id})
    found: list[Candidate] = []
    for kind, id_, title, words, about, published_at, endorsements in rows.all():
        if kind == "deal":
            topics, topic = frozenset(topics_of_tags(words, overrides)), min(words, default="")
        elif kind == "session":
            topics, topic = frozenset(words), "session"
        elif kind == "service":
            topics, topic = frozenset({about}), about
        elif kind == "event":
            topics, topic = frozenset(kind_topics(about)), about
        else:
            topics, topic = frozenset(topics_of_tags([about], overrides)), about
        taken = takers.get(f"{kind}:{id_}", 0)
        found.append(Candidate(kind, id_, title, topics, published_at, taken, endorsements > 0, topic))
    return found


_TAKEN_WITH = select(_pairs.c.item, _pairs.c.other, _pairs.c.together).where(
    _pairs.c.community_id == bindparam("community_id"),
    _pairs.c.item.in_(bindparam("mine", expanding=True)),
    _pairs.c.together > 0,
)


async def neighbours_of(
    session: AsyncSession, *, community_id: str, mine: set[str], takers: dict[str, int], titles: dict[str, str]
) -> Neighbours:
    """Similarity of each item neighbours took together with the resident's items (cosine over
    takers), with the resident's item that contributed most; `takers` from `takers_in`, `titles` of
    the items known already (those recommendable now: the others are read)."""
    if not mine:
        return Neighbours()
    rows = (await session.exec(_TAKEN_WITH, params={"community_id": community_id, "mine": sorted(mine)})).all()
    if not rows:
        return Neighbours()
    similar: dict[str, float] = {}
    best: dict[str, tuple[float, str]] = {}
    for item, other, together in rows:
        s = similarity(together, takers.get(item, 0), takers.get(other, 0))
        similar[other] = similar.get(other, 0.0) + s
        if s > best.get(other, (0.0, ""))[0]:
            best[other] = (s, item)
    if unknown := {seed for _, seed in best.values()} - titles.keys():
        titles = {**titles, **await titles_of(session, unknown)}
    return Neighbours(
        similar={o: (s, titles.get(best[o][1], best[o][1])) for o, s in similar.items()},
        max_takers=max(takers.values(), default=0),
    )


_TITLES = union_all(
    *(
        select(literal(kind), table.id, title).where(col(table.id).in_(bindparam(kind, expanding=True)))  # type: ignore[attr-defined]
        for kind, table, title in (
            ("deal", DealView, DealView.title),
            ("session", SessionView, SessionView.title),
            ("service", OfferingView, OfferingView.name),
            ("event", EventView, EventView.title),
            ("swap", SwapView, SwapView.title),
        )
    )
)


async def titles_of(session: AsyncSession, items: set[str]) -> dict[str, str]:
    """The titles of items (kind:id) a reason names."""
    ids: dict[str, list[str]] = {kind: [] for kind in ("deal", "session", "service", "event", "swap")}
    for item in items:
        kind, _, id_ = item.partition(":")
        ids[kind].append(id_)
    return {f"{kind}:{id_}": title for kind, id_, title in (await session.execute(_TITLES, ids)).all()}
