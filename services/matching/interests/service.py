"""Interest profiles, built from events; what a resident sees of theirs and how they switch it off."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.matching.demand import service as demand
from services.matching.insights import service as insights
from services.matching.interests import cooccurrence
from services.matching.interests.models import (
    Interaction,
    Interest,
    InterestPublic,
    OptOut,
    Personalisation,
    Source,
    TopicMap,
    TopicMapEntry,
)
from services.matching.interests.rules import SOURCE_WEIGHT, because, decayed, label, topic_map, topics_of_tags
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


async def opted_out(session: AsyncSession, user_id: str) -> bool:
    return await session.get(OptOut, user_id) is not None


async def record(session: AsyncSession, activity: Activity, *, half_life_days: float) -> None:
    """Add an activity to the resident's profile and to the neighbours' counts (unless they opted out).

    Every event a resident causes comes through here, so it reads plain columns and writes with one
    upsert per table, rather than through ORM objects whose unit-of-work bookkeeping cost more than
    the statements themselves."""
    a = activity
    if await opted_out(session, a.user_id):
        return
    now = a.at or utcnow()
    stored = {
        topic: (weight, since)
        for topic, weight, since in (
            await session.exec(
                select(Interest.topic, Interest.weight, Interest.updated_at).where(
                    Interest.user_id == a.user_id, Interest.community_id == a.community_id
                )
            )
        ).all()
    }
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
        interests = upsert(session, Interest)
        changed = {c: interests.excluded[c] for c in ("weight", "seed", "source", "updated_at")}
        await session.execute(
            interests.on_conflict_do_update(index_elements=["user_id", "community_id", "topic"], set_=changed), rows
        )
    if a.item is not None:
        mine = (
            await session.exec(
                select(Interaction.item).where(
                    Interaction.user_id == a.user_id, Interaction.community_id == a.community_id
                )
            )
        ).all()
        if a.item not in mine:
            await cooccurrence.took(session, community_id=a.community_id, item=a.item, others=list(mine))
            await session.execute(
                insert(Interaction).values(user_id=a.user_id, community_id=a.community_id, item=a.item, at=now)
            )
    if (top := _top(weights)) != before:  # what the app may refresh on: the top has changed
        await emit(
            session,
            ProfileUpdated(user_id=a.user_id, community_id=a.community_id, top_interests=top),
            subject=a.user_id,
            community_id=a.community_id,
        )


def _top(weights: dict[str, float], n: int = 5) -> list[str]:
    return sorted(weights, key=lambda topic: weights[topic], reverse=True)[:n]


async def tag_overrides(session: AsyncSession, community_id: str) -> dict[str, list[str]]:
    rows = (await session.exec(select(TopicMapEntry).where(TopicMapEntry.community_id == community_id))).all()
    return {r.tag: r.topics for r in rows}


async def topics_of_product(session: AsyncSession, community_id: str, tags: list[str]) -> dict[str, float]:
    return topics_of_tags(tags, await tag_overrides(session, community_id))


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
    await session.exec(delete(Interaction).where(col(Interaction.user_id) == principal.user_id))  # type: ignore[call-overload]
    await session.exec(delete(Interest).where(col(Interest.user_id) == principal.user_id))  # type: ignore[call-overload]
    await set_personalisation(session, principal=principal, enabled=False)


async def topic_map_of(session: AsyncSession, *, principal: Principal, community_id: str) -> TopicMap:
    principal.require_member(community_id)
    return TopicMap(tags={**topic_map(), **await tag_overrides(session, community_id)})


async def tune_topic_map(session: AsyncSession, *, principal: Principal, community_id: str, data: TopicMap) -> TopicMap:
    """A leader's reading of tags for their community: the tags given replace the shipped ones."""
    principal.require_role(community_id, LEADER)
    await session.exec(delete(TopicMapEntry).where(col(TopicMapEntry.community_id) == community_id))  # type: ignore[call-overload]
    for tag, topics in data.tags.items():
        session.add(TopicMapEntry(community_id=community_id, tag=tag, topics=list(dict.fromkeys(topics))))
    await session.flush()
    return await topic_map_of(session, principal=principal, community_id=community_id)
