from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import JSON, Column, Field

from services.gateway.base import GatewayModel
from shared.models import UTCDateTime, utcnow


class Kind(StrEnum):
    """What a notification is about; a person switches each kind on or off (inbox, push)."""

    session_reminder = "session_reminder"
    event_reminder = "event_reminder"
    event_announcement = "event_announcement"
    event_cancelled = "event_cancelled"
    waitlist_promoted = "waitlist_promoted"
    event_fee = "event_fee"
    registration_notice = "registration_notice"
    swap_offer = "swap_offer"
    swap_offer_answered = "swap_offer_answered"
    booking_update = "booking_update"
    demand_alert = "demand_alert"


class Notification(GatewayModel, table=True):
    """One item of a person's inbox. The integer id orders the inbox and is the SSE event id, so a
    reconnecting stream resumes after the last one it saw (Last-Event-ID)."""

    __table_args__ = (
        UniqueConstraint("source_event_id", "user_id"),  # one per (event, recipient), whatever redelivers
        Index("ix_notification_user_id_id", "user_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: str
    kind: str
    title: str
    title_en: str
    body: str
    link: str
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    community_id: str | None = None
    source_event_id: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotificationPreference(GatewayModel, table=True):
    """A kind a person changed from the default (everything on); absent rows mean on."""

    user_id: str = Field(primary_key=True)
    kind: str = Field(primary_key=True)
    inbox: bool = True
    push: bool = True


class CommunityLeader(GatewayModel, table=True):
    """Who leads each community, from community's member events: the recipients of demand alerts."""

    community_id: str = Field(primary_key=True)
    user_id: str = Field(primary_key=True)


class BookingResident(GatewayModel, table=True):
    """Who booked each booking. orders' booking events leave the resident out of their payloads (partners
    receive them as webhooks); the envelope of `orders.booking.requested` names them as its actor."""

    booking_id: str = Field(primary_key=True)
    user_id: str


class NotificationPublic(BaseModel):
    id: int
    kind: Kind
    title: str
    title_en: str
    body: str
    link: str
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, row: Notification) -> "NotificationPublic":
        return cls.model_validate(row, from_attributes=True)


class NotificationPage(BaseModel):
    items: list[NotificationPublic]
    next_cursor: str | None = None  # pass as `cursor` for the next (older) page; None: no more


class UnreadCount(BaseModel):
    total: int
    by_kind: dict[Kind, int]


class Channels(BaseModel):
    inbox: bool = True  # off: not stored (nor streamed)
    push: bool = True  # off: not pushed to the phone


Preferences = dict[Kind, Channels]
