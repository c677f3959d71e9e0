"""Viewers' connections, and how frames reach them without the room ever waiting for one.

A viewer is a `Connection` (who, in which role) over a transport: its own WebSocket (`Direct`), or a
gateway's link that carries many viewers of the room (`Linked`, see `links.py`). Either way the room
offers a frame with `put_nowait` semantics: a WebSocket has a bounded send queue and a writer task
(`Outbox`), and a viewer that cannot keep up is closed `slow`.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Protocol

from starlette.websockets import WebSocket

from services.livestream.room.protocol import SLOW, Close
from shared.auth import Principal
from shared.logging import get_logger

log = get_logger(__name__)

CLOSE_TIMEOUT = 2.0
# A slow viewer's close frame waits behind the megabytes the network holds for it: give it time to
# read them (its writer is gone; nobody waits for it but its own task).
SLOW_CLOSE_TIMEOUT = 15.0


class Disconnected(Exception):
    """The viewer went away."""


async def receive(ws: WebSocket) -> str | bytes | None:
    """The next message of a WebSocket; `Disconnected` when it has gone."""
    try:
        message = await ws.receive()
    except RuntimeError:  # closed under the reader
        raise Disconnected from None
    if message["type"] == "websocket.disconnect":
        raise Disconnected
    return message.get("text") if message.get("text") is not None else message.get("bytes")


class Outlet(Protocol):
    """Where the room's broadcast frames go: a direct viewer, or a link carrying many."""

    def offer(self, seq: int | None, text: str) -> None: ...


class Outbox:
    """A WebSocket's bounded send queue and its writer: `put` never waits, False when the queue is full."""

    def __init__(self, ws: WebSocket, queue_size: int, name: str) -> None:
        self.ws, self.name = ws, name
        self.queue: asyncio.Queue[tuple[int | None, str]] = asyncio.Queue(maxsize=queue_size)
        self.floor = 0  # frames numbered up to here are already in what the socket was sent first
        self._writer: asyncio.Task[None] | None = None

    def put(self, seq: int | None, text: str) -> bool:
        try:
            self.queue.put_nowait((seq, text))
        except asyncio.QueueFull:
            return False
        return True

    def start(self, first: list[str], *, floor: int) -> None:
        """Send `first`, then the queued frames numbered after `floor` (and every unnumbered one)."""
        self.floor = floor
        self._writer = asyncio.create_task(self._write(first), name=self.name)

    async def _write(self, first: list[str]) -> None:
        try:
            for text in first:
                await self.ws.send_text(text)
            while True:
                seq, text = await self.queue.get()
                if seq is None or seq > self.floor:
                    await self.ws.send_text(text)
        except Exception:  # the socket went away (closed, reset): its reader sees the disconnect and cleans up
            return

    async def close(self, close: Close) -> None:
        if self._writer is not None:
            self._writer.cancel()
        timeout = SLOW_CLOSE_TIMEOUT if close is SLOW else CLOSE_TIMEOUT
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(close.code, close.reason), timeout)

    async def finish(self) -> None:
        """The reader is done: stop the writer."""
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writer


class Transport(Protocol):
    @property
    def outlet(self) -> Outlet | None:
        """What the room's frames reach this viewer through; None: the connection itself."""

    def bind(self, conn: Connection) -> None:
        """The viewer this transport carries, from the moment it is about to join the room's feed."""

    def send(self, seq: int | None, text: str) -> bool:
        """Queue a frame without waiting; False when the viewer cannot keep up."""

    def start(self, first: list[str], *, floor: int) -> None: ...

    async def receive(self) -> str | bytes | None:
        """The viewer's next frame; `Disconnected` when it has gone."""

    async def close(self, close: Close) -> None: ...

    async def finish(self) -> None: ...


class Direct:
    """A viewer's own WebSocket."""

    outlet = None

    def __init__(self, ws: WebSocket, *, queue_size: int) -> None:
        self.ws = ws
        self.outbox = Outbox(ws, queue_size, name="room-writer")

    def bind(self, conn: Connection) -> None:
        pass

    def send(self, seq: int | None, text: str) -> bool:
        return self.outbox.put(seq, text)

    def start(self, first: list[str], *, floor: int) -> None:
        self.outbox.start(first, floor=floor)

    async def receive(self) -> str | bytes | None:
        return await receive(self.ws)

    async def close(self, close: Close) -> None:
        await self.outbox.close(close)

    async def finish(self) -> None:
        await self.outbox.finish()


@dataclass(eq=False)
class Connection:
    transport: Transport
    principal: Principal
    name: str
    role: str
    closed: Close | None = None
    _closing: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.transport.bind(self)

    @property
    def user_id(self) -> str:
        return self.principal.user_id

    @property
    def outlet(self) -> Outlet:
        return self.transport.outlet or self

    def offer(self, seq: int | None, text: str) -> None:
        """Queue a frame without waiting; a full queue means the viewer cannot keep up."""
        if self.closed is None and not self.transport.send(seq, text):
            log.info("viewer too slow; disconnected", user_id=self.user_id)
            self.close_soon(SLOW)

    def start(self, first: list[str], *, floor: int) -> None:
        """Send `first` (a snapshot, or what the viewer missed), then the queued live frames after `floor`."""
        self.transport.start(first, floor=floor)

    def close_soon(self, close: Close) -> None:
        if self.closed is None and self._closing is None:
            self._closing = asyncio.create_task(self.close(close))

    async def close(self, close: Close) -> None:
        if self.closed is not None:
            return
        self.closed = close
        await self.transport.close(close)

    async def finish(self) -> None:
        await self.transport.finish()
