"""The rooms of one instance: the feeds it serves viewers from, the sequencers it holds, and the one
way the rest of the service talks to a room — `call` (to its sequencer, wherever that is) and
`changed` (after a commit: "render this again and tell everyone")."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from nats.aio.client import Client as NATS
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout

from services.livestream.room import sequence
from services.livestream.room.fanout import RoomFeed
from services.livestream.room.protocol import RESTART, dumps
from services.livestream.room.sequencer import RoomSequencer, subject
from services.livestream.settings import Settings
from shared.db import Database
from shared.errors import ServiceUnavailable
from shared.logging import get_logger

log = get_logger(__name__)

CALL_TIMEOUT = 3.0
HOUSEKEEPING_SECONDS = 5.0


class RoomUnavailable(ServiceUnavailable):
    def __init__(self, session_id: str) -> None:
        super().__init__(f"the room of session {session_id} cannot be reached right now; retry")


class RoomHub:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.instance = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.feeds: dict[str, RoomFeed] = {}
        self.sequencers: dict[str, RoomSequencer] = {}
        self._nc: NATS | None = None
        self._db: Database | None = None
        self._locks: dict[str, asyncio.Lock] = {}
        self._housekeeping: asyncio.Task[None] | None = None

    @property
    def nc(self) -> NATS:
        assert self._nc is not None, "the room hub is not started"
        return self._nc

    @property
    def db(self) -> Database:
        assert self._db is not None, "the room hub is not started"
        return self._db

    # ------------------------------------------------------------------ life (a ServiceSpec extension)

    def extension(self, app: FastAPI) -> contextlib.AbstractAsyncContextManager[None]:
        @contextlib.asynccontextmanager
        async def running() -> AsyncIterator[None]:
            self._nc, self._db = app.state.bus.nc, app.state.db
            app.state.rooms = self
            self._housekeeping = asyncio.create_task(self._retire_idle_feeds(), name="room-housekeeping")
            try:
                yield
            finally:
                await self.stop()

        return running()

    async def stop(self) -> None:
        if self._housekeeping is not None:
            self._housekeeping.cancel()
        for feed in list(self.feeds.values()):
            for conn in list(feed.connections):
                await conn.close(RESTART)
            await feed.stop()
        for sequencer in list(self.sequencers.values()):
            await sequencer.stop()  # releases the lease: another instance takes the room at once

    # ------------------------------------------------------------------ the sequencer

    async def call(self, session_id: str, op: dict[str, Any]) -> dict[str, Any]:
        """Ask the room's sequencer; become it if the room has none."""
        local = self.sequencers.get(session_id)
        if local is not None:
            return await local.handle(op)
        deadline = time.monotonic() + CALL_TIMEOUT
        payload = dumps(op).encode()
        while True:
            try:
                reply = await self.nc.request(subject(session_id, "in"), payload, timeout=CALL_TIMEOUT)
                return dict(json.loads(reply.data))
            except NoRespondersError:
                if await self._lead(session_id):
                    return await self.sequencers[session_id].handle(op)
            except NatsTimeout:
                raise RoomUnavailable(session_id) from None
            if time.monotonic() > deadline:
                raise RoomUnavailable(session_id)
            await asyncio.sleep(0.05)  # another instance holds the lease and is about to answer

    async def _lead(self, session_id: str) -> bool:
        async with self._locks.setdefault(session_id, asyncio.Lock()):
            if session_id in self.sequencers:
                return True
            claimed = await sequence.claim(
                self.db, session_id=session_id, owner=self.instance, ttl=self.settings.room_lease_seconds
            )
            if claimed is None:
                return False
            sequencer = RoomSequencer(
                session_id=session_id,
                nc=self.nc,
                db=self.db,
                settings=self.settings,
                instance=self.instance,
                seq=claimed[0],
                reserved=claimed[1],
                on_stop=self._forget,
            )
            feed = self.feeds.get(session_id)
            await sequencer.start(feed.recent() if feed else [])
            self.sequencers[session_id] = sequencer
            return True

    def _forget(self, sequencer: RoomSequencer) -> None:
        if self.sequencers.get(sequencer.session_id) is sequencer:
            del self.sequencers[sequencer.session_id]

    async def changed(self, session_id: str, key: str, *, urgent: bool = True) -> None:
        """Tell the room that `key` changed (after the change committed)."""
        await self.tell(session_id, {"op": "changed", "key": key, "urgent": urgent})

    async def tell(self, session_id: str, op: dict[str, Any]) -> None:
        """Tell the room of a change already committed. The state is in the database either way (a new
        sequencer loads it), so a room that cannot be reached only delays it until the next snapshot."""
        try:
            reply = await self.call(session_id, op)
        except ServiceUnavailable:
            log.warning("room not told of a change", session_id=session_id, op=op.get("op"), key=op.get("key"))
            return
        if "error" in reply:
            log.warning("room refused a change", session_id=session_id, op=op.get("op"), error=reply["error"])

    # ------------------------------------------------------------------ feeds

    async def feed(self, session_id: str) -> RoomFeed:
        async with self._locks.setdefault(f"feed:{session_id}", asyncio.Lock()):
            feed = self.feeds.get(session_id)
            if feed is None:
                feed = RoomFeed(session_id=session_id, nc=self.nc, settings=self.settings, instance=self.instance)
                await feed.start()
                self.feeds[session_id] = feed
            return feed

    async def _retire_idle_feeds(self) -> None:
        """A feed without viewers keeps its history for `room_history_seconds`, for viewers coming back."""
        while True:
            await asyncio.sleep(HOUSEKEEPING_SECONDS)
            now = time.monotonic()
            for session_id, feed in list(self.feeds.items()):
                if feed.empty_since is not None and now - feed.empty_since > self.settings.room_history_seconds:
                    del self.feeds[session_id]
                    self._locks.pop(f"feed:{session_id}", None)
                    await feed.stop()


def get_rooms(request: Request) -> RoomHub:
    return request.app.state.rooms  # type: ignore[no-any-return]
