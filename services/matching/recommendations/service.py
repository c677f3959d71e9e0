"""Recommendations for a resident in a community, from matching's read models."""

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.matching.interests.models import Interest, Purchase
from services.matching.interests.rules import decayed, topics_of_tags
from services.matching.recommendations.models import DealView, Recommendation, SessionView
from services.matching.recommendations.rules import Candidate, Profile, rank
from shared.auth import Principal
from shared.models import utcnow


async def remember_deal(
    session: AsyncSession,
    *,
    deal_id: str,
    community_id: str,
    title: str,
    tags: list[str],
    closes_at: datetime,
) -> None:
    await session.merge(
        DealView(
            id=deal_id,
            community_id=community_id,
            title=title,
            tags=tags,
            closes_at=closes_at,
            published_at=utcnow(),
        )
    )


async def remember_session(
    session: AsyncSession,
    *,
    session_id: str,
    community_id: str,
    title: str,
    topics: list[str],
    planned_start: datetime,
) -> None:
    await session.merge(
        SessionView(
            id=session_id,
            community_id=community_id,
            title=title,
            topics=topics,
            planned_start=planned_start,
            published_at=utcnow(),
        )
    )


async def recommend(
    session: AsyncSession, *, principal: Principal, community_id: str, limit: int
) -> list[Recommendation]:
    principal.require_member(community_id)
    now = utcnow()
    user_id = principal.user_id
    interests = (
        await session.exec(select(Interest).where(Interest.user_id == user_id, Interest.community_id == community_id))
    ).all()
    profile = Profile(
        weights={i.topic: decayed(i.weight, i.updated_at, now) for i in interests},
        seeds={i.topic: i.seed for i in interests},
    )
    mine = select(Purchase.deal_id).where(Purchase.user_id == user_id)
    buyers = dict(
        (
            await session.exec(
                select(Purchase.deal_id, func.count(col(Purchase.user_id)))
                .where(Purchase.community_id == community_id)
                .group_by(col(Purchase.deal_id))
            )
        ).all()
    )
    deals = (
        await session.exec(
            select(DealView).where(
                DealView.community_id == community_id,
                col(DealView.closes_at) > now,
                col(DealView.id).not_in(mine),
            )
        )
    ).all()
    sessions = (
        await session.exec(
            select(SessionView).where(SessionView.community_id == community_id, col(SessionView.planned_start) > now)
        )
    ).all()
    candidates = [
        Candidate("deal", d.id, d.title, frozenset(topics_of_tags(d.tags)), d.published_at, buyers.get(d.id, 0))
        for d in deals
    ] + [Candidate("session", s.id, s.title, frozenset(s.topics), s.published_at) for s in sessions]
    return rank(candidates, profile, now=now, limit=limit)
