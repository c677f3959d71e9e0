"""The CloudEvents-shaped envelope every Linli event travels in (ARCHITECTURE "Events")."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.correlation import current_trace
from shared.events.registry import REGISTRY


class EventData(BaseModel):
    """Base of every event's typed payload. Subclasses are registered with `@event_type`."""

    # Tolerant reader: a field added to a schema (an additive, same-version change) does not break
    # consumers that have not been redeployed yet; a breaking change gets a new version instead.
    model_config = ConfigDict(extra="ignore", frozen=True)
    event_type: ClassVar[str]
    version: ClassVar[int] = 1
    summary: ClassVar[str] = ""


D = TypeVar("D", bound=EventData)


def event_type(name: str, *, version: int = 1, summary: str = ""):  # type: ignore[no-untyped-def]
    """Register a payload class as the schema of event type `name` (`<service>.<aggregate>.<event>`)."""

    def register(cls: type[D]) -> type[D]:
        if name.count(".") != 2:
            raise ValueError(f"event type {name!r} is not <service>.<aggregate>.<event>")
        cls.event_type, cls.version, cls.summary = name, version, summary or " ".join((cls.__doc__ or "").split())
        REGISTRY.add(cls)
        return cls

    return register


class Event(BaseModel, Generic[D]):
    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Unique id; also the NATS Nats-Msg-Id used for de-duplication.")
    type: str = Field(description="<service>.<aggregate>.<event>; also the NATS subject.")
    version: int = Field(ge=1)
    source: str = Field(description="The publishing service.")
    time: datetime
    subject: str = Field(description="Id of the aggregate the event is about.")
    community_id: str | None = None
    actor_id: str | None = Field(default=None, description="Who caused it (user id), if a person did.")
    correlation_id: str
    causation_id: str | None = Field(default=None, description="Id of the event that caused this one.")
    data: D


class RejectedEvent(Exception):
    """A message that is not a valid Linli event; the reason is logged and the message parked."""


def new_event(
    data: D, *, subject: str, community_id: str | None = None, actor_id: str | None = None, id_: str | None = None
) -> Event[D]:
    """The envelope for `data`, in the current trace; `id_` for an event that must keep one id however
    often it is built (e.g. from a webhook the sender may retry), a fresh UUID otherwise."""
    trace = current_trace()
    return Event[type(data)](  # type: ignore[misc,operator]
        id=id_ or str(uuid.uuid4()),
        type=data.event_type,
        version=data.version,
        source=data.event_type.split(".", 1)[0],
        time=datetime.now(UTC),
        subject=subject,
        community_id=community_id,
        actor_id=actor_id,
        correlation_id=trace.correlation_id,
        causation_id=trace.causation_id,
        data=data,
    )


def parse_event(raw: bytes | str) -> Event[Any]:
    """Validate an envelope and its payload against the registered schema, or raise RejectedEvent."""
    try:
        envelope = Event[dict[str, Any]].model_validate_json(raw)  # type: ignore[type-var]
    except ValidationError as exc:
        raise RejectedEvent(f"malformed envelope: {_first_error(exc)}") from None
    schema = REGISTRY.get(envelope.type)
    if schema is None:
        raise RejectedEvent(f"unknown event type {envelope.type!r}")
    if envelope.source != envelope.type.split(".", 1)[0]:
        raise RejectedEvent(f"{envelope.type} cannot come from {envelope.source!r}")
    if envelope.version != schema.version:
        raise RejectedEvent(f"unsupported version {envelope.version} of {envelope.type}")
    try:
        data = schema.model_validate(envelope.data)
    except ValidationError as exc:
        raise RejectedEvent(f"invalid {envelope.type} payload: {_first_error(exc)}") from None
    return Event[schema](**{**envelope.model_dump(exclude={"data"}), "data": data})  # type: ignore[valid-type]


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}"
