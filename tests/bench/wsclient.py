"""A lean WebSocket client for the bench's load generator: one `asyncio.Protocol` per connection.

The client side of RFC 6455 as far as a viewer of a room needs it, and no further: the opening
handshake (its `Sec-WebSocket-Accept` checked; permessage-deflate offered as browsers offer it, when
asked), server frames parsed straight from what each read returns (several at once, split across
reads, fragmented or not, compressed or not), pings answered, and the closing handshake either way.
What it sends (pongs, its close frame) is masked, as a client's frames must be; it sends no data.

Every message goes, as it arrived, to a callback: `on_message(buffer, start, stop, read_at)` with the
message at `buffer[start:stop]` (no copy and no decoding when it came in one uncompressed frame, the
usual case) and `read_at` the `time.perf_counter()` of the read that completed it.

Why not the `websockets` client: per message its asyncio client parses the frame in generator code,
decodes UTF-8, queues the message and wakes a reading task (and the bench then parsed the JSON). That
more than doubled the load generator's CPU a frame, and a room's 1,000 viewers receive 20,000 frames a
second: most of a core of a small machine, the very cores the servers under test need. What is left
is mostly the kernel's and the event loop's cost of one read per frame.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import time
import zlib
from collections.abc import Callable
from typing import cast
from urllib.parse import urlsplit

OnMessage = Callable[[bytes, int, int, float], None]

ACCEPT_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, 1.3
FIN, RSV1 = 0x80, 0x40
CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
WHOLE_TEXT = FIN | TEXT  # the first byte of a text message in one uncompressed frame
NO_STATUS, ABNORMAL, PROTOCOL_ERROR = 1005, 1006, 1002
# What Chrome and Firefox offer; the client's own window does not matter: it compresses nothing.
DEFLATE_OFFER = "permessage-deflate; client_max_window_bits"
DEFLATE_TAIL = b"\x00\x00\xff\xff"  # stripped from each compressed message (RFC 7692, 7.2.2)


class HandshakeFailed(ConnectionError):
    """The server did not open a WebSocket."""


class Connection(asyncio.Protocol):
    """One client WebSocket. `closed` holds the close code and reason once the server closed it (or
    1006 when the connection was lost without a close frame); nothing is read after."""

    def __init__(self, request: bytes, key: bytes, on_message: OnMessage, *, deflate: bool) -> None:
        self.on_message = on_message
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[tuple[int, str]] = loop.create_future()
        self._lost: asyncio.Future[None] = loop.create_future()
        self._request, self._accept = request, base64.b64encode(hashlib.sha1(key + ACCEPT_GUID).digest())
        self._offered_deflate = deflate
        self._transport: asyncio.Transport | None = None
        self._buffer = b""  # what was read of a frame not complete yet
        self._fragments: list[bytes] = []  # a fragmented message's frames so far
        self._compressed = False  # the message being read is compressed
        self._inflater: zlib._Decompress | None = None
        self._inflate_bits = 0  # when deflate was agreed: the server's window
        self._inflate_resets = False  # server_no_context_takeover: every message is compressed anew
        self._close_sent = False

    # ---------------------------------------------------------------- asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is one without subclassing it
        self._transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        read_at = time.perf_counter()
        if self.closed.done():
            return
        buffer = self._buffer + data if self._buffer else data
        if not self.opened.done():
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self._buffer = buffer
                return
            try:
                self._agree(buffer[:end].decode("latin-1"))
            except HandshakeFailed as exc:
                self.opened.set_exception(exc)
                self._abort()
                return
            self.opened.set_result(None)
            buffer = buffer[end + 4 :]
        self._buffer = self._frames(buffer, read_at)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(HandshakeFailed("the connection closed during the handshake"))
        self._end(ABNORMAL, "")
        self._lost.set_result(None)

    # ---------------------------------------------------------------- the rest

    async def close(self, timeout: float = 5.0) -> None:
        """The closing handshake (1000): the close frame, then the server's close of the TCP connection."""
        if self._transport is None:
            return
        if not self._close_sent and not self._lost.done():
            self._send(CLOSE, (1000).to_bytes(2, "big"))
        try:
            await asyncio.wait_for(asyncio.shield(self._lost), timeout)
        except TimeoutError:
            self._abort()

    def _agree(self, head: str) -> None:
        """Check the server's answer to the opening handshake; note the deflate parameters it agreed."""
        status, *lines = head.split("\r\n")
        if status.split(" ", 2)[1:2] != ["101"]:
            raise HandshakeFailed(f"the server answered {status!r}")
        headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
        if headers.get("sec-websocket-accept", "").encode() != self._accept:
            raise HandshakeFailed("wrong Sec-WebSocket-Accept")
        extension = headers.get("sec-websocket-extensions")
        if extension is None:
            return
        name, *params = [p.strip() for p in extension.split(";")]
        if not self._offered_deflate or name != "permessage-deflate":
            raise HandshakeFailed(f"an extension not offered: {extension!r}")
        agreed = dict(p.partition("=")[::2] for p in params)
        self._inflate_bits = int(agreed.get("server_max_window_bits") or 15)
        self._inflate_resets = "server_no_context_takeover" in agreed

    def _frames(self, buffer: bytes, read_at: float) -> bytes:
        """Handle the complete frames in `buffer`; the incomplete rest, to be continued by the next read."""
        pos, end = 0, len(buffer)
        while end - pos >= 2:
            first, length = buffer[pos], buffer[pos + 1]
            start = pos + 2
            if length & 0x80:
                return self._fail("a masked frame from the server")
            if length >= 126:  # the length follows, in 2 or 8 bytes
                start += 2 if length == 126 else 8
                if start > end:
                    break
                length = int.from_bytes(buffer[pos + 2 : start], "big")
            stop = start + length
            if stop > end:
                break
            pos = stop
            if first == WHOLE_TEXT:  # nearly every frame: handed over in place
                self.on_message(buffer, start, stop, read_at)
                continue
            opcode = first & 0x0F
            if opcode in (TEXT, BINARY, CONTINUATION):
                self._fragment(first, buffer[start:stop], read_at)
            elif opcode == PING:
                self._send(PONG, buffer[start:stop])
            elif opcode == CLOSE:
                self._closing(buffer[start:stop])
                return b""
            elif opcode != PONG:
                return self._fail(f"opcode {opcode}")
        return buffer[pos:]

    def _fragment(self, first: int, payload: bytes, read_at: float) -> None:
        if first & 0x0F != CONTINUATION:  # a message begins
            self._fragments, self._compressed = [], bool(first & RSV1)
        self._fragments.append(payload)
        if not first & FIN:
            return
        message = b"".join(self._fragments)
        self._fragments = []
        if self._compressed:
            if self._inflater is None or self._inflate_resets:
                self._inflater = zlib.decompressobj(wbits=-self._inflate_bits)
            message = self._inflater.decompress(message + DEFLATE_TAIL)
        self.on_message(message, 0, len(message), read_at)

    def _closing(self, payload: bytes) -> None:
        """The server's close frame: note its code and reason, answer it (unless this side closed
        first); the server then closes the TCP connection (RFC 6455, 7.1.1)."""
        code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else NO_STATUS
        self._end(code, payload[2:].decode(errors="replace"))
        if not self._close_sent:
            self._send(CLOSE, payload[:2])

    def _fail(self, why: str) -> bytes:
        self._end(PROTOCOL_ERROR, why)
        self._abort()
        return b""

    def _end(self, code: int, reason: str) -> None:
        if not self.closed.done():
            self.closed.set_result((code, reason))

    def _send(self, opcode: int, payload: bytes) -> None:
        """A control frame (at most 125 bytes), masked."""
        assert self._transport is not None and len(payload) <= 125
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
        self._transport.write(bytes((FIN | opcode, 0x80 | len(payload))) + mask + masked)
        self._close_sent = self._close_sent or opcode == CLOSE

    def _abort(self) -> None:
        if self._transport is not None:
            self._transport.abort()


async def connect(url: str, on_message: OnMessage, *, deflate: bool = False, timeout: float = 60) -> Connection:
    """Open a `ws://` URL; OSError (HandshakeFailed among them) or TimeoutError if it does not open."""
    parts = urlsplit(url)
    if parts.scheme != "ws" or parts.hostname is None:
        raise ValueError(f"not a ws:// URL: {url}")
    key = base64.b64encode(os.urandom(16))
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key.decode()}\r\nSec-WebSocket-Version: 13\r\n"
        + (f"Sec-WebSocket-Extensions: {DEFLATE_OFFER}\r\n" if deflate else "")
        + "\r\n"
    ).encode()
    loop = asyncio.get_running_loop()
    connection: Connection | None = None
    try:
        async with asyncio.timeout(timeout):
            _, connection = await loop.create_connection(
                lambda: Connection(request, key, on_message, deflate=deflate), parts.hostname, parts.port or 80
            )
            await connection.opened
    except BaseException:
        if connection is not None:
            connection.opened.cancel()  # nobody waits for it now: no error to be left unretrieved
            connection._abort()
        raise
    return connection
