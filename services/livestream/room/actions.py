"""What a viewer's frames do. Chat and reactions go to the room's sequencer (rules, rates, numbering);
votes, questions, upvotes and "I need this" are written to the database here, committed, and the
sequencer is told what changed. Refusals come back to the viewer as `error` frames."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.livestream.leads import service as leads
from services.livestream.polls import service as polls
from services.livestream.questions import service as questions
from services.livestream.room.connections import Connection
from services.livestream.room.hub import RoomHub
from services.livestream.room.protocol import ClientFrame, FrameType, encode, error
from services.livestream.sessions import service as sessions
from shared.db import Database
from shared.errors import Problem


@dataclass
class Viewer:
    session_id: str
    conn: Connection
    hub: RoomHub
    db: Database

    def ack(self, frame: ClientFrame, **data: Any) -> None:
        if frame.id is not None:
            self.conn.offer(None, encode("ack", {"id": frame.id, **data}))

    def refuse(self, frame: ClientFrame, code: str, message: str, **extra: Any) -> None:
        self.conn.offer(None, error(code, message, frame.id, **extra))


async def handle(frame: ClientFrame, viewer: Viewer) -> None:
    try:
        await _handle(frame, viewer)
    except Problem as problem:
        viewer.refuse(frame, problem.slug.replace("-", "_"), problem.detail)


async def _sequencer(frame: ClientFrame, viewer: Viewer, op: dict[str, Any]) -> dict[str, Any] | None:
    """Ask the sequencer; None (after telling the viewer why) if it refused."""
    conn = viewer.conn
    reply = await viewer.hub.call(
        viewer.session_id, {**op, "user_id": conn.user_id, "name": conn.name, "role": conn.role}
    )
    if "error" not in reply:
        return reply
    if frame.type != FrameType.react or frame.id is not None:  # a refused reaction without an id is dropped quietly
        extra = {k: v for k, v in reply.items() if k not in ("error", "message")}
        viewer.refuse(frame, reply["error"], reply.get("message", ""), **extra)
    return None


async def _handle(frame: ClientFrame, viewer: Viewer) -> None:
    data, conn, sid = frame.data, viewer.conn, viewer.session_id
    match frame.type:
        case FrameType.ping:
            conn.offer(None, encode("pong", {}))
        case FrameType.chat:
            reply = await _sequencer(frame, viewer, {"op": "chat", "text": data.text})
            if reply is None:
                return
            viewer.ack(frame, seq=reply["seq"], message_id=reply["id"])
            if keyword := reply.get("lead_keyword"):
                async with viewer.db.session() as session:
                    live = await sessions.get(session, sid)
                    lead, new = await leads.capture_keyword(
                        session,
                        principal=conn.principal,
                        live=live,
                        keyword=keyword,
                        consent=data.consent,
                        text=data.text,
                    )
                    await session.commit()
                if new:
                    conn.offer(
                        None, encode("notice", {"kind": "lead_captured", "lead_id": lead.id, "keyword": keyword})
                    )
        case FrameType.react:
            if await _sequencer(frame, viewer, {"op": "react", "kind": data.kind}) is not None:
                viewer.ack(frame)
        case FrameType.vote:
            async with viewer.db.session() as session:
                live = await sessions.get(session, sid)
                await polls.vote(
                    session, principal=conn.principal, live=live, poll_id=data.poll_id, option_ids=data.option_ids
                )
                await session.commit()
            await viewer.hub.changed(sid, f"poll:{data.poll_id}", urgent=False)
            viewer.ack(frame)
        case FrameType.ask:
            if await _sequencer(frame, viewer, {"op": "ask"}) is None:
                return
            async with viewer.db.session() as session:
                live = await sessions.get(session, sid)
                question = await questions.ask(
                    session, principal=conn.principal, live=live, text=data.text, card_id=data.card_id
                )
                await session.commit()
            await viewer.hub.changed(sid, f"question:{question.id}")
            viewer.ack(frame, question_id=question.id)
        case FrameType.upvote:
            async with viewer.db.session() as session:
                live = await sessions.get(session, sid)
                await questions.upvote(session, principal=conn.principal, live=live, question_id=data.question_id)
                await session.commit()
            await viewer.hub.changed(sid, f"question:{data.question_id}", urgent=False)
            viewer.ack(frame)
        case FrameType.need:
            async with viewer.db.session() as session:
                live = await sessions.get(session, sid)
                lead, new = await leads.capture_need(
                    session,
                    principal=conn.principal,
                    live=live,
                    card_id=data.card_id,
                    consent=data.consent,
                    note=data.note,
                )
                await session.commit()
            viewer.ack(frame, lead_id=lead.id, new=new)
            if new:
                conn.offer(
                    None, encode("notice", {"kind": "lead_captured", "lead_id": lead.id, "card_id": data.card_id})
                )
