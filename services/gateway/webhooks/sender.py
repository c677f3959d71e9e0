"""Sending one delivery: signed the Standard Webhooks way, over an endpoint's own connections,
within the timeout, through the SSRF guard; the answer (or the error) becomes an `Outcome`."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

import httpcore
import httpx
from standardwebhooks.webhooks import Webhook

from services.gateway.webhooks.deliveries import Due, Outcome
from services.gateway.webhooks.guard import Guard, GuardedBackend
from services.gateway.webhooks.schedule import parse_retry_after
from shared.models import utcnow

RESPONSE_KEPT = 500  # characters of an endpoint's answer kept in the attempt log
USER_AGENT = "Linli-Webhooks/1"


class Sender:
    """Each endpoint (subscription) has a connection pool of its own, as large as its concurrency,
    so a slow endpoint's connections are never another's to wait for."""

    def __init__(self, *, guard: Guard, timeout: float, per_endpoint: int) -> None:
        self.guard, self.timeout, self.per_endpoint = guard, timeout, per_endpoint
        self._backend = GuardedBackend(guard)
        self._tls = httpx.create_ssl_context()  # one CA bundle for all pools
        self._pools: dict[str, httpcore.AsyncConnectionPool] = {}

    def _pool(self, endpoint: str) -> httpcore.AsyncConnectionPool:
        pool = self._pools.get(endpoint)
        if pool is None:
            pool = self._pools[endpoint] = httpcore.AsyncConnectionPool(
                ssl_context=self._tls,
                max_connections=self.per_endpoint,
                keepalive_expiry=30,
                network_backend=self._backend,
            )
        return pool

    async def retire(self, keep: set[str]) -> None:
        """Close the connections of endpoints no longer in use (disabled, deleted, nothing in flight)."""
        for endpoint in [e for e in self._pools if e not in keep]:
            await self._pools.pop(endpoint).aclose()

    async def send(self, due: Due) -> Outcome:
        endpoint = due.endpoint
        attempted_at, started = utcnow(), time.monotonic()
        status: int | None = None
        headers: list[tuple[bytes, bytes]] = []
        answer, error = b"", None
        try:
            parts = urlsplit(endpoint.url)
            if parts.scheme != "https" and not self.guard.trusted(parts.hostname or ""):
                raise httpcore.UnsupportedProtocol("webhook URLs must be https")
            signature = Webhook(endpoint.signing_secret).sign(due.message_id, attempted_at, due.payload)
            request_headers = [
                ("content-type", "application/json"),
                ("user-agent", USER_AGENT),
                ("webhook-id", due.message_id),
                ("webhook-timestamp", str(int(attempted_at.timestamp()))),
                ("webhook-signature", signature),
            ]
            async with asyncio.timeout(self.timeout):  # for the whole exchange, connecting included
                async with self._pool(endpoint.subscription_id).stream(
                    "POST", endpoint.url, headers=request_headers, content=due.payload.encode()
                ) as response:
                    status, headers = response.status, response.headers
                    async for chunk in response.aiter_stream():
                        answer += chunk
                        if len(answer) >= RESPONSE_KEPT:
                            break
        except TimeoutError:
            if status is None:  # an answer that came in time but dragged its body still counts
                error = f"no answer within {self.timeout:g} s"
        except httpcore.ConnectError as exc:
            error = f"could not connect: {exc or 'refused'}"
        except Exception as exc:  # whatever went wrong is this attempt's outcome, logged for the partner
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        retry_after = None
        for name, value in headers:
            if name.lower() == b"retry-after":
                retry_after = parse_retry_after(value.decode("latin-1"), now=attempted_at)
        return Outcome(
            due=due,
            attempted_at=attempted_at,
            duration_ms=round((time.monotonic() - started) * 1000),
            status_code=status,
            error=error,
            response=answer.decode("utf-8", errors="replace")[:RESPONSE_KEPT],
            retry_after=retry_after,
        )

    async def aclose(self) -> None:
        for pool in self._pools.values():
            await pool.aclose()
        self._pools.clear()
