"""What a running system has published: its events read back from JetStream, as a partner would."""

from __future__ import annotations

from typing import Any

import nats
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import DeliverPolicy

from deploy.processes import LocalSystem
from shared.events import Event, parse_event


async def published(system: LocalSystem, event_type: str, *, subject: str) -> list[Event[Any]]:
    """Every event of `event_type` about `subject` in its stream so far, oldest first."""
    connection = await nats.connect(system.nats_url)
    try:
        stream = connection.jetstream()
        sub = await stream.subscribe(event_type, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL)
        events = []
        while True:
            try:
                message = await sub.next_msg(timeout=0.5)
            except NatsTimeout:
                break
            event = parse_event(message.data)
            if event.subject == subject:
                events.append(event)
        return events
    finally:
        await connection.close()
