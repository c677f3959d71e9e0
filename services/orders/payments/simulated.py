"""The embedded default payment provider: it "collects" at once and confirms through the same
signed webhook a real provider would call, so the asynchronous path is the one that runs."""

import asyncio
import json
import uuid
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

from shared.http import Origin
from shared.logging import get_logger

log = get_logger(__name__)


class SimulatedPaymentProvider:
    def __init__(self, *, webhook_url: str, webhook_secret: str, delay: float) -> None:
        self.webhook_url, self.delay = webhook_url, delay
        self._signer = Webhook(webhook_secret)
        self._http = Origin(webhook_url, connections=16, timeout=5)
        self._pending: set[asyncio.Task[None]] = set()

    async def request_payment(self, *, order_id: str, amount_fen: int) -> None:
        task = asyncio.create_task(self._confirm_later(order_id, amount_fen))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _confirm_later(self, order_id: str, amount_fen: int) -> None:
        await asyncio.sleep(self.delay)
        message_id = f"msg_{uuid.uuid4().hex}"
        now = datetime.now(UTC)
        body = json.dumps(
            {
                "type": "payment.succeeded",
                "timestamp": now.isoformat(),
                "data": {
                    "order_id": order_id,
                    "payment_id": f"sim_{uuid.uuid4().hex[:16]}",
                    "amount_fen": amount_fen,
                },
            }
        )
        headers = {
            "webhook-id": message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": self._signer.sign(message_id, now, body),
            "content-type": "application/json",
        }
        for attempt in range(5):  # a real provider retries too
            try:
                response = await self._http.request("POST", self.webhook_url, content=body.encode(), headers=headers)
                if response.status_code < 500:
                    if response.status_code >= 400:
                        log.warning("payment webhook refused", order_id=order_id, status=response.status_code)
                    return
            except httpx.HTTPError as exc:
                log.info("payment webhook not delivered; retrying", order_id=order_id, error=repr(exc))
            await asyncio.sleep(0.5 * 2**attempt)
        log.error("payment webhook given up", order_id=order_id)

    async def refund(self, *, order_id: str, amount_fen: int) -> None:
        log.info("simulated refund issued", order_id=order_id, amount_fen=amount_fen)

    async def close(self) -> None:
        for task in list(self._pending):
            task.cancel()
        await self._http.aclose()
