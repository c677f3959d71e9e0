"""The room's clients at this gateway, multiplexed over links to livestream instances.

One link (an upstream WebSocket) per room and instance carries all of this gateway's viewers of that
room there (docs/live-room.md, "The gateway's link"): a room-wide frame crosses it once and is handed,
unread, to each client whose room has started; what concerns one client comes addressed to its number.
Client frames go up the link as they come, under the client's number.

Each client has a bounded queue with a writer task of its own, so the link is read whatever a client
does: a client that cannot keep up is closed `slow` (as livestream closes its own slow connections),
never waited for, and never holds up the link, hence neither the room nor the other clients. When
livestream closes a client, what was queued for it is sent first, then its close code and reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from dataclasses import dataclass

from starlette.websockets import WebSocket
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from services.gateway.room.instances import websocket_url
from services.gateway.room.protocol import GOING_AWAY, MALFORMED, SLOW, Close, check_size, sendable
from services.gateway.settings import Settings
from shared.correlation import outgoing_headers
from shared.logging import get_logger

log = get_logger(__name__)

CLOSE_TIMEOUT = 2.0  # for a close frame to a client that may not be reading
# A slow client's close frame waits behind the megabytes the network holds for it: give it time to
# read them (its writer is gone; nobody waits for it but its own task).
SLOW_CLOSE_TIMEOUT = 15.0
DRAIN_TIMEOUT = 5.0  # for the frames queued before livestream's close to reach the client
RESTART = Close(1012, "service restart")
# Link messages read ahead of the fan-out. Beyond, the link is no longer read, livestream's queue for it
# fills (and it closes the link); below, keepalive pings and pongs are still read promptly in a burst.
LINK_READ_AHEAD = 4096


@dataclass(frozen=True)
class Ending:
    close: Close | None  # what to tell the client; None when it has gone
    drain: bool = False  # send what is queued first


class Client:
    """One client's socket: its first frames, then a queue bounded by hand (`queue_size` frames, so
    the closing frame always fits behind them) that a writer task sends from."""

    def __init__(self, ws: WebSocket, *, queue_size: int) -> None:
        self.ws, self.queue_size = ws, queue_size
        self.queue: asyncio.Queue[str | Close] = asyncio.Queue()
        self.ending: asyncio.Future[Ending] = asyncio.get_running_loop().create_future()
        self._writer: asyncio.Task[None] | None = None

    def start(self, first: list[str]) -> None:
        if self._writer is None:
            self._writer = asyncio.create_task(self._write(first), name="room-client-writer")

    def offer(self, text: str) -> None:
        if self.ending.done():
            return
        if self.queue.qsize() >= self.queue_size:
            log.info("room client too slow; disconnected", queued=self.queue.qsize())
            self.end(Ending(SLOW))
        else:
            self.queue.put_nowait(text)

    def end(self, ending: Ending) -> None:
        if not self.ending.done():
            self.ending.set_result(ending)

    async def finish(self, ending: Ending) -> None:
        """Close the client as `ending` says: after what is queued if it drains, else at once."""
        if ending.close is not None and ending.drain:
            self.start([])
            assert self._writer is not None
            self.queue.put_nowait(ending.close)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._writer), DRAIN_TIMEOUT)
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        elif self._writer is not None and ending.drain:
            return  # the writer sent the close (or the client went)
        if ending.close is not None:
            await self._close(ending.close)

    async def _write(self, first: list[str]) -> None:
        try:
            for text in first:
                await self.ws.send_text(text)
            while True:
                frame = await self.queue.get()
                if isinstance(frame, Close):
                    await self._close(frame)
                    return
                await self.ws.send_text(frame)
        except Exception:  # the client went away: its reader sees the disconnect
            return

    async def _close(self, close: Close) -> None:
        timeout = SLOW_CLOSE_TIMEOUT if close is SLOW else CLOSE_TIMEOUT
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(close.code, close.reason), timeout)


class Link:
    """One room at one instance, for all of this gateway's clients there; each client is known to
    livestream by a number (`vid`) this link gives it and never reuses."""

    def __init__(self, links: Links, key: tuple[str, str], upstream: ClientConnection) -> None:
        self.links, self.key, self.upstream = links, key, upstream
        self.clients: dict[int, Client] = {}
        self.live: dict[int, Client] = {}  # those whose room has started: the link's frames are theirs
        self.ended: Ending | None = None
        self._vids = itertools.count(1)
        self._idle: asyncio.TimerHandle | None = None
        self._closing: asyncio.Task[None] | None = None
        self._reader = asyncio.create_task(self._read(), name=f"room-link-{key[0]}")

    async def join(self, client: Client, *, token: str, since: str | None) -> int:
        """Add a client; livestream admits it (or closes it) as it would a direct connection."""
        vid = next(self._vids)
        if self.ended is not None:
            client.end(self.ended)
            return vid
        self.clients[vid] = client
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        await self.send(f"+{vid} {json.dumps({'token': token, 'since': since})}")
        return vid

    async def send(self, message: str) -> None:
        with contextlib.suppress(ConnectionClosed):  # the reader ends every client of a link that closed
            await self.upstream.send(message)

    async def leave(self, vid: int) -> None:
        if self.clients.pop(vid, None) is None:
            return  # livestream closed it, or the link went
        self.live.pop(vid, None)
        if not self.clients:
            self._idle = asyncio.get_running_loop().call_later(self.links.grace, self._close_if_idle)
        await self.send(f"-{vid}")

    def _close_if_idle(self) -> None:
        if not self.clients and self.ended is None:
            self.links.forget(self)
            self.ended = Ending(GOING_AWAY.because("the link closed"))
            self._closing = asyncio.create_task(self.upstream.close())  # the reader then ends

    async def _read(self) -> None:
        ending: Ending | None = None
        try:
            while True:
                message = await self.upstream.recv()
                if isinstance(message, bytes):
                    message = message.decode()
                if message[:1] == "{":  # a room-wide frame, as it is, once for every started client
                    for client in list(self.live.values()):
                        client.offer(message)
                    # Let the writers send it before the next one is read: a burst read from the network
                    # in one go would otherwise be queued whole and overflow clients that keep up.
                    await asyncio.sleep(0)
                else:
                    self._addressed(message)
        except ConnectionClosed as closed:
            if self.ended is None:
                log.warning("room link closed", session_id=self.key[0], instance=self.key[1], error=repr(closed))
            ending = _ending(closed)
        except Exception:
            log.exception("room link broken")
            ending = Ending(GOING_AWAY.because("the livestream link broke; reconnect"), drain=True)
        finally:
            self.links.forget(self)
            self.ended = self.ended or ending or Ending(GOING_AWAY.because("the link closed"), drain=True)
            for client in self.clients.values():
                client.end(self.ended)
            self.clients.clear()
            self.live.clear()

    def _addressed(self, message: str) -> None:
        """`@<vid> <frame>`, `=<vid>\\n<first frames…>` or `!<vid> <code> <reason>`."""
        kind = message[0]
        head, _, rest = message[1:].partition("\n" if kind == "=" else " ")
        vid = int(head)
        client = self.clients.get(vid)
        if client is None:  # it left; livestream has not heard yet
            return
        if kind == "@":
            client.offer(rest)
        elif kind == "=":
            client.start(rest.split("\n"))
            self.live[vid] = client
        elif kind == "!":
            code, _, reason = rest.partition(" ")
            del self.clients[vid]
            self.live.pop(vid, None)
            client.end(Ending(Close(int(code) if sendable(int(code)) else 1000, reason), drain=True))
        else:
            raise ValueError(f"not a link message: {message[:40]!r}")


def _ending(closed: ConnectionClosed) -> Ending:
    """What the clients of a link that closed are told: reconnect (1012 when the instance restarts)."""
    if closed.rcvd is None:  # the instance died or the network failed
        return Ending(GOING_AWAY.because("lost the livestream instance; reconnect"), drain=True)
    if closed.rcvd.code == RESTART.code:
        return Ending(RESTART, drain=True)
    return Ending(GOING_AWAY.because(f"{closed.rcvd.reason or 'the link closed'}; reconnect"), drain=True)


class Links:
    """This gateway's links, opened on a room's first client at an instance, closed `grace` seconds
    after its last one left."""

    def __init__(self, settings: Settings) -> None:
        self.settings, self.grace = settings, settings.room_link_grace_seconds
        self.links: dict[tuple[str, str], Link] = {}
        self._opening: dict[tuple[str, str], asyncio.Task[Link]] = {}

    async def get(self, session_id: str, base_url: str) -> Link:
        """The room's link at this instance; OSError, TimeoutError or InvalidHandshake if it does not answer."""
        key = (session_id, base_url)
        link = self.links.get(key)
        if link is not None:
            return link
        opening = self._opening.get(key)
        if opening is None:
            opening = self._opening[key] = asyncio.create_task(self._open(key))
            opening.add_done_callback(lambda _: self._opening.pop(key, None))
        return await asyncio.shield(opening)

    async def _open(self, key: tuple[str, str]) -> Link:
        session_id, base_url = key
        upstream = await connect(
            websocket_url(base_url) + f"/sessions/{session_id}/room/link",
            proxy=None,  # instances are reached directly, whatever proxy the environment names
            compression=None,  # a hop inside the deployment: deflate would only cost CPU
            max_size=None,  # a client's first frames come in one message (a snapshot, a replay)
            max_queue=LINK_READ_AHEAD,
            open_timeout=self.settings.upstream_timeout,
            close_timeout=CLOSE_TIMEOUT,
            additional_headers=outgoing_headers(),
        )
        link = self.links[key] = Link(self, key, upstream)
        return link

    def forget(self, link: Link) -> None:
        if self.links.get(link.key) is link:
            del self.links[link.key]


async def serve(client: Client, link: Link, vid: int, *, max_bytes: int) -> None:
    """Relay a joined client until it leaves or is closed, then close it as it ought to be."""
    reader = asyncio.create_task(_from_client(client, link, vid, max_bytes))
    try:
        await asyncio.wait({reader, client.ending}, return_when=asyncio.FIRST_COMPLETED)
        if not client.ending.done():  # the client left, or sent what livestream need not hear
            client.end(reader.result() if reader.exception() is None else Ending(None))
        ending = client.ending.result()
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
        await link.leave(vid)
    await client.finish(ending)


async def _from_client(client: Client, link: Link, vid: int, max_bytes: int) -> Ending:
    while True:
        message = await client.ws.receive()
        if message["type"] == "websocket.disconnect":
            return Ending(None)
        frame = message.get("text")
        if frame is None:
            return Ending(MALFORMED.because("frames are JSON text"))
        try:
            check_size(frame, max_bytes)
        except Close as too_big:
            return Ending(too_big)
        await link.send(f"@{vid} {frame}")
