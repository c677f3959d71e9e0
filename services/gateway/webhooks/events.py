"""Which events partners may receive, and what a delivery of one looks like.

A partner receives the events about its own provider: every event type of the aggregates below
whose payload names a `provider_id` (bookings and their reviews, listings and their vetting,
endorsements, papers, offerings). A new event type of those aggregates becomes subscribable
without a change here; another aggregate (complaints, say, which name residents) needs a decision.
"""

import json
import uuid

from shared.events import REGISTRY, Event, EventData

PARTNER_AGGREGATES = (
    "orders.booking.",
    "catalog.listing.",
    "catalog.endorsement.",
    "catalog.qualification.",
    "catalog.offering.",
)
# One event is one `webhook-id`, whichever subscription receives it and however often.
_MESSAGES = uuid.UUID("0b6f3c7e-5a41-4a8e-9d3f-6c2a1e7b9f10")


def partner_event_types() -> dict[str, type[EventData]]:
    return {
        name: schema
        for name, schema in sorted(REGISTRY.types.items())
        if name.startswith(PARTNER_AGGREGATES) and "provider_id" in schema.model_fields
    }


def message_id(event_id: str) -> str:
    return f"msg_{uuid.uuid5(_MESSAGES, event_id).hex}"


def webhook_body(event: Event[EventData]) -> str:
    """The Standard Webhooks payload shape: type, timestamp (when it happened), data (the event's
    payload, as its JSON Schema in docs/events describes it)."""
    body = {
        "type": event.type,
        "timestamp": event.time.isoformat().replace("+00:00", "Z"),
        "data": event.data.model_dump(mode="json"),
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
