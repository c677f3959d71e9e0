"""A room's sequencer: the one instance (holding the room's lease) that numbers its frames.

It answers requests on `liveroom.{id}.in` — chat, reactions, "this changed", snapshots — applying
the room's rules and its room-wide rate, renders state frames from the database after the change
was committed, folds every frame into the room state that snapshots are cut from, and publishes
the frames on `liveroom.{id}.out`. Viewer counts come from the instances' presence on
`liveroom.{id}.presence`. Reactions, viewer counts and tallies are coalesced: at most one frame of
each per `room_coalesce_seconds`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from services.livestream.room import render, sequence
from services.livestream.room.moderation import STAFF, Refusal, RoomRules
from services.livestream.room.protocol import Priority, dumps, encode
from services.livestream.room.ratelimit import Buckets, RoomAdmission
from services.livestream.room.state import RoomState
from services.livestream.settings import Settings
from shared.db import Database
from shared.logging import get_logger
from shared.models import new_id, utcnow

log = get_logger(__name__)

IDLE_SECONDS = 60.0  # a room with nobody in it and nothing happening is let go (the lease released)


def subject(session_id: str, kind: str) -> str:
    return f"liveroom.{session_id}.{kind}"


def refused(refusal: Refusal) -> dict[str, Any]:
    return {"error": refusal.code, "message": refusal.message, **refusal.extra}


class RoomSequencer:
    def __init__(
        self,
        *,
        session_id: str,
        nc: NATS,
        db: Database,
        settings: Settings,
        instance: str,
        seq: int,
        reserved: int,
        on_stop: Callable[[RoomSequencer], None],
    ) -> None:
        self.session_id, self.nc, self.db, self.settings, self.instance = session_id, nc, db, settings, instance
        self.seq, self.reserved = seq, reserved
        self.on_stop = on_stop
        self.state = RoomState(settings.room_messages)
        self.rules = RoomRules(
            chat=Buckets(settings.room_chat_rate, settings.room_chat_burst),
            reactions=Buckets(settings.room_react_rate, settings.room_react_burst),
            ask_seconds=settings.room_ask_seconds,
        )
        self.admission = RoomAdmission(settings.room_rate, settings.room_burst)
        self.presence: dict[str, tuple[float, dict[str, str]]] = {}  # instance → (when heard, user → role)
        self._reactions: Counter[str] = Counter()
        self._totals: Counter[str] = Counter()
        self._dirty: set[str] = set()
        self._lock = asyncio.Lock()  # a frame's number and its place on the wire go together
        self._subs: list[Subscription] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._active = time.monotonic()
        self._stopped = False
        self._snapshot: tuple[int, dict[str, Any]] = (-1, {})

    # ------------------------------------------------------------------ life

    async def start(self, history: list[tuple[str, dict[str, Any]]]) -> None:
        async with self.db.reader() as session:
            for type_, data in await render.load(session, self.session_id):
                self.state.apply(type_, data)
            await self._load_rules(session)
        for type_, data in history:  # chat lives only in the room: the instance's history seeds it
            if type_ in ("chat", "chat.deleted"):
                self.state.apply(type_, data)
        self._totals.update(self.state.reactions)
        self._subs = [
            await self.nc.subscribe(subject(self.session_id, "in"), cb=self._on_request),
            await self.nc.subscribe(subject(self.session_id, "presence"), cb=self._on_presence),
        ]
        await self._control({"ctl": "sync"})  # instances tell us who they serve at once
        self._tasks = [
            asyncio.create_task(self._lease_loop(), name=f"room-lease-{self.session_id}"),
            asyncio.create_task(self._flush_loop(), name=f"room-flush-{self.session_id}"),
        ]
        log.info("room sequencer started", session_id=self.session_id, seq=self.seq)

    async def stop(self, *, release: bool = True) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.on_stop(self)
        for sub in self._subs:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
        current = asyncio.current_task()
        for task in self._tasks:
            if task is not current:
                task.cancel()
        if release:
            with contextlib.suppress(Exception):
                await sequence.release(self.db, session_id=self.session_id, owner=self.instance)
        log.info("room sequencer stopped", session_id=self.session_id, seq=self.seq)

    async def _load_rules(self, session: Any) -> None:
        rules = await render.rules(session, self.session_id)
        self.rules.slow_mode_seconds = rules.slow_mode_seconds
        self.rules.blocked_words, self.rules.lead_keywords = rules.blocked_words, rules.lead_keywords
        self.rules.muted, self.rules.removed = rules.muted, rules.removed

    # ------------------------------------------------------------------ publishing

    async def _emit(self, type_: str, data: dict[str, Any]) -> int:
        async with self._lock:
            if self.seq >= self.reserved:  # never happens at human rates; the lease loop reserves ahead
                reserved = await sequence.renew(
                    self.db,
                    session_id=self.session_id,
                    owner=self.instance,
                    ttl=self.settings.room_lease_seconds,
                    reserve=True,
                )
                if reserved is None:
                    raise RuntimeError("the room's lease was lost")
                self.reserved = reserved
            self.seq += 1
            self.state.apply(type_, data)
            await self.nc.publish(subject(self.session_id, "out"), encode(type_, data, self.seq).encode())
            return self.seq

    async def _control(self, order: dict[str, Any]) -> None:
        """An unsequenced order to the instances, on the same subject so it keeps its place among the frames."""
        await self.nc.publish(subject(self.session_id, "out"), dumps(order).encode())

    async def _render(self, key: str) -> int | None:
        async with self.db.reader() as session:
            frame = await render.render(session, self.session_id, key)
            if key == "room":
                await self._load_rules(session)
        if frame is None:
            return None
        return await self._emit(*frame)

    # ------------------------------------------------------------------ requests

    async def _on_request(self, msg: Msg) -> None:
        try:
            reply = await self.handle(json.loads(msg.data))
        except Exception as exc:
            log.exception("room request failed", session_id=self.session_id)
            reply = {"error": "unavailable", "message": exc.__class__.__name__}
        with contextlib.suppress(Exception):
            await msg.respond(dumps(reply).encode())

    async def handle(self, op: dict[str, Any]) -> dict[str, Any]:
        self._active = time.monotonic()
        match op.get("op"):
            case "snapshot":
                if self._snapshot[0] != self.seq:  # a burst of joins between two frames shares one
                    self._snapshot = (self.seq, self.state.snapshot())
                return {"seq": self.seq, "state": self._snapshot[1]}
            case "chat":
                return await self._chat(op)
            case "react":
                return self._react(op)
            case "ask":
                refusal = self.rules.check_ask(
                    user_id=op["user_id"], role=op["role"], now=utcnow(), clock=time.monotonic()
                )
                return refused(refusal) if refusal else {}
            case "changed":
                if op.get("urgent", True):
                    return {"seq": await self._render(op["key"])}
                self._dirty.add(op["key"])
                return {}
            case "message":
                message = self.state.message(op["id"])
                return {"message": message} if message else {"error": "not_found", "message": "no such recent message"}
            case "delete_message":
                if self.state.message(op["id"]) is None:
                    return {"error": "not_found", "message": "no such recent message"}
                return {"seq": await self._emit("chat.deleted", {"id": op["id"]})}
            case "mute":
                until = datetime.fromisoformat(op["until"]) if op.get("until") else None
                if until is None:
                    self.rules.muted.pop(op["user_id"], None)
                else:
                    self.rules.muted[op["user_id"]] = until
                notice = {"kind": "muted", "until": op["until"]} if until else {"kind": "unmuted"}
                await self._control({"ctl": "notice", "user_id": op["user_id"], "frame": encode("notice", notice)})
                return {}
            case "remove":
                self.rules.removed.add(op["user_id"])
                await self._control({"ctl": "kick", "user_id": op["user_id"]})
                return {}
            case "present":
                return {"users": self._present()}
            case "end":
                seq = await self._render("session")
                await self._control({"ctl": "end"})
                self._tasks.append(asyncio.create_task(self.stop()))  # after this reply
                return {"seq": seq}
        return {"error": "invalid", "message": f"unknown op {op.get('op')!r}"}

    async def _chat(self, op: dict[str, Any]) -> dict[str, Any]:
        clock = time.monotonic()
        user_id, role, text = op["user_id"], op["role"], op["text"]
        refusal = self.rules.check_chat(user_id=user_id, role=role, text=text, now=utcnow(), clock=clock)
        if refusal:
            return refused(refusal)
        if role not in STAFF and not self.admission.admit(Priority.chat):
            return {"error": "busy", "message": "the room is busy; try again in a moment"}
        message = {"id": new_id()[:16], "user_id": user_id, "name": op["name"], "role": role, "text": text}
        seq = await self._emit("chat", message)
        self.rules.sent_chat(user_id, clock)
        return {"seq": seq, "id": message["id"], "lead_keyword": self.rules.lead_keyword(text)}

    def _react(self, op: dict[str, Any]) -> dict[str, Any]:
        if refusal := self.rules.check_react(op["user_id"]):
            return refused(refusal)
        if not self.admission.admit(Priority.reaction):
            return {"error": "busy", "message": "the room is busy"}
        self._reactions[op["kind"]] += 1
        return {}

    # ------------------------------------------------------------------ presence and coalesced frames

    async def _on_presence(self, msg: Msg) -> None:
        with contextlib.suppress(ValueError, KeyError):
            report = json.loads(msg.data)
            self.presence[report["instance"]] = (time.monotonic(), dict(report["users"]))

    def _present(self) -> dict[str, str]:
        users: dict[str, str] = {}
        for _, reported in self.presence.values():
            users.update(reported)
        return users

    async def _flush_loop(self) -> None:
        while not self._stopped:
            await asyncio.sleep(self.settings.room_coalesce_seconds)
            try:
                await self._flush()
            except Exception:
                log.exception("room flush failed", session_id=self.session_id)

    async def _flush(self) -> None:
        now = time.monotonic()
        stale = now - 3 * self.settings.room_presence_seconds
        for instance in [i for i, (heard, _) in self.presence.items() if heard < stale]:
            del self.presence[instance]  # an instance that stopped reporting has died
        present = self._present()
        count, peak = len(present), self.state.viewers["peak"]
        if count != self.state.viewers["count"]:
            await self._emit("viewers", {"count": count, "peak": max(peak, count)})
            if count > peak:
                await render.record_peak(self.db, self.session_id, count)
        if self._reactions:
            counts, self._reactions = dict(self._reactions), Counter()
            self._totals.update(counts)
            await self._emit("reactions", {"counts": counts, "totals": dict(self._totals)})
        dirty, self._dirty = self._dirty, set()
        for key in sorted(dirty):
            await self._render(key)
        if present or dirty:
            self._active = now
        elif now - self._active > IDLE_SECONDS:
            await self.stop()

    async def _lease_loop(self) -> None:
        ttl = self.settings.room_lease_seconds
        while True:
            await asyncio.sleep(ttl / 4)
            try:
                reserved = await sequence.renew(
                    self.db,
                    session_id=self.session_id,
                    owner=self.instance,
                    ttl=ttl,
                    reserve=self.seq > self.reserved - sequence.BLOCK // 2,
                )
            except Exception:
                log.exception("room lease renewal failed", session_id=self.session_id)
                continue
            if reserved is None:
                log.warning("room lease lost; another instance sequences the room", session_id=self.session_id)
                await self.stop(release=False)
                return
            self.reserved = reserved
