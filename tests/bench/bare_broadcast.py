"""The fan-out baseline: a bare single-process Starlette broadcast.

`python -m tests.bench.bare_broadcast PORT` (started by `servers.BareProcess`) serves it the way
`shared.serve` serves the gateway (uvicorn, uvloop, httptools, log level warning, no permessage-deflate).
Viewers connect to `/viewers`; a host connects to `/host` and sends `{"type", "data", "id"?}` frames, which
are numbered and sent to every viewer as `{"seq", "type", "data", "at"}` in compact JSON (frames as the
room writes them, byte for byte in shape) and acknowledged to the host. Each viewer has what the room
gives it and no more: a bounded queue (256 frames) with a writer task, closed "slow" when full. No
authentication, no rules or rates, no NATS, no history, no second process: the least a broadcast to
the same viewers can cost. Its viewers and host are `fanout.py`'s, the load generator it points at Linli.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from datetime import UTC, datetime

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

QUEUE = 256


def dumps(value: object) -> str:
    """JSON as the room writes it (services/livestream/room/protocol.py): compact, UTF-8 as it is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Viewer:
    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.queue: asyncio.Queue[str] = asyncio.Queue(QUEUE)
        self.writer = asyncio.create_task(self._write())

    def offer(self, text: str) -> None:
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            self.writer.cancel()
            asyncio.create_task(self.ws.close(4408, "slow"))

    async def _write(self) -> None:
        with contextlib.suppress(Exception):
            while True:
                await self.ws.send_text(await self.queue.get())


viewers: set[Viewer] = set()
seq = 0


async def viewer_endpoint(ws: WebSocket) -> None:
    await ws.accept()
    viewer = Viewer(ws)
    viewers.add(viewer)
    try:
        while True:
            await ws.receive_text()
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        viewers.discard(viewer)
        viewer.writer.cancel()


async def host_endpoint(ws: WebSocket) -> None:
    global seq
    await ws.accept()
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            frame = json.loads(await ws.receive_text())
            seq += 1
            at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
            text = dumps({"seq": seq, "type": frame["type"], "data": frame["data"], "at": at})
            for viewer in list(viewers):
                viewer.offer(text)
            if frame.get("id"):
                await ws.send_text(dumps({"seq": None, "type": "ack", "data": {"id": frame["id"], "seq": seq}}))
            await asyncio.sleep(0)  # let the writers run between frames, as the room's fan-out does


async def healthz(_: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


app = Starlette(
    routes=[
        Route("/healthz", healthz),
        WebSocketRoute("/viewers", viewer_endpoint),
        WebSocketRoute("/host", host_endpoint),
    ]
)


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
        ws_per_message_deflate=False,  # as the gateway's (services/gateway/settings.py)
    )
