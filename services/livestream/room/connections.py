"""One viewer's WebSocket: a bounded send queue and a writer task, so that fanning a frame out is
`put_nowait` and never waits for a viewer. A connection whose queue overflows is closed `slow`."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from starlette.websockets import WebSocket

from services.livestream.room.protocol import SLOW, Close
from shared.auth import Principal
from shared.logging import get_logger

log = get_logger(__name__)

CLOSE_TIMEOUT = 2.0


@dataclass(eq=False)
class Connection:
    ws: WebSocket
    principal: Principal
    name: str
    role: str
    queue_size: int
    queue: asyncio.Queue[tuple[int | None, str]] = field(init=False)
    floor: int = 0  # frames numbered up to here are already in what the viewer was sent first
    closed: Close | None = None
    _writer: asyncio.Task[None] | None = None
    _closing: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.queue = asyncio.Queue(maxsize=self.queue_size)

    @property
    def user_id(self) -> str:
        return self.principal.user_id

    def offer(self, seq: int | None, text: str) -> None:
        """Queue a frame without waiting; a full queue means the viewer cannot keep up."""
        if self.closed is not None:
            return
        try:
            self.queue.put_nowait((seq, text))
        except asyncio.QueueFull:
            log.info("viewer too slow; disconnected", user_id=self.user_id, queued=self.queue.qsize())
            self.close_soon(SLOW)

    def start(self, first: list[str], *, floor: int) -> None:
        """Send `first` (a snapshot, or what the viewer missed), then the queued live frames after `floor`."""
        self.floor = floor
        self._writer = asyncio.create_task(self._write(first), name=f"room-writer-{self.user_id}")

    async def _write(self, first: list[str]) -> None:
        try:
            for text in first:
                await self.ws.send_text(text)
            while True:
                seq, text = await self.queue.get()
                if seq is None or seq > self.floor:
                    await self.ws.send_text(text)
        except Exception:  # the socket went away (closed, reset): the reader sees the disconnect and cleans up
            return

    def close_soon(self, close: Close) -> None:
        if self.closed is None and self._closing is None:
            self._closing = asyncio.create_task(self.close(close))

    async def close(self, close: Close) -> None:
        if self.closed is not None:
            return
        self.closed = close
        if self._writer is not None:
            self._writer.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(close.code, close.reason), CLOSE_TIMEOUT)

    async def finish(self) -> None:
        """The reader is done: stop the writer."""
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writer
