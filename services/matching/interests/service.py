"""Interest profiles, built from events."""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.matching.interests.models import Interest, InterestPublic, Purchase
from services.matching.interests.rules import decayed, topics_of_purchase
from shared.auth import Principal
from shared.bus import emit
from shared.events.schemas.matching import ProfileUpdated
from shared.models import utcnow


async def record_purchase(
    session: AsyncSession,
    *,
    user_id: str,
    community_id: str,
    deal_id: str,
    product_name: str,
    tags: list[str],
) -> None:
    now = utcnow()
    existing = {
        i.topic: i
        for i in (
            await session.exec(
                select(Interest).where(Interest.user_id == user_id, Interest.community_id == community_id)
            )
        ).all()
    }
    for topic, weight in topics_of_purchase(tags).items():
        interest = existing.get(topic) or Interest(
            user_id=user_id, community_id=community_id, topic=topic, weight=0.0, seed=product_name
        )
        interest.weight = decayed(interest.weight, interest.updated_at, now) + weight
        interest.seed, interest.updated_at = product_name, now
        existing[topic] = interest
        session.add(interest)
    bought = (
        await session.exec(select(Purchase).where(Purchase.user_id == user_id, Purchase.deal_id == deal_id))
    ).first()
    if bought is None:
        session.add(Purchase(user_id=user_id, community_id=community_id, deal_id=deal_id))
    top = sorted(existing.values(), key=lambda i: i.weight, reverse=True)[:5]
    await emit(
        session,
        ProfileUpdated(user_id=user_id, community_id=community_id, top_interests=[i.topic for i in top]),
        subject=user_id,
        community_id=community_id,
    )


async def profile_of(session: AsyncSession, *, principal: Principal, community_id: str) -> list[InterestPublic]:
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
            weight=round(decayed(i.weight, i.updated_at, now), 3),
            because=f"you bought {i.seed}",
        )
        for i in rows
    ]
    return sorted(profile, key=lambda i: i.weight, reverse=True)
