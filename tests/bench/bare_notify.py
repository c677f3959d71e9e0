"""The notification baseline: an event becomes a live push, and nothing else.

Two processes, as Linli's community and gateway are two, each `python -m tests.bench.bare_notify ROLE
NATS_URL PORT` (started by `servers.BareProcess`), served the way `shared.serve` serves a Linli service
(uvicorn, uvloop, httptools, log level warning), on the same nats-server as the system:
  publisher  `POST /api/v1/swaps/{owner_id}/offers` (the bearer is the offerer's id): publishes a
             `bare.swap.offer_made` event (the envelope's shape, `Nats-Msg-Id`) to the JetStream stream
             BARE and answers 201 once JetStream has stored it (the PubAck: the counterpart of
             community's commit).
  pusher     one durable JetStream pull consumer read the best way nats-py allows
             (`pipeline.PipelinedPull`: a callback subscription, explicit acks, the next pull request
             sent at half the batch); each event becomes a notification frame in the gateway's format,
             offered to the server-sent-event streams of the person it names through the gateway's
             bounded queue (`LiveStream`), on `GET /api/v1/notifications/stream` (the bearer is the
             person's id) with the same first line and heartbeats.
Left out: tokens and memberships (a bearer is taken as a user id), every database (no swap or offer
row, no outbox and relay: the publisher publishes in the request; no inbox table, no notification row,
no preferences), the gateway's proxy hop in front of community (the load generator reaches the
publisher directly), the notification's second hop over core NATS (`notify.<user_id>`, so that any
gateway replica can hold the stream), the `gateway.notification.created` event and the push port.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import nats
import uvicorn
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route

from services.gateway.notifications.builders import swap_offer
from services.gateway.notifications.live import LiveStream
from shared.bus.streams import declare_stream
from shared.events.schemas.community import SwapOfferMade
from shared.models import new_id
from tests.bench.pipeline import BARE_STREAM, PipelinedPull, bare_consumer_config

SUBJECT = "bare.swap.offer_made"
COMMUNITY_ID = "bare-community"
QUEUE, HEARTBEAT = 64, 15.0  # the gateway's defaults (notification_stream_queue, notification_heartbeat_seconds)
# The notice's fixed texts, as the gateway's builder writes them.
NOTICE = swap_offer(SwapOfferMade(offer_id="", swap_id="", community_id="", owner_id="", user_id=""))


def now() -> str:
    return datetime.now(UTC).isoformat()


def bearer(request: Request) -> str:
    return request.headers.get("authorization", "").removeprefix("Bearer ")


class Publisher:
    def __init__(self) -> None:
        self.js: nats.js.JetStreamContext | None = None

    async def offer(self, request: Request) -> JSONResponse:
        assert self.js is not None
        owner_id, user_id = request.path_params["owner_id"], bearer(request)
        message = (await request.json())["message"]
        offer_id, event_id = new_id(), new_id()
        data = {"offer_id": offer_id, "swap_id": owner_id, "community_id": COMMUNITY_ID, "owner_id": owner_id}
        event = {
            "id": event_id,
            "type": SUBJECT,
            "version": 1,
            "source": "bare",
            "time": now(),
            "subject": offer_id,
            "community_id": COMMUNITY_ID,
            "actor_id": user_id,
            "data": {**data, "user_id": user_id},
        }
        await self.js.publish(SUBJECT, json.dumps(event).encode(), headers={"Nats-Msg-Id": event_id})
        return JSONResponse({"id": offer_id, **data, "user_id": user_id, "message": message}, status_code=201)


class Pusher:
    def __init__(self) -> None:
        self.streams: dict[str, set[LiveStream]] = {}
        self.seq = 0

    def on_msg(self, msg: Msg) -> None:
        d = json.loads(msg.data)["data"]
        self.seq += 1
        notification = {
            "id": self.seq,
            "kind": NOTICE.kind.value,
            "title": NOTICE.title,
            "title_en": NOTICE.title_en,
            "body": NOTICE.body,
            "link": f"/api/v1/swaps/{d['swap_id']}/offers",
            "data": {"swap_id": d["swap_id"], "offer_id": d["offer_id"], "community_id": d["community_id"]},
            "created_at": now(),
            "read_at": None,
        }
        text = json.dumps(notification, ensure_ascii=False, separators=(",", ":"))
        frame = f"id: {self.seq}\nevent: notification\ndata: {text}\n\n".encode()
        for stream in self.streams.get(d["owner_id"], ()):
            stream.offer(frame)

    async def stream(self, request: Request) -> StreamingResponse:
        user_id = bearer(request)

        async def frames() -> AsyncIterator[bytes]:
            live = LiveStream(QUEUE)
            self.streams.setdefault(user_id, set()).add(live)
            try:
                yield b"retry: 3000\n\n"
                while True:
                    try:
                        frame = await asyncio.wait_for(live.next(), timeout=HEARTBEAT)
                    except TimeoutError:
                        yield b": heartbeat\n\n"
                        continue
                    if frame is None:
                        return
                    yield frame
            finally:
                self.streams[user_id].discard(live)

        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(frames(), media_type="text/event-stream", headers=headers)


async def healthz(_: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def create_app(role: str, nats_url: str) -> Starlette:
    publisher, pusher = Publisher(), Pusher()

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        nc: NATS = await nats.connect(nats_url, name=f"bare-notify-{role}")
        js = nc.jetstream(timeout=10)
        await declare_stream(js, BARE_STREAM, replicas=1)
        sink: PipelinedPull | None = None
        if role == "publisher":
            publisher.js = js
        else:
            # Linli's consumer settings (explicit ack, deliver all, ack_wait, max_ack_pending), this subject.
            await js.add_consumer(BARE_STREAM, dataclasses.replace(bare_consumer_config(), filter_subjects=[SUBJECT]))
            sink = PipelinedPull(nc, pusher.on_msg)
            await sink.start()
        try:
            yield
        finally:
            if sink is not None:
                await sink.stop()
            await nc.close()

    routes = [Route("/healthz", healthz)]
    if role == "publisher":
        routes.append(Route("/api/v1/swaps/{owner_id}/offers", publisher.offer, methods=["POST"]))
    else:
        routes.append(Route("/api/v1/notifications/stream", pusher.stream))
    return Starlette(routes=routes, lifespan=lifespan)


if __name__ == "__main__":
    role, nats_url, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if role not in ("publisher", "pusher"):
        raise SystemExit("role: publisher or pusher")
    uvicorn.run(
        create_app(role, nats_url),
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )
