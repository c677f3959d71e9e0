"""A partner's webhook endpoint for tests and the bench: a real HTTP server (uvicorn) on a free
port that verifies every delivery with the public `standardwebhooks` library, records it, and
answers as told (a status, after a delay). It can be stopped and started again on its port."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import uvicorn
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from deploy.processes import free_port


@dataclass(frozen=True)
class Received:
    webhook_id: str
    type: str
    data: dict[str, Any]
    timestamp: int  # webhook-timestamp: when the gateway signed this attempt
    occurred: float  # the payload's timestamp: when the event happened (Unix seconds)
    at: float  # time.time() on arrival


@dataclass
class Receiver:
    secret: str = ""
    status: int = 204
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)  # sent with every answer (e.g. retry-after)
    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)  # verified deliveries, answered `status`
    refused: list[str] = field(default_factory=list)  # webhook-ids of deliveries whose signature failed
    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/linli/webhooks"

    def counts(self) -> Counter[str]:
        """How often each webhook-id was received (and answered `status`)."""
        return Counter(r.webhook_id for r in self.received)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            payload = Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            self.refused.append(headers.get("webhook-id", ""))
            await _answer(send, 400, {})
            return
        self.received.append(
            Received(
                webhook_id=headers["webhook-id"],
                type=payload["type"],
                data=payload["data"],
                timestamp=int(headers["webhook-timestamp"]),
                occurred=datetime.fromisoformat(payload["timestamp"]).timestamp(),
                at=time.time(),
            )
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        await _answer(send, self.status, self.headers)

    async def start(self) -> None:
        config = uvicorn.Config(
            self, host="127.0.0.1", port=self.port, lifespan="off", log_level="critical", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                await self._task  # raises why it could not start
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            self._server.force_exit = True  # do not wait for slow requests in flight
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._server, self._task = None, None


async def _answer(send: Any, status: int, headers: dict[str, str]) -> None:
    body = json.dumps({"ok": 200 <= status < 300}).encode()
    raw = [(b"content-type", b"application/json"), *((k.encode(), v.encode()) for k, v in headers.items())]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
