"""Read what catalog published: the events in the CATALOG stream about one aggregate."""

from __future__ import annotations

import json
from typing import Any

import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from deploy.client import until


async def events_about(nats_url: str, subject: str, *, at_least: int = 1) -> list[dict[str, Any]]:
    """Events whose subject (aggregate id) is `subject`, oldest first, once there are `at_least`."""

    async def read() -> list[dict[str, Any]] | None:
        nc = await nats.connect(nats_url, name="test-catalog-events")
        try:
            js = nc.jetstream()
            info = await js.stream_info("CATALOG")
            psub = await js.pull_subscribe(
                "catalog.>",
                stream="CATALOG",
                config=ConsumerConfig(ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL),
            )
            found, seen = [], 0
            while seen < info.state.messages:
                for msg in await psub.fetch(500, timeout=5):
                    seen += 1
                    event = json.loads(msg.data)
                    if event["subject"] == subject:
                        found.append(event)
            await psub.unsubscribe()
            return found if len(found) >= at_least else None
        finally:
            await nc.close()

    return list(await until(read))
