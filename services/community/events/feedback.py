"""After the event: feedback (a rating, a comment, photos) from the people who were checked in,
one each; everyone in the community may read it."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.communities.service import display_names
from services.community.events import access
from services.community.events.models import (
    CHECKED_IN,
    Feedback,
    FeedbackCreate,
    FeedbackPublic,
    FeedbackSummary,
)
from services.community.events.registration import mine
from shared.auth import Principal
from shared.bus import emit
from shared.errors import Conflict, Forbidden
from shared.events.schemas.community import OfflineEventFeedbackPosted


async def post(session: AsyncSession, *, principal: Principal, event_id: str, data: FeedbackCreate) -> FeedbackPublic:
    event = await access.visible_event(session, principal=principal, event_id=event_id)
    registration = await mine(session, event_id=event.id, user_id=principal.user_id)
    if registration is None or registration.status != CHECKED_IN:
        raise Forbidden("only people who were checked in at this event may give feedback on it")
    existing = (
        await session.exec(select(Feedback).where(Feedback.event_id == event.id, Feedback.user_id == principal.user_id))
    ).first()
    if existing is not None:
        raise Conflict("you already gave feedback on this event", feedback_id=existing.id)
    feedback = Feedback(
        **data.model_dump(), event_id=event.id, community_id=event.community_id, user_id=principal.user_id
    )
    session.add(feedback)
    await emit(
        session,
        OfflineEventFeedbackPosted(
            feedback_id=feedback.id,
            event_id=event.id,
            community_id=event.community_id,
            user_id=principal.user_id,
            rating=feedback.rating,
        ),
        subject=event.id,
        community_id=event.community_id,
        actor_id=principal.user_id,
    )
    return (await _public(session, event.community_id, [feedback]))[0]


async def summary(session: AsyncSession, *, principal: Principal, event_id: str) -> FeedbackSummary:
    event = await access.visible_event(session, principal=principal, event_id=event_id)
    rows = (
        await session.exec(
            select(Feedback).where(Feedback.event_id == event.id).order_by(col(Feedback.created_at), col(Feedback.id))
        )
    ).all()
    items = await _public(session, event.community_id, list(rows))
    average = round(sum(f.rating for f in rows) / len(rows), 2) if rows else None
    return FeedbackSummary(count=len(rows), average_rating=average, items=items)


async def _public(session: AsyncSession, community_id: str, rows: list[Feedback]) -> list[FeedbackPublic]:
    names = await display_names(session, community_id=community_id, user_ids=[f.user_id for f in rows])
    return [FeedbackPublic.model_validate({**f.model_dump(), "name": names[f.user_id]}) for f in rows]
