"""A gateway's link: one WebSocket that carries all of one gateway's viewers of a room at this
instance (docs/live-room.md, "The gateway's link"). A room-wide frame crosses it once, unchanged, and
the gateway fans it out; what concerns one viewer is addressed to it by the small number the gateway
gave it. Each linked viewer is still a `Connection` judged by the very code of a direct one.

Messages from the gateway: `+<vid> {"token", "since"}` (a viewer joins), `@<vid> <frame>` (its
frame), `-<vid>` (it left). To the gateway: a room-wide frame as it is (it starts with `{`),
`@<vid> <frame>` (to one viewer), `=<vid>\\n<frame>\\n<frame>…` (the viewer's first frames — snapshot
or recovery — after which the link's room-wide frames are its own), `!<vid> <code> <reason>` (close it).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.websockets import WebSocket

from services.livestream.room.connections import Connection, Disconnected, Outbox, receive
from services.livestream.room.protocol import MALFORMED, SLOW, Close, error
from shared.logging import get_logger

log = get_logger(__name__)

FELL_BEHIND = SLOW.because("the link fell behind")


class Linked:
    """A viewer's transport over a link. Until it starts, the room's frames are kept for it (at most
    `queue_size`, as a direct viewer's queue); at start they follow its first frames in one message,
    and from then on the link's own frames are its frames: the switch is made without an await, on an
    ordered link, so the gateway hands it each frame once."""

    def __init__(self, link: Link, vid: int, *, queue_size: int, inbox_size: int) -> None:
        self.link, self.vid, self.outlet = link, vid, link
        self.queue_size, self.inbox_size = queue_size, inbox_size
        self.inbox: asyncio.Queue[str | None] = asyncio.Queue()
        self.kept: list[tuple[int | None, str]] | None = []  # None once started
        self.conn: Connection | None = None

    def bind(self, conn: Connection) -> None:
        self.conn = conn
        self.link.pending.add(self)

    def send(self, seq: int | None, text: str) -> bool:
        if self.kept is not None:
            if len(self.kept) >= self.queue_size:
                return False
            self.kept.append((seq, text))
        elif seq is None:  # a room-wide frame of a started viewer is already on the link
            self.link.put(f"@{self.vid} {text}")
        return True

    def start(self, first: list[str], *, floor: int) -> None:
        kept = [text for seq, text in self.kept or () if seq is None or seq > floor]
        self.kept = None
        self.link.pending.discard(self)
        self.link.put("\n".join([f"={self.vid}", *first, *kept]))

    def deliver(self, frame: str) -> None:
        """A frame from the viewer. Its reader takes them one by one, as from a socket; beyond
        `inbox_size` waiting it sends too fast, as its rate limit would tell it."""
        if self.inbox.qsize() >= self.inbox_size:
            self.send(None, error("rate_limited", "too many frames"))
        else:
            self.inbox.put_nowait(frame)

    def gone(self) -> None:
        self.inbox.put_nowait(None)

    async def receive(self) -> str | bytes | None:
        frame = await self.inbox.get()
        if frame is None:
            raise Disconnected
        return frame

    async def close(self, close: Close) -> None:
        self.link.put(f"!{self.vid} {close.code} {close.reason}")
        self.link.forget(self)

    async def finish(self) -> None:
        self.link.forget(self)


class Link:
    """The link's socket: a bounded send queue and writer (larger than a viewer's: it carries them
    all); a link that cannot keep up is closed, and the gateway tells its viewers to reconnect."""

    def __init__(self, ws: WebSocket, *, queue_size: int) -> None:
        self.ws = ws
        self.outbox = Outbox(ws, queue_size, name="room-link-writer")
        self.viewers: dict[int, Linked] = {}
        self.pending: set[Linked] = set()
        self.closed: Close | None = None
        self._closing: asyncio.Task[None] | None = None
        self.outbox.start([], floor=0)

    def put(self, text: str) -> None:
        if self.closed is None and not self.outbox.put(None, text):
            log.warning("room link too slow; closed", viewers=len(self.viewers))
            self.closed = FELL_BEHIND
            self._closing = asyncio.create_task(self.outbox.close(FELL_BEHIND))

    def offer(self, seq: int | None, text: str) -> None:
        """A room-wide frame: once on the link, and kept for the viewers not started yet."""
        self.put(text)
        for linked in list(self.pending):
            if linked.conn is not None:
                linked.conn.offer(seq, text)

    def add(self, vid: int, *, queue_size: int, inbox_size: int) -> Linked:
        if vid in self.viewers:
            raise MALFORMED.because(f"viewer {vid} already joined")
        linked = self.viewers[vid] = Linked(self, vid, queue_size=queue_size, inbox_size=inbox_size)
        return linked

    def forget(self, linked: Linked) -> None:
        if self.viewers.get(linked.vid) is linked:
            del self.viewers[linked.vid]
        self.pending.discard(linked)
        linked.gone()

    async def receive(self) -> tuple[str, int, str]:
        """The gateway's next message: (kind, viewer, rest); `Disconnected` when the link is gone."""
        raw = await receive(self.ws)
        if not isinstance(raw, str) or raw[:1] not in ("+", "@", "-"):
            raise MALFORMED.because("not a link message")
        head, _, rest = raw[1:].partition(" ")
        if not head.isdigit():
            raise MALFORMED.because("a link message names its viewer")
        return raw[0], int(head), rest

    def deliver(self, vid: int, frame: str) -> None:
        linked = self.viewers.get(vid)
        if linked is not None:  # else it was closed here and the gateway has not heard yet
            linked.deliver(frame)

    def leave(self, vid: int) -> None:
        linked = self.viewers.get(vid)
        if linked is not None:
            self.forget(linked)

    async def finish(self, close: Close | None) -> None:
        """Every viewer has gone with the link."""
        for linked in list(self.viewers.values()):
            self.forget(linked)
        if close is not None and self.closed is None:
            self.closed = close
            await self.outbox.close(close)
        await self.outbox.finish()


def join_data(rest: str) -> tuple[str, str | None]:
    """(token, since) of a `+` message."""
    try:
        data: Any = json.loads(rest)
    except ValueError:
        raise MALFORMED.because("join: not JSON") from None
    token, since = (data.get("token"), data.get("since")) if isinstance(data, dict) else (None, None)
    if not isinstance(token, str) or not (since is None or isinstance(since, str)):
        raise MALFORMED.because("join: token and since are text")
    return token, since
