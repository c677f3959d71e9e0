"""A room as one instance serves it: its subscription to the room's frames, the recent history that
reconnecting viewers recover from, the connections it fans frames out to, and the presence it
reports to the sequencer (the people it serves, each once however many tabs they have open)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from typing import Any

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from services.livestream.room.connections import Connection, Outlet
from services.livestream.room.protocol import ENDED, REMOVED
from services.livestream.room.sequencer import subject
from services.livestream.settings import Settings
from shared.logging import get_logger

log = get_logger(__name__)

PRESENCE_DEBOUNCE = 0.05


class RoomFeed:
    def __init__(self, *, session_id: str, nc: NATS, settings: Settings, instance: str) -> None:
        self.session_id, self.nc, self.settings, self.instance = session_id, nc, settings, instance
        self.history: deque[tuple[int, str, dict[str, Any], str]] = deque(maxlen=settings.room_history_size)
        self.last_seq = 0
        self.connections: set[Connection] = set()
        # Where a frame is offered: each direct viewer, and each gateway link once for all its viewers
        # (with how many of this room's viewers it carries).
        self.outlets: dict[Outlet, int] = {}
        self.removed: set[str] = set()
        self.empty_since: float | None = time.monotonic()
        self._sub: Subscription | None = None
        self._presence: asyncio.Task[None] | None = None
        self._presence_due = asyncio.Event()

    async def start(self) -> None:
        self._sub = await self.nc.subscribe(subject(self.session_id, "out"), cb=self._on_message)
        self._presence = asyncio.create_task(self._report_presence(), name=f"room-presence-{self.session_id}")

    async def stop(self) -> None:
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
        if self._presence is not None:
            self._presence.cancel()
        with contextlib.suppress(Exception):
            await self._publish_presence({})

    # ------------------------------------------------------------------ frames in

    async def _on_message(self, msg: Msg) -> None:
        text = msg.data.decode()
        frame = json.loads(text)
        if "ctl" in frame:
            await self._control(frame)
            return
        seq = frame["seq"]
        if seq <= self.last_seq:  # from a sequencer that has just lost the room's lease
            return
        if self.last_seq and seq != self.last_seq + 1:
            self.history.clear()  # a jump (a new sequencer): recovery across it cannot be proven complete
        self.last_seq = seq
        self.history.append((seq, frame["type"], frame["data"], text))
        for outlet in list(self.outlets):
            outlet.offer(seq, text)
        # Let the writers send it before the next frame is taken: a burst arriving from NATS would
        # otherwise be queued whole without a writer running, and overflow viewers who are keeping up.
        await asyncio.sleep(0)

    async def _control(self, order: dict[str, Any]) -> None:
        match order["ctl"]:
            case "kick":
                self.removed.add(order["user_id"])
                for conn in self._of(order["user_id"]):
                    conn.close_soon(REMOVED)
            case "notice":
                for conn in self._of(order["user_id"]):
                    conn.offer(None, order["frame"])
            case "end":
                for conn in list(self.connections):
                    conn.close_soon(ENDED)
            case "sync":
                self._presence_due.set()

    def _of(self, user_id: str) -> list[Connection]:
        return [c for c in self.connections if c.user_id == user_id]

    # ------------------------------------------------------------------ viewers

    def attach(self, conn: Connection) -> None:
        self.connections.add(conn)
        self.outlets[conn.outlet] = self.outlets.get(conn.outlet, 0) + 1
        self.empty_since = None
        self._presence_due.set()

    def detach(self, conn: Connection) -> None:
        if conn not in self.connections:
            return
        self.connections.remove(conn)
        if self.outlets[conn.outlet] > 1:
            self.outlets[conn.outlet] -= 1
        else:
            del self.outlets[conn.outlet]
        if not self.connections:
            self.empty_since = time.monotonic()
        self._presence_due.set()

    def missed(self, since: int) -> list[str] | None:
        """Every frame after `since`, if the history holds them all; None if the viewer needs a snapshot."""
        if not self.last_seq or since > self.last_seq:
            return None
        if since == self.last_seq:
            return []
        if not self.history or self.history[0][0] > since + 1:
            return None
        return [text for seq, _, _, text in self.history if seq > since]

    def figures(self) -> dict[str, int]:
        """What this instance serves of the room: viewers, people, and the gateways' links carrying some."""
        links = [outlet for outlet in self.outlets if not isinstance(outlet, Connection)]
        return {
            "connections": len(self.connections),
            "people": len(self.users()),
            "links": len(links),
            "linked": sum(self.outlets[link] for link in links),
        }

    def recent(self) -> list[tuple[str, dict[str, Any]]]:
        return [(type_, data) for _, type_, data, _ in self.history]

    def users(self) -> dict[str, str]:
        """The people this instance serves in the room, each once, with their strongest role."""
        users: dict[str, str] = {}
        for conn in self.connections:
            if conn.closed is None and users.get(conn.user_id) in (None, "viewer"):
                users[conn.user_id] = conn.role
        return users

    async def _publish_presence(self, users: dict[str, str]) -> None:
        report = {"instance": self.instance, "users": users}
        await self.nc.publish(subject(self.session_id, "presence"), json.dumps(report).encode())

    async def _report_presence(self) -> None:
        """On every change (debounced) and as a heartbeat while anyone is here."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._presence_due.wait(), self.settings.room_presence_seconds)
                await asyncio.sleep(PRESENCE_DEBOUNCE)
            self._presence_due.clear()
            try:
                await self._publish_presence(self.users())
            except Exception:
                log.warning("room presence not published", session_id=self.session_id)
