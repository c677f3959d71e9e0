"""Who is in a live room now and the cards the host may show: what the gateway gives matching to rank
the cards by (the host's hint). For the host, the community's leaders and moderators; a session of a
community the caller is not in does not exist for them.

The people in the room are the instances' presence (`liveroom.{id}.presence`, each instance's users):
asked for at once with the room's `sync` order, and gathered for a short while, since any number of
instances may serve the room and each answers for itself."""

import asyncio
import json

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from pydantic import BaseModel
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.livestream.cards.models import Card, CardKind
from services.livestream.room.fanout import PRESENCE_DEBOUNCE
from services.livestream.room.protocol import dumps
from services.livestream.room.sequencer import subject
from services.livestream.sessions import service as sessions
from shared.auth import Principal
from shared.errors import NotFound

GATHER_SECONDS = PRESENCE_DEBOUNCE + 0.25  # the instances answer a sync after their debounce
HINTED = (CardKind.service, CardKind.event, CardKind.deal)


class AudienceCard(BaseModel):
    kind: str
    ref_id: str
    title: str | None  # what the host said of an event livestream has not heard of


class Audience(BaseModel):
    session_id: str
    community_id: str
    viewer_ids: list[str]
    candidates: list[AudienceCard]


async def audience(session: AsyncSession, nc: NATS, *, principal: Principal, session_id: str) -> Audience:
    live = await sessions.get(session, session_id)
    if not principal.operator and not principal.roles_in(live.community_id):
        raise NotFound(f"live session {session_id} does not exist")
    sessions.require_staff(live, principal)
    cards = (
        await session.exec(
            select(Card).where(Card.session_id == live.id, col(Card.kind).in_(HINTED)).order_by(col(Card.position))
        )
    ).all()
    present = await _present(nc, live.id)
    present.discard(live.host_id)
    return Audience(
        session_id=live.id,
        community_id=live.community_id,
        viewer_ids=sorted(present),
        candidates=[AudienceCard(kind=c.kind, ref_id=c.ref_id, title=c.details.get("title")) for c in cards],
    )


async def _present(nc: NATS, session_id: str) -> set[str]:
    reports: dict[str, dict[str, str]] = {}

    async def heard(msg: Msg) -> None:
        try:
            report = json.loads(msg.data)
            reports[report["instance"]] = dict(report["users"])
        except (ValueError, KeyError, TypeError):
            return

    sub = await nc.subscribe(subject(session_id, "presence"), cb=heard)
    try:
        await nc.publish(subject(session_id, "out"), dumps({"ctl": "sync"}).encode())
        await asyncio.sleep(GATHER_SECONDS)
    finally:
        await sub.unsubscribe()
    return {user for users in reports.values() for user in users}
