"""Demand signals per community × category, and the announcement when one reaches its threshold."""

from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.matching.demand.models import DemandAlert, DemandPublic, DemandSignal
from services.matching.demand.rules import DemandRules, residents
from services.matching.recommendations.models import ListingView, OfferingView
from shared.auth import LEADER, PROPERTY_MANAGER, Principal
from shared.bus import emit
from shared.events.schemas.matching import DemandThresholdReached, SuggestedProvider

SUGGESTED = 3


async def record_signal(
    session: AsyncSession,
    *,
    rules: DemandRules,
    community_id: str,
    category: str,
    source: str,
    source_id: str,
    at: datetime,
    user_id: str | None = None,
    residents_: int = 1,
) -> None:
    session.add(
        DemandSignal(
            community_id=community_id,
            category=category,
            user_id=user_id,
            residents=residents_,
            source=source,
            source_id=source_id,
            at=at,
        )
    )
    await session.flush()
    window_start = rules.window_start(at)
    count = await demand_in(session, community_id=community_id, category=category, since=window_start)
    threshold = rules.threshold(category)
    if count < threshold:
        return
    announced = (
        await session.exec(
            select(DemandAlert.id).where(
                DemandAlert.community_id == community_id,
                DemandAlert.category == category,
                DemandAlert.window_start == window_start,
            )
        )
    ).first()
    if announced is not None:
        return
    session.add(
        DemandAlert(community_id=community_id, category=category, window_start=window_start, residents=count, at=at)
    )
    await emit(
        session,
        DemandThresholdReached(
            community_id=community_id,
            category=category,
            residents=count,
            threshold=threshold,
            window_start=window_start,
            window_days=rules.window_days,
            suggested_providers=await suggested_providers(session, community_id=community_id, category=category),
        ),
        subject=f"{community_id}:{category}",
        community_id=community_id,
    )


async def forget(session: AsyncSession, *, user_id: str) -> None:
    """Drop the signals a resident gave (counts already announced stay announced)."""
    await session.exec(delete(DemandSignal).where(col(DemandSignal.user_id) == user_id))  # type: ignore[call-overload]


async def demand_in(session: AsyncSession, *, community_id: str, category: str, since: datetime) -> int:
    signals = (
        await session.exec(
            select(DemandSignal.user_id, DemandSignal.residents).where(
                DemandSignal.community_id == community_id,
                DemandSignal.category == category,
                col(DemandSignal.at) >= since,
            )
        )
    ).all()
    return residents({u for u, _ in signals if u is not None}, [n for u, n in signals if u is None])


async def suggested_providers(session: AsyncSession, *, community_id: str, category: str) -> list[SuggestedProvider]:
    """Offerings of the category by providers listed in the community, best rated first."""
    offerings = (
        await session.exec(
            select(OfferingView)
            .join(ListingView, col(ListingView.provider_id) == col(OfferingView.provider_id))
            .where(
                ListingView.community_id == community_id,
                ListingView.state == "listed",
                OfferingView.category == category,
                col(OfferingView.active),
            )
        )
    ).all()

    def rating(o: OfferingView) -> float | None:
        return round(o.rating_sum / o.rating_count, 2) if o.rating_count else None

    ranked = sorted(offerings, key=lambda o: (rating(o) or 0.0, o.rating_count), reverse=True)[:SUGGESTED]
    return [
        SuggestedProvider(provider_id=o.provider_id, offering_id=o.id, name=o.name, rating=rating(o)) for o in ranked
    ]


async def demand_of(
    session: AsyncSession, *, principal: Principal, community_id: str, rules: DemandRules, now: datetime
) -> list[DemandPublic]:
    """The community's demand in the current window, biggest first (leaders and property managers)."""
    principal.require_role(community_id, LEADER, PROPERTY_MANAGER)
    since = rules.window_start(now)
    categories = (
        await session.exec(
            select(DemandSignal.category)
            .where(DemandSignal.community_id == community_id, col(DemandSignal.at) >= since)
            .distinct()
        )
    ).all()
    found = [
        DemandPublic(
            category=c,
            residents=await demand_in(session, community_id=community_id, category=c, since=since),
            threshold=rules.threshold(c),
        )
        for c in categories
    ]
    return sorted(found, key=lambda d: d.residents, reverse=True)
