"""The event bus: NATS JetStream with a transactional outbox, inbox de-duplication and dead letters.

- `emit(session, data, subject=…)`: stage an event in the same transaction as the state change.
- `Bus`: connects (with reconnect), declares streams, runs the outbox relay and the consumers.
- `EventHandlers`: what a service does with the events it consumes.
"""

from shared.bus.bus import Bus
from shared.bus.handlers import EventHandlers
from shared.bus.outbox import emit, emit_once, record_event

__all__ = ["Bus", "EventHandlers", "emit", "emit_once", "record_event"]
