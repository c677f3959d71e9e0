"""State frames rendered from the database, by key: what the sequencer publishes after a change was
committed ("cards", "card:<id>", "poll:<id>", …) and what it loads when it takes a room over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.livestream.cards import service as cards
from services.livestream.cards.models import Card
from services.livestream.giveaways import service as giveaways
from services.livestream.giveaways.models import Giveaway
from services.livestream.guests import service as guests
from services.livestream.highlights.models import Highlight
from services.livestream.moderation import service as moderation
from services.livestream.polls import service as polls
from services.livestream.polls.models import Poll
from services.livestream.questions import service as questions
from services.livestream.questions.models import Question
from services.livestream.room.protocol import jsonable
from services.livestream.sessions import service as sessions
from services.livestream.sessions.models import LiveSession
from shared.db import Database

Frame = tuple[str, dict[str, Any]]


async def render(session: AsyncSession, session_id: str, key: str) -> Frame | None:
    """The frame for `key`, or None if what it names is gone."""
    live = await session.get(LiveSession, session_id)
    if live is None:
        return None
    kind, _, id_ = key.partition(":")
    data: Any = None
    match kind:
        case "session":
            data = sessions.render_session(live)
        case "room":
            data = sessions.render_room(live)
        case "pinned_message":
            data = {"message": live.pinned_message}
        case "cards":
            data = await cards.render_cards(session, live)
        case "card":
            card = await session.get(Card, id_)
            data = (
                {"card": await cards.render_card(session, live, card)} if card and card.session_id == live.id else None
            )
        case "guests":
            data = await guests.render_on_air(session, live)
        case "poll":
            poll = await session.get(Poll, id_)
            data = (
                (await polls.render_poll(session, poll)).model_dump() if poll and poll.session_id == live.id else None
            )
        case "question":
            question = await session.get(Question, id_)
            if question and question.session_id == live.id:
                data = (await questions.render_question(session, question)).model_dump(exclude={"answers"})
        case "giveaway":
            giveaway = await session.get(Giveaway, id_)
            if giveaway and giveaway.session_id == live.id:
                data = (await giveaways.render_giveaway(session, giveaway)).model_dump()
        case "highlight":
            highlight = await session.get(Highlight, id_)
            if highlight and highlight.session_id == live.id:
                data = {"id": highlight.id, "title": highlight.title, "offset_seconds": highlight.offset_seconds}
    return None if data is None else (kind, jsonable(data))


async def load(session: AsyncSession, session_id: str) -> list[Frame]:
    """Every state frame of the room, as a new sequencer starts from."""
    keys = ["session", "room", "pinned_message", "cards", "guests"]
    keys += [f"poll:{p.id}" for p in await polls.polls_of(session, session_id)]
    keys += [f"question:{q.id}" for q in await questions.questions_of(session, session_id)]
    if (giveaway := await giveaways.latest(session, session_id)) is not None:
        keys.append(f"giveaway:{giveaway.id}")
    frames = [await render(session, session_id, key) for key in keys]
    return [f for f in frames if f is not None]


@dataclass
class Rules:
    slow_mode_seconds: int
    blocked_words: list[str]
    lead_keywords: list[str]
    muted: dict[str, datetime]
    removed: set[str]


async def rules(session: AsyncSession, session_id: str) -> Rules:
    live = await sessions.get(session, session_id)
    muted, removed = await moderation.current(session, session_id)
    return Rules(live.slow_mode_seconds, list(live.blocked_words), list(live.lead_keywords), muted, removed)


async def record_peak(db: Database, session_id: str, peak: int) -> None:
    await sessions.record_peak(db, session_id, peak)
