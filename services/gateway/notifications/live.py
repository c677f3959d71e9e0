"""Live delivery of new notifications to the apps connected to any gateway replica.

The gateway that stores a notification publishes it, after commit, on the core NATS subject
`notify.<user_id>`. Each gateway holds ONE wildcard subscription (`notify.*`) and routes messages to
its local streams by the subject's last token. One subscription per gateway rather than one per
connected person: notifications are few (a handful per person a day), so every replica reading all
of them costs little, while a subscription per person would add a subscribe and an unsubscribe at
the server for every app that connects or drops, and connections come and go far more often than
notifications arrive. Core NATS may drop a message (a replica reconnecting): the inbox is the record,
and an app that reconnects with Last-Event-ID gets what it missed from there.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator, Sequence

from fastapi import FastAPI
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

from services.gateway.notifications.models import NotificationPublic
from shared.logging import get_logger

log = get_logger(__name__)

SUBJECTS = "notify.*"


def subject_of(user_id: str) -> str:
    return f"notify.{user_id}"


class LiveStream:
    """What one connected app is waiting to receive. Bounded: an app that does not keep up is cut
    off (`None` is its last item) and resumes from the inbox with Last-Event-ID."""

    def __init__(self, size: int) -> None:
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue(size)
        self.overflowed = False

    def offer(self, payload: bytes) -> None:
        if self.overflowed:
            return
        try:
            self._queue.put_nowait(payload)
        except asyncio.QueueFull:
            self.overflowed = True
            while not self._queue.empty():  # make room for the end marker: nothing queued is lost, the inbox has it
                self._queue.get_nowait()
            self._queue.put_nowait(None)

    async def next(self) -> bytes | None:
        return await self._queue.get()


class Hub:
    def __init__(self, *, queue_size: int) -> None:
        self.queue_size = queue_size
        self._streams: dict[str, set[LiveStream]] = {}
        self._nc: NATS | None = None

    @contextlib.asynccontextmanager
    async def running(self, app: FastAPI) -> AsyncIterator[None]:
        """The lifespan extension: the gateway's subscription, on the bus's connection."""
        self._nc = app.state.bus.nc
        assert self._nc is not None
        subscription = await self._nc.subscribe(SUBJECTS, cb=self.route)
        app.state.notification_hub = self
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()
            self._nc = None

    async def publish(self, notifications: Sequence[tuple[str, NotificationPublic]]) -> None:
        """(user id, notification) pairs, just stored, to every replica's streams of those people."""
        if self._nc is None:
            return
        try:
            for user_id, notification in notifications:
                await self._nc.publish(subject_of(user_id), notification.model_dump_json().encode())
        except Exception as exc:  # NATS down: the inbox has them; apps catch up on reconnect
            log.warning("notifications not streamed", error=repr(exc))

    async def route(self, msg: Msg) -> None:
        """A message of the subscription to the streams of the person its subject names."""
        for stream in self._streams.get(msg.subject.rpartition(".")[2], ()):
            stream.offer(msg.data)

    @contextlib.contextmanager
    def connect(self, user_id: str) -> Iterator[LiveStream]:
        stream = LiveStream(self.queue_size)
        self._streams.setdefault(user_id, set()).add(stream)
        try:
            yield stream
        finally:
            streams = self._streams.get(user_id, set())
            streams.discard(stream)
            if not streams:
                self._streams.pop(user_id, None)
