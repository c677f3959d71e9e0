"""The service's connection to NATS JetStream: streams, the outbox relay and the consumers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any, Literal

import nats
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from shared.bus import deadletters
from shared.bus.consumer import PullConsumer
from shared.bus.handlers import EventHandlers
from shared.bus.outbox import CORRELATION_HEADER, OutboxRelay
from shared.bus.retention import Housekeeper, PruneJob
from shared.bus.streams import declare_stream
from shared.db import Database
from shared.errors import ServiceUnavailable
from shared.events import Event, RejectedEvent, parse_event
from shared.logging import get_logger

log = get_logger(__name__)


class Bus:
    def __init__(
        self,
        *,
        service: str,
        nats_url: str,
        db: Database,
        handlers: EventHandlers,
        replicas: int = 1,
        backoff: list[float] | None = None,
        relay_interval: float = 1.0,
        housekeeping: Sequence[PruneJob] = (),
    ) -> None:
        self.service, self.nats_url, self.db, self.handlers = service, nats_url, db, handlers
        self.replicas = replicas
        self.backoff = backoff or [1.0, 5.0, 30.0]
        self.relay_interval = relay_interval
        self.housekeeping = housekeeping
        self.nc: NATS | None = None
        self.js: JetStreamContext | None = None
        self.consumers: list[PullConsumer] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._workers: list[PullConsumer | OutboxRelay | Housekeeper] = []
        self._relay: OutboxRelay | None = None
        self._closing = False

    @property
    def max_deliver(self) -> int:
        return len(self.backoff) + 1

    @property
    def connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected

    async def start(self, connect_timeout: float = 30.0) -> None:
        self.nc = await self._connect(connect_timeout)
        self.js = self.nc.jetstream(timeout=10)
        await declare_stream(self.js, self.service.upper(), replicas=self.replicas)
        for stream, subjects in self.handlers.streams().items():
            consumer = PullConsumer(
                self.nc,
                self.js,
                stream=stream,
                durable=self.service,
                subjects=subjects,
                process=self._process,
                max_deliver=self.max_deliver,
                replicas=self.replicas,
            )
            await consumer.ensure()
            self.consumers.append(consumer)
        self._relay = OutboxRelay(self.db, self.js, interval=self.relay_interval)
        housekeeper = Housekeeper(self.db, self.housekeeping)
        self._workers = [self._relay, housekeeper, *self.consumers]
        self._tasks = [
            asyncio.create_task(self._relay.run(), name=f"{self.service}-relay"),
            asyncio.create_task(housekeeper.run(), name=f"{self.service}-housekeeping"),
        ]
        self._tasks += [asyncio.create_task(c.run(), name=f"{self.service}-{c.stream}") for c in self.consumers]

    async def _connect(self, patience: float) -> NATS:
        """Connect, retrying while NATS comes up; once connected, nats-py reconnects on its own."""
        deadline = asyncio.get_running_loop().time() + patience
        while True:
            try:
                return await nats.connect(
                    # A cluster is given as a comma-separated list; the client fails over between them.
                    servers=[url.strip() for url in self.nats_url.split(",") if url.strip()],
                    name=f"linli-{self.service}",
                    max_reconnect_attempts=-1,  # keep trying for as long as the service lives
                    reconnect_time_wait=0.5,
                    connect_timeout=2,
                    allow_reconnect=True,
                    reconnected_cb=self._on_reconnected,
                    disconnected_cb=self._on_disconnected,
                    error_cb=self._on_error,
                )
            except Exception as exc:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                log.info("NATS not reachable yet; retrying", url=self.nats_url, error=repr(exc))
                await asyncio.sleep(0.5)

    async def publish(self, event: Event[Any]) -> None:
        """Publish straight to JetStream, awaiting its acknowledgement: only for an event that is the
        whole of a change (nothing in the database goes with it, so there is nothing for an outbox
        to keep atomic). Raises ServiceUnavailable when it cannot be stored; the caller's client
        retries, and the same event id is de-duplicated by the stream."""
        try:
            if self.js is None:
                raise ConnectionError("the bus is not started")
            await self.js.publish(
                event.type,
                event.model_dump_json().encode(),
                headers={"Nats-Msg-Id": event.id, CORRELATION_HEADER: event.correlation_id},
                timeout=5,
            )
        except Exception as exc:
            log.warning("event not stored in JetStream", type=event.type, error=repr(exc))
            raise ServiceUnavailable("events cannot be stored right now; retry later") from None

    async def stop(self) -> None:
        """Let work in hand finish (a cancelled transaction would log errors), then disconnect."""
        self._closing = True
        for worker in self._workers:
            worker.stop()
        for task, worker in zip(self._tasks, self._workers, strict=True):
            if worker.idle:
                task.cancel()
        _done, late = await asyncio.wait(self._tasks, timeout=5) if self._tasks else (set(), set())
        for task in late:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.nc is not None and not self.nc.is_closed:
            await self.nc.close()

    async def _process(self, msgs: list[Msg]) -> None:
        """Apply a batch of deliveries; ack what is applied, retry or park what failed."""
        events: list[tuple[Msg, Event[Any]]] = []
        for msg in msgs:
            try:
                events.append((msg, parse_event(msg.data)))
            except RejectedEvent as exc:
                log.warning(
                    "event rejected", reason=str(exc), subject=msg.subject, stream_seq=msg.metadata.sequence.stream
                )
                await self._park(msg, error=str(exc), status="rejected")
        outcomes = await self.handlers.apply(self.db, [event for _, event in events])
        for (msg, event), outcome in zip(events, outcomes, strict=True):
            if outcome.status != "failed":
                await msg.ack()
                continue
            attempts = msg.metadata.num_delivered
            if attempts >= self.max_deliver:
                log.error(
                    "event dead-lettered",
                    event_id=event.id,
                    type=event.type,
                    attempts=attempts,
                    error=repr(outcome.error),
                )
                await self._park(msg, error=repr(outcome.error), status="dead", event=event)
            else:
                delay = self.backoff[attempts - 1]
                log.warning(
                    "handler failed; will retry",
                    event_id=event.id,
                    type=event.type,
                    attempts=attempts,
                    retry_in=delay,
                    error=repr(outcome.error),
                )
                await msg.nak(delay=delay)

    async def _park(
        self, msg: Msg, *, error: str, status: Literal["dead", "rejected"], event: Event[Any] | None = None
    ) -> None:
        meta = msg.metadata
        await deadletters.park(
            self.db,
            stream=meta.stream,
            stream_seq=meta.sequence.stream,
            payload=msg.data,
            error=error,
            attempts=meta.num_delivered,
            status=status,
            event_id=event.id if event else None,
            type_=event.type if event else msg.subject,
        )
        await msg.term()

    async def _on_reconnected(self) -> None:
        log.info(
            "reconnected to NATS",
            url=self.nc.connected_url.netloc if self.nc and self.nc.connected_url else None,
        )
        for consumer in self.consumers:
            consumer.reset()

    async def _on_disconnected(self) -> None:
        if not self._closing:
            log.warning("disconnected from NATS")

    async def _on_error(self, exc: Exception) -> None:
        log.info("NATS connection error", error=repr(exc))

    def status(self) -> dict[str, Any]:
        return {"connected": self.connected, "consumers": [c.stream for c in self.consumers]}
