"""One client's room connection relayed to its livestream connection, frame for frame.

Client frames go upstream as they come. Upstream frames wait for the client in a bounded queue with
a writer task of their own, so the relay keeps reading its upstream connection whatever the client
does: a client that cannot keep up is closed `slow` (as livestream closes its own slow connections),
never waited for, and a slow client never holds up its upstream connection, hence never the room.
When livestream closes, what was queued is sent first, then its close code and reason, unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from starlette.websockets import WebSocket
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from services.gateway.room.protocol import GOING_AWAY, SLOW, Close, check_size, sendable
from shared.logging import get_logger

log = get_logger(__name__)

CLOSE_TIMEOUT = 2.0  # for a close frame to a client that may not be reading
DRAIN_TIMEOUT = 5.0  # for the frames queued before livestream's close to reach the client


@dataclass(frozen=True)
class _Ending:
    close: Close | None  # what to tell the client; None when it has gone
    drain: bool = False  # send what is queued first


class Relay:
    def __init__(self, client: WebSocket, upstream: ClientConnection, *, queue_size: int, max_bytes: int) -> None:
        self.client, self.upstream = client, upstream
        self.queue_size, self.max_bytes = queue_size, max_bytes
        # Bounded by hand (`queue_size` frames), so the closing frame always fits behind them.
        self.queue: asyncio.Queue[str | bytes | Close] = asyncio.Queue()

    async def run(self) -> None:
        writer = asyncio.create_task(self._to_client())
        downstream = asyncio.create_task(self._from_upstream())
        upstream = asyncio.create_task(self._from_client())
        try:
            done, _ = await asyncio.wait({downstream, upstream}, return_when=asyncio.FIRST_COMPLETED)
            # livestream's word wins; a client frame that met a closed upstream decides nothing
            ending = downstream.result() if downstream in done else upstream.result() or await downstream
            if ending.close is not None and ending.drain:
                self.queue.put_nowait(ending.close)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(writer), DRAIN_TIMEOUT)
            if ending.close is not None and not writer.done():
                writer.cancel()
                await self._close_client(ending.close)
        finally:
            for task in (writer, downstream, upstream):
                task.cancel()
            await asyncio.gather(writer, downstream, upstream, return_exceptions=True)
            await self.upstream.close()

    async def _from_upstream(self) -> _Ending:
        while True:
            try:
                frame = await self.upstream.recv()
            except ConnectionClosed as closed:
                if closed.rcvd is None:  # the instance died or the network failed: the client reconnects
                    return _Ending(GOING_AWAY.because("lost the livestream instance; reconnect"), drain=True)
                code = closed.rcvd.code if sendable(closed.rcvd.code) else 1000
                return _Ending(Close(code, closed.rcvd.reason), drain=True)
            if self.queue.qsize() >= self.queue_size:
                log.info("room client too slow; disconnected", queued=self.queue.qsize())
                return _Ending(SLOW)
            self.queue.put_nowait(frame)
            if self.queue.qsize() > 1:
                # A burst read from the network in one go is handed out without waiting: let the writer
                # send what is queued before taking more, or a client that keeps up would overflow.
                await asyncio.sleep(0)

    async def _from_client(self) -> _Ending | None:
        while True:
            message = await self.client.receive()
            if message["type"] == "websocket.disconnect":
                code = message.get("code")
                await self.upstream.close(code if sendable(code) else 1000, message.get("reason") or "")
                return _Ending(None)
            frame = message.get("text")
            if frame is None:
                frame = message.get("bytes") or b""
            try:
                check_size(frame, self.max_bytes)
            except Close as too_big:
                return _Ending(too_big)
            try:
                await self.upstream.send(frame)
            except ConnectionClosed:
                return None

    async def _to_client(self) -> None:
        try:
            while True:
                frame = await self.queue.get()
                if isinstance(frame, Close):
                    await self._close_client(frame)
                    return
                if isinstance(frame, str):
                    await self.client.send_text(frame)
                else:
                    await self.client.send_bytes(frame)
        except Exception:  # the client went away: its reader sees the disconnect
            return

    async def _close_client(self, close: Close) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.client.close(close.code, close.reason), CLOSE_TIMEOUT)
