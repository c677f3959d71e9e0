"""Interest profiles, built from events; what a resident sees of theirs and how they switch it off."""

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, NamedTuple

import sqlalchemy
from sqlalchemy import bindparam, null, union_all
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.matching import transaction_memo
from services.matching.demand import service as demand
from services.matching.insights import service as insights
from services.matching.interests import cooccurrence
from services.matching.interests.models import (
    Interest,
    InterestPublic,
    OptOut,
    Personalisation,
    Source,
    TopicMap,
    TopicMapEntry,
)
from services.matching.interests.rules import SOURCE_WEIGHT, because, decayed, label, topic_map, topics_of_tags
from services.matching.prepared import per_dialect, table_of
from shared.auth import LEADER, Principal
from shared.bus import emit
from shared.db import upsert
from shared.events.schemas.matching import ProfileUpdated
from shared.models import utcnow


@dataclass(frozen=True)
class Activity:
    """One thing a resident did that says something about their interests."""

    user_id: str
    community_id: str
    source: Source
    seed: str  # what it was, in the words a reason uses: the product, the service, the event
    topics: dict[str, float]  # topic → weight it says
    item: str | None = None  # the item taken (kind:id), if any: never recommended back
    at: datetime | None = None  # when it happened (the event's time); now if not given


_interests, _opt_outs = table_of(Interest), table_of(OptOut)
_OPTED_OUT = sqlalchemy.select(_opt_outs.c.user_id).where(_opt_outs.c.user_id == bindparam("user_id"))
# Read for every event a resident causes and every recommendation they get: their interests in the
# community as stored, and one row without a topic if they switched personalisation off.
_STORED_UNLESS_OFF = union_all(
    sqlalchemy.select(
        _interests.c.topic, _interests.c.weight, _interests.c.updated_at, _interests.c.seed, _interests.c.source
    ).where(_interests.c.user_id == bindparam("user_id"), _interests.c.community_id == bindparam("community_id")),
    sqlalchemy.select(null(), null(), null(), null(), null()).where(_opt_outs.c.user_id == bindparam("user_id")),
)


@per_dialect
def _store_interests(session: AsyncSession) -> Any:
    interests = upsert(session, _interests)
    changed = {c: interests.excluded[c] for c in ("weight", "seed", "source", "updated_at")}
    return interests.on_conflict_do_update(index_elements=["user_id", "community_id", "topic"], set_=changed)


async def opted_out(session: AsyncSession, user_id: str) -> bool:
    return (await session.execute(_OPTED_OUT, {"user_id": user_id})).first() is not None


class StoredInterest(NamedTuple):
    topic: str
    weight: float  # as of `updated_at`, not decayed since
    updated_at: datetime
    seed: str
    source: str


async def stored_interests(session: AsyncSession, user_id: str, community_id: str) -> list[StoredInterest] | None:
    """The resident's interests in the community as stored, or None if they switched personalisation off."""
    rows = (await session.execute(_STORED_UNLESS_OFF, {"user_id": user_id, "community_id": community_id})).all()
    return None if any(row.topic is None for row in rows) else [StoredInterest(*row) for row in rows]


async def record(session: AsyncSession, activity: Activity, *, half_life_days: float) -> None:
    """Add an activity to the resident's profile and to the neighbours' counts (unless they opted out).

    Every event a resident causes comes through here, so it reads plain columns and writes with one
    upsert per table through statements built once, rather than through ORM objects whose
    unit-of-work bookkeeping cost more than the statements themselves."""
    a = activity
    if (interests := await stored_interests(session, a.user_id, a.community_id)) is None:
        return
    now = a.at or utcnow()
    stored = {i.topic: (i.weight, i.updated_at) for i in interests}
    weights = {topic: weight for topic, (weight, _) in stored.items()}
    before = _top(weights)
    rows = []
    for topic, weight in a.topics.items():
        old, since = stored.get(topic, (0.0, now))
        weights[topic] = decayed(old, since, now, half_life_days) + weight * SOURCE_WEIGHT[a.source]
        rows.append(
            {
                "user_id": a.user_id,
                "community_id": a.community_id,
                "topic": topic,
                "weight": weights[topic],
                "seed": a.seed,
                "source": a.source,
                "updated_at": max(now, since),
            }
        )
    if rows:
        await session.execute(_store_interests(session), rows)
    if a.item is not None:
        await cooccurrence.took(session, user_id=a.user_id, community_id=a.community_id, item=a.item, at=now)
    if (top := _top(weights)) != before:  # what the app may refresh on: the top has changed
        await emit(
            session,
            ProfileUpdated(user_id=a.user_id, community_id=a.community_id, top_interests=top),
            subject=a.user_id,
            community_id=a.community_id,
        )


def _top(weights: dict[str, float], n: int = 5) -> list[str]:
    return sorted(weights, key=lambda topic: weights[topic], reverse=True)[:n]


_OVERRIDES = select(TopicMapEntry.tag, TopicMapEntry.topics).where(
    TopicMapEntry.community_id == bindparam("community_id")
)


async def tag_overrides(session: AsyncSession, community_id: str) -> dict[str, list[str]]:
    rows = (await session.exec(_OVERRIDES, params={"community_id": community_id})).all()
    return {tag: list(topics) for tag, topics in rows}


async def topics_of_product(session: AsyncSession, community_id: str, tags: list[str]) -> dict[str, float]:
    """What a product's tags say in the community (its tag map read once per transaction: every
    purchase needs it)."""
    read = partial(tag_overrides, session, community_id)
    return topics_of_tags(tags, await transaction_memo.remembered(session, ("tag overrides", community_id), read))


async def profile_of(
    session: AsyncSession, *, principal: Principal, community_id: str, half_life_days: float, lang: str = "en"
) -> list[InterestPublic]:
    principal.require_member(community_id)
    now = utcnow()
    rows = (
        await session.exec(
            select(Interest).where(Interest.user_id == principal.user_id, Interest.community_id == community_id)
        )
    ).all()
    profile = [
        InterestPublic(
            topic=i.topic,
            label=label(i.topic, lang),
            weight=round(decayed(i.weight, i.updated_at, now, half_life_days), 3),
            because=because(i.source, i.seed, lang),
        )
        for i in rows
    ]
    return sorted(profile, key=lambda i: i.weight, reverse=True)


async def personalisation(session: AsyncSession, *, principal: Principal) -> Personalisation:
    return Personalisation(enabled=not await opted_out(session, principal.user_id))


async def set_personalisation(session: AsyncSession, *, principal: Principal, enabled: bool) -> Personalisation:
    """Off: the profile stops growing and recommendations stop using it; on again: it starts afresh
    from later events (nothing that happened meanwhile is replayed)."""
    opt_out = await session.get(OptOut, principal.user_id)
    if enabled and opt_out is not None:
        await session.delete(opt_out)
    elif not enabled and opt_out is None:
        session.add(OptOut(user_id=principal.user_id))
    return Personalisation(enabled=enabled)


async def forget(session: AsyncSession, *, principal: Principal) -> None:
    """Delete everything matching learnt about the resident, and stay switched off so it is not rebuilt."""
    await cooccurrence.forget(session, user_id=principal.user_id)
    await demand.forget(session, user_id=principal.user_id)
    await insights.forget(session, user_id=principal.user_id)
    await session.exec(delete(Interest).where(col(Interest.user_id) == principal.user_id))  # type: ignore[call-overload]
    await set_personalisation(session, principal=principal, enabled=False)


async def topic_map_of(session: AsyncSession, *, principal: Principal, community_id: str) -> TopicMap:
    principal.require_member(community_id)
    return TopicMap(tags={**topic_map(), **await tag_overrides(session, community_id)})


async def tune_topic_map(session: AsyncSession, *, principal: Principal, community_id: str, data: TopicMap) -> TopicMap:
    """A leader's reading of tags for their community: the tags given replace the shipped ones."""
    principal.require_role(community_id, LEADER)
    transaction_memo.forget(session, ("tag overrides", community_id))
    await session.exec(delete(TopicMapEntry).where(col(TopicMapEntry.community_id) == community_id))  # type: ignore[call-overload]
    for tag, topics in data.tags.items():
        session.add(TopicMapEntry(community_id=community_id, tag=tag, topics=list(dict.fromkeys(topics))))
    await session.flush()
    return await topic_map_of(session, principal=principal, community_id=community_id)
