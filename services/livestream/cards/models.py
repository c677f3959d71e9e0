from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, model_validator
from sqlmodel import JSON, Column, Field

from services.livestream.base import LivestreamModel
from shared.fields import EntityId
from shared.models import UTCDateTime, new_id, utcnow


class CardKind(StrEnum):
    deal = "deal"
    service = "service"
    event = "event"
    testimonial = "testimonial"


class EventDetails(BaseModel):
    """An event card for an event livestream has not heard of (from another system, or not announced
    yet): what the host says of it. Events community announced need none."""

    title: str = Field(min_length=1, max_length=120)
    starts_at: datetime
    capacity_left: int | None = Field(default=None, ge=0)


class CardCreate(BaseModel):
    kind: CardKind
    ref_id: EntityId = Field(description="The deal, offering, community event or testimonial the card shows")
    event: EventDetails | None = Field(default=None, description="For an event community has not announced")
    pin: bool = Field(default=False, description="Pin it at once")

    @model_validator(mode="after")
    def _event_details(self) -> "CardCreate":
        if self.event is not None and self.kind != CardKind.event:
            raise ValueError("only an event card carries event details")
        return self


class Card(LivestreamModel, table=True):
    """A card on the session's list; one at a time is pinned (featured on screen)."""

    id: str = Field(default_factory=new_id, primary_key=True)
    session_id: str = Field(foreign_key="livesession.id", index=True)
    kind: str
    ref_id: str = Field(index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    position: int
    pinned: bool = False
    pinned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TestimonialCreate(BaseModel):
    order_id: EntityId
    text: str = Field(min_length=5, max_length=500)


class Testimonial(LivestreamModel, table=True):
    """A resident's experience of a product they paid for (the card links to that verified purchase)."""

    id: str = Field(default_factory=new_id, primary_key=True)
    session_id: str = Field(foreign_key="livesession.id", index=True)
    community_id: str
    author_id: str
    order_id: str
    text: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TestimonialPublic(LivestreamModel):
    id: str
    session_id: str
    author_id: str
    author_name: str
    order_id: str
    product_name: str
    picked_up: bool
    text: str
    created_at: datetime
