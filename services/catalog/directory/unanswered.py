"""A search that found nothing tells matching what the directory lacks: `catalog.search.unanswered`,
at most once per person, community and search a day. The event's id is derived from those, so the
outbox's unique event id is the once-a-day check: one insert on the empty answer, nothing else."""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.auth import Principal
from shared.bus import emit_once
from shared.events.schemas.catalog import SearchUnanswered
from shared.models import utcnow

_IDS = uuid.UUID("6f1d0c3e-7f3b-4d7a-9a51-3c0e7c1d2b90")  # the namespace of these events' ids


async def record(
    session: AsyncSession, *, principal: Principal, community_id: str, category: str | None, q: str | None
) -> None:
    words = " ".join(q.lower().split()) if q else None
    key = f"{principal.user_id}|{community_id}|{category or ''}|{words or ''}|{utcnow().date().isoformat()}"
    await emit_once(
        session,
        SearchUnanswered(community_id=community_id, user_id=principal.user_id, category=category, q=words),
        id_=str(uuid.uuid5(_IDS, key)),
        subject=community_id,
        community_id=community_id,
        actor_id=principal.user_id,
    )
