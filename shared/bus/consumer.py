"""A durable JetStream pull consumer that keeps flowing through server restarts.

nats-py's `fetch()` can stall for its whole timeout when an earlier pull request is orphaned
on the server (nats.py #986), and a pull subscription can go silent after a server restart
(nats.py #504). So Linli drives the pull protocol itself: one inbox subscription, one pull
request at a time with `expires` and `idle_heartbeat`, every delivery processed as it arrives
(never waiting for a batch to fill), and a watchdog that re-issues the pull request — and
re-creates the consumer if the server lost it — when heartbeats stop. Messages already waiting
are handed over together, so a busy consumer applies them in one transaction.

Redelivery is bounded: a failed event is NAKed with the next delay of the service's backoff
schedule, and after `max_deliver` attempts it is parked as a dead letter and terminated.
`ack_wait` stays as the timeout for a consumer that died mid-message (the server's `backoff`
option would replace it, so it is not used).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable

import nats.errors
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from shared.bus.streams import declare_stream
from shared.logging import get_logger

log = get_logger(__name__)

ProcessFn = Callable[[list[Msg]], Awaitable[None]]


class PullConsumer:
    def __init__(
        self,
        nc: NATS,
        js: JetStreamContext,
        *,
        stream: str,
        durable: str,
        subjects: list[str],
        process: ProcessFn,
        max_deliver: int,
        replicas: int = 1,
        ack_wait: float = 30.0,
        batch: int = 128,
        expires: float = 30.0,
        heartbeat: float = 1.0,
    ) -> None:
        self.nc, self.js = nc, js
        self.stream, self.durable, self.subjects = stream, durable, subjects
        self.process = process
        self.max_deliver, self.replicas, self.ack_wait = max_deliver, replicas, ack_wait
        self.batch, self.expires, self.heartbeat = batch, expires, heartbeat
        self._reset = asyncio.Event()
        self._stopping = False
        self.idle = True  # waiting for NATS, not inside a database transaction: safe to cancel

    def stop(self) -> None:
        """Finish the batch in hand, then return (Bus.stop cancels the loop only while idle)."""
        self._stopping = True

    def reset(self) -> None:
        """Re-issue the pull request now (called when the connection comes back)."""
        self._reset.set()

    async def ensure(self) -> None:
        """Declare the stream (idempotent, so start order does not matter) and this durable consumer."""
        await declare_stream(self.js, self.stream, replicas=self.replicas)
        config = ConsumerConfig(
            durable_name=self.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.ack_wait,
            max_deliver=self.max_deliver,
            max_ack_pending=self.batch * 8,
            filter_subjects=self.subjects,
        )
        await self.js.add_consumer(self.stream, config)  # creates, or updates to this config

    async def run(self) -> None:
        inbox = self.nc.new_inbox()
        sub = await self.nc.subscribe(inbox, pending_msgs_limit=self.batch * 4)
        pull_subject = f"$JS.API.CONSUMER.MSG.NEXT.{self.stream}.{self.durable}"
        request = json.dumps(
            {"batch": self.batch, "expires": int(self.expires * 1e9), "idle_heartbeat": int(self.heartbeat * 1e9)}
        ).encode()
        silence_limit = self.heartbeat * 3
        outstanding = 0  # messages still due on the current pull request
        try:
            while not self._stopping:
                if outstanding == 0 or self._reset.is_set():
                    self._reset.clear()
                    try:
                        await self.nc.publish(pull_subject, request, reply=inbox)
                        outstanding = self.batch
                    except Exception as exc:  # disconnected: wait for the reconnect
                        log.info("pull request not sent; retrying", stream=self.stream, error=repr(exc))
                        await asyncio.sleep(self.heartbeat)
                        continue
                batch: list[Msg] = []
                recover = False
                self.idle = True
                try:
                    msg = await sub.next_msg(timeout=silence_limit)
                    while True:
                        headers = msg.headers or {}
                        status = headers.get("Status")
                        if status is None:
                            batch.append(msg)
                            outstanding -= 1
                        elif status == "100":
                            if msg.reply:  # flow control asks for an answer; heartbeats do not
                                await self.nc.publish(msg.reply)
                        elif status in ("404", "408", "409"):
                            # The pull request ended (no messages / expired / consumer changed or deleted).
                            recover = "Consumer Deleted" in headers.get("Description", "")
                            outstanding = 0
                        else:
                            log.warning("unexpected pull status", status=status, headers=headers)
                            outstanding = 0
                        if sub.pending_msgs == 0 or len(batch) >= self.batch:
                            break
                        msg = await sub.next_msg(timeout=silence_limit)
                except nats.errors.TimeoutError:
                    # No message and no heartbeat: the server lost our pull request (restart,
                    # failover) or the consumer itself. Make sure it exists and ask again.
                    log.info("pull consumer silent; re-issuing pull", stream=self.stream)
                    recover, outstanding = True, 0
                except nats.errors.ConnectionClosedError:
                    return
                finally:
                    self.idle = False
                if batch:
                    try:
                        await self.process(batch)
                    except Exception:  # e.g. database down: no ack, so ack_wait redelivers them
                        log.exception("processing failed; messages left for redelivery", count=len(batch))
                if recover:
                    await self._recover()
        finally:
            if not self.nc.is_closed:
                with contextlib.suppress(Exception):
                    await sub.unsubscribe()

    async def _recover(self) -> None:
        try:
            await self.js.consumer_info(self.stream, self.durable)
        except NotFoundError:
            log.warning("consumer missing on the server; re-creating", stream=self.stream, durable=self.durable)
            try:
                await self.ensure()
            except Exception as exc:
                log.warning("could not re-create consumer", error=repr(exc))
        except Exception as exc:  # still disconnected or JetStream not ready
            log.info("consumer check failed; will retry", error=repr(exc))
            await asyncio.sleep(self.heartbeat)
