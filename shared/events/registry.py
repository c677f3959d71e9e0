"""The registry of event types: one typed schema per (type, version), shared by publisher and
consumers, and the source the published event catalogue is generated from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.events.envelope import EventData


@dataclass
class Registry:
    types: dict[str, type[EventData]] = field(default_factory=dict)

    def add(self, schema: type[EventData]) -> None:
        existing = self.types.get(schema.event_type)
        if existing is not None and existing is not schema:
            raise ValueError(f"event type {schema.event_type} is defined twice")
        self.types[schema.event_type] = schema

    def get(self, type_: str) -> type[EventData] | None:
        return self.types.get(type_)

    def streams(self) -> dict[str, list[str]]:
        """Stream name → event types, one stream per publishing service (ORDERS holds orders.>)."""
        streams: dict[str, list[str]] = {}
        for name in sorted(self.types):
            streams.setdefault(stream_of(name), []).append(name)
        return streams


def stream_of(event_type: str) -> str:
    return event_type.split(".", 1)[0].upper()


REGISTRY = Registry()
