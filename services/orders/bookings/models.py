from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime
from sqlmodel import CheckConstraint, Field, Index, UniqueConstraint

from services.orders.base import OrdersModel
from shared.auth import Principal
from shared.fields import EntityId
from shared.models import UTCDateTime, new_id, utcnow

Kind = Literal["slot", "inquiry"]
Status = Literal["requested", "confirmed", "declined", "cancelled", "completed", "reviewed"]

# --------------------------------------------------------------------------------------------
# Slots


class Slot(OrdersModel, table=True):
    """A slot that holds bookings: an occurrence of the offering's schedule (made a row when first
    booked, `capacity` None: the offering's) or one the provider published (its own capacity).
    `booked` counts the bookings holding a place and changes only under the row's lock."""

    __table_args__ = (
        UniqueConstraint("offering_id", "starts_at", name="uq_slot_offering_start"),
        CheckConstraint("booked >= 0", name="ck_slot_booked_not_negative"),
    )

    id: str = Field(default_factory=new_id, primary_key=True)
    offering_id: str
    provider_id: str
    starts_at: datetime = Field(sa_type=UTCDateTime)
    capacity: int | None = None
    booked: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def published(self) -> bool:
        return self.capacity is not None


class SlotCreate(OrdersModel):
    starts_at: AwareDatetime = Field(description="When the slot starts, with a time zone")
    capacity: int = Field(ge=1, le=1000, description="Bookings the slot takes")


class SlotPublic(OrdersModel):
    """A slot as anyone who may book it sees it: when, and how many places are left (never who took them)."""

    slot_id: str | None = Field(description="Set for slots the provider published (to withdraw one)")
    offering_id: str
    starts_at: datetime
    ends_at: datetime
    remaining: int
    published: bool


# --------------------------------------------------------------------------------------------
# Bookings


class BookingCreate(OrdersModel):
    offering_id: EntityId
    community_id: EntityId = Field(description="Your community the provider is listed in")
    starts_at: AwareDatetime = Field(description="The slot: an occurrence of the schedule or a published slot")
    note: str = Field(default="", max_length=500, description="For the provider, e.g. what needs doing")


class InquiryCreate(OrdersModel):
    offering_id: EntityId
    community_id: EntityId = Field(description="Your community the provider is listed in")
    note: str = Field(min_length=2, max_length=500, description="What you would like, for the provider")


class Booking(OrdersModel, table=True):
    """A resident's booking of a slot, or inquiry; the offering's terms are kept as they were when booked."""

    __table_args__ = (
        Index("ix_booking_provider_created", "provider_id", "created_at"),
        Index("ix_booking_resident_created", "resident_id", "created_at"),
        Index("ix_booking_community_created", "community_id", "created_at"),
        Index("ix_booking_offering_start_resident", "offering_id", "starts_at", "resident_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True)
    kind: str  # slot | inquiry
    offering_id: str
    offering_name: str
    category: str
    provider_id: str
    community_id: str
    resident_id: str
    starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str = ""
    status: str = "requested"
    price_fen: int | None  # None: by quote
    free_cancellation_hours: int
    late_cancellation_fee_fen: int | None
    late_cancellation_fee_percent: int | None
    reason: str | None = None  # why it was declined or cancelled
    cancelled_by: str | None = None  # resident | provider
    cancellation_fee_fen: int = 0
    flagged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    flag_reason: str | None = None
    rating: int | None = None
    review: str | None = None
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reply: str | None = None
    replied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BookingPublic(OrdersModel):
    id: str
    kind: Kind
    offering_id: str
    offering_name: str
    category: str
    provider_id: str
    community_id: str
    resident_id: str | None = Field(
        description="Shown to the resident, their leaders and operators; not to the provider"
    )
    starts_at: datetime | None
    ends_at: datetime | None
    note: str
    status: Status
    price_fen: int | None = Field(description="In fen; null: priced by quote")
    free_cancellation_hours: int = Field(description="Cancelling is free until this long before the slot")
    late_cancellation_fee_fen: int | None
    late_cancellation_fee_percent: int | None
    reason: str | None = Field(description="Why it was declined or cancelled")
    cancelled_by: Literal["resident", "provider"] | None
    cancellation_fee_fen: int
    flagged_at: datetime | None = Field(description="When the provider was suspended with this booking open")
    flag_reason: str | None
    rating: int | None
    review: str | None
    reviewed_at: datetime | None
    reply: str | None = Field(description="The provider's one reply to the review")
    replied_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, booking: Booking, *, viewer: Principal) -> "BookingPublic":
        hidden = {"resident_id": None} if viewer.kind == "partner" else {}  # providers learn what they need only
        return cls.model_validate({**booking.model_dump(), **hidden})


class Reason(OrdersModel):
    reason: str = Field(min_length=2, max_length=500)


class Cancellation(OrdersModel):
    reason: str = Field(default="", max_length=500)


class ReviewCreate(OrdersModel):
    rating: int = Field(ge=1, le=5)
    text: str = Field(default="", max_length=1000, description="How it went, in your words")


class ReplyCreate(OrdersModel):
    text: str = Field(min_length=1, max_length=1000)
