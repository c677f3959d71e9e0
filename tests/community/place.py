"""A community of one's own in a real, migrated database, for tests of community's service functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from services.community.communities import service as communities
from services.community.events import service as events
from services.community.events.models import EventCreate, OfflineEvent
from shared.auth import RESIDENT, Principal
from shared.db import Database
from shared.models import new_id
from tests import factories

HOLD = timedelta(minutes=30)  # how long a seat at an event with a fee waits for its payment


@dataclass
class Place:
    db: Database
    community_id: str
    leader: Principal

    async def residents(self, n: int) -> list[Principal]:
        """`n` new members (community checks its memberships, not only the token's roles)."""
        people = [Principal(user_id=new_id(), roles={self.community_id: [RESIDENT]}) for _ in range(n)]
        async with self.db.session() as session:
            for person in people:
                await communities.add_member(
                    session, community_id=self.community_id, user_id=person.user_id, role=RESIDENT
                )
            await session.commit()
        return people

    async def event(self, **overrides: Any) -> OfflineEvent:
        body = factories.event_body(**overrides)
        async with self.db.session() as session:
            event = await events.create_event(
                session, principal=self.leader, community_id=self.community_id, data=EventCreate.model_validate(body)
            )
            await session.commit()
        return event
