"""Stream declarations: one stream per publishing service (ORDERS holds `orders.>`)."""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError

# JetStream drops a re-published Nats-Msg-Id only inside this window (default 2 minutes); beyond
# it the consumer's inbox is what makes a late duplicate harmless.
DUPLICATE_WINDOW = 120.0
RETENTION = 30 * 24 * 3600.0


def stream_config(name: str, *, replicas: int) -> StreamConfig:
    return StreamConfig(
        name=name,
        subjects=[f"{name.lower()}.>"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        num_replicas=replicas,
        duplicate_window=DUPLICATE_WINDOW,
        max_age=RETENTION,
        discard=DiscardPolicy.OLD,
    )


async def declare_stream(js: JetStreamContext, name: str, *, replicas: int) -> None:
    """Create the stream, or bring an existing one to this configuration (idempotent)."""
    config = stream_config(name, replicas=replicas)
    try:
        await js.add_stream(config)
    except BadRequestError as exc:
        if exc.err_code != 10058:  # "stream name already in use with a different configuration"
            raise
        await js.update_stream(config)
