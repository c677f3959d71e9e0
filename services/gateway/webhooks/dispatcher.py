"""The webhook sender: a background task of the gateway (a lifespan extension).

Rounds run one at a time, woken when an event's deliveries commit, when a send finishes, and
every `webhook_poll_seconds` (for retries coming due). A round leases, for each active endpoint
with free slots (`webhook_endpoint_concurrency`; one for an endpoint being probed, none for a
paused one, see `health.py`), that many of its due deliveries, starting with a different endpoint
each round while the overall limit (`webhook_concurrency`) is short. Each send runs in a task of
its own with the timeout, so a dead or slow endpoint holds its own slots and nothing else: the
others' deliveries are claimed and sent meanwhile. Outcomes are written in batches (group
commit), every attempt logged.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from services.gateway.settings import Settings
from services.gateway.webhooks import deliveries
from services.gateway.webhooks.deliveries import Due, Outcome, Policy
from services.gateway.webhooks.guard import Guard
from services.gateway.webhooks.health import EndpointHealth
from services.gateway.webhooks.sender import Sender
from shared.batching import Batcher
from shared.db import Database
from shared.logging import get_logger
from shared.models import utcnow

log = get_logger(__name__)
_STOP_GRACE = 5.0  # seconds a send in flight may finish when the gateway stops; the rest resend later


class Dispatcher:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.guard = Guard(allow_private=settings.webhook_allow_private, allowed_hosts=settings.webhook_allowed_hosts)
        self.policy = Policy(
            schedule=settings.webhook_retry_schedule,
            jitter=settings.webhook_retry_jitter,
            disable_after=timedelta(days=settings.webhook_disable_after_days),
        )
        # A claimed delivery is someone's until its send has surely ended and been recorded (a
        # crashed instance's claims come due again then).
        self.lease = timedelta(seconds=2 * settings.webhook_timeout_seconds)
        self.in_flight: Counter[str] = Counter()
        schedule = settings.webhook_retry_schedule
        self.health = EndpointHealth(
            first_pause=schedule[min(1, len(schedule) - 1)], max_pause=settings.webhook_probe_max_seconds
        )
        self._db: Database | None = None
        self._sender: Sender | None = None
        self._recorder: Batcher[Outcome, None] | None = None
        self._woken = asyncio.Event()
        self._stopping = False
        self._sends: set[asyncio.Task[None]] = set()
        self._turn = 0

    async def wake(self) -> None:
        """Run a round now (async: it is an after-commit action)."""
        self._woken.set()

    @contextlib.asynccontextmanager
    async def running(self, app: FastAPI) -> AsyncIterator[None]:
        """The lifespan extension: sends while the gateway runs."""
        app.state.dispatcher = self
        self._db = app.state.db
        self._sender = Sender(
            guard=self.guard,
            timeout=self.settings.webhook_timeout_seconds,
            per_endpoint=self.settings.webhook_endpoint_concurrency,
        )
        self._recorder = Batcher(self._record)
        loop = asyncio.create_task(self._loop(), name="webhook-dispatcher")
        try:
            yield
        finally:
            self._stopping = True
            self._woken.set()
            await loop
            if self._sends:
                _, late = await asyncio.wait(self._sends, timeout=_STOP_GRACE)
                for task in late:
                    task.cancel()
                await asyncio.gather(*late, return_exceptions=True)
            await self._recorder.aclose()
            await self._sender.aclose()

    async def _loop(self) -> None:
        while not self._stopping:
            self._woken.clear()
            try:
                await self._round()
            except Exception:
                log.exception("webhook round failed; will run again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), self.settings.webhook_poll_seconds)

    async def _round(self) -> None:
        assert self._db is not None and self._sender is not None
        budget = self.settings.webhook_concurrency - self.in_flight.total()
        now = utcnow()
        async with self._db.session() as session:
            endpoints = await deliveries.active_endpoints(session)
            self.health.forget_all_but(endpoints)
            wanted: dict[str, int] = {}
            order = sorted(endpoints)
            self._turn = (self._turn + 1) % max(1, len(order))
            for endpoint in order[self._turn :] + order[: self._turn]:
                limit = self.health.limit(endpoint, self.settings.webhook_endpoint_concurrency)
                free = min(limit - self.in_flight[endpoint], budget)
                if free > 0:
                    wanted[endpoint], budget = free, budget - free
            claimed = await deliveries.claim_due(session, endpoints=endpoints, wanted=wanted, now=now, lease=self.lease)
            await session.commit()
        await self._sender.retire(set(endpoints) | {e for e, n in self.in_flight.items() if n})
        for due in claimed:
            self.in_flight[due.endpoint.subscription_id] += 1
            task = asyncio.create_task(self._deliver(due), name=f"webhook {due.delivery_id}")
            self._sends.add(task)
            task.add_done_callback(self._sends.discard)

    async def _deliver(self, due: Due) -> None:
        assert self._sender is not None and self._recorder is not None
        endpoint = due.endpoint.subscription_id
        try:
            outcome = await self._sender.send(due)
            self.health.observe(endpoint, outcome)  # before the slot is free: the next round knows
        finally:
            self.in_flight[endpoint] -= 1
            self._woken.set()  # a slot is free
        try:
            await self._recorder.submit(outcome)
        except Exception:
            log.exception("could not record a webhook attempt; it is sent again when its lease ends")

    async def _record(self, outcomes: list[Outcome]) -> list[Any]:
        assert self._db is not None
        async with self._db.session() as session:
            await deliveries.record_outcomes(session, outcomes, policy=self.policy, now=utcnow())
            await session.commit()
        return [None] * len(outcomes)
