"""Events: the envelope, one typed schema per event type, and the registry they are kept in."""

from shared.events.envelope import Event, EventData, RejectedEvent, event_type, new_event, parse_event
from shared.events.registry import REGISTRY

__all__ = ["REGISTRY", "Event", "EventData", "RejectedEvent", "event_type", "new_event", "parse_event"]

from shared.events import schemas  # noqa: E402,F401  registers every event type
