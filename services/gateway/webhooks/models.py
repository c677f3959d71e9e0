from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import JSON, Column, Field

from services.gateway.base import GatewayModel
from shared.models import UTCDateTime, new_id, utcnow

ACTIVE, DISABLED, DELETED = "active", "disabled", "deleted"
PENDING, DELIVERED, FAILED, CANCELLED = "pending", "delivered", "failed", "cancelled"

SubscriptionStatus = Literal["active", "disabled"]
DeliveryStatus = Literal["pending", "delivered", "failed", "cancelled"]


class SubscriptionFields(GatewayModel):
    url: str = Field(max_length=2000, description="https URL on a public address; Linli POSTs each event to it")
    event_types: list[str] = Field(
        min_length=1, max_length=50, description="Event types to receive (GET /partner/v1/event-types)"
    )
    description: str = Field(default="", max_length=200)


class SubscriptionCreate(SubscriptionFields):
    pass


class SubscriptionUpdate(GatewayModel):
    url: str | None = Field(default=None, max_length=2000)
    event_types: list[str] | None = Field(default=None, min_length=1, max_length=50)
    description: str | None = Field(default=None, max_length=200)
    enabled: bool | None = Field(default=None, description="true re-enables a disabled subscription")


class WebhookSubscription(SubscriptionFields, table=True):
    """A provider's endpoint for the event types it chose. Deliveries are signed with the secret
    of the API key that created it (`key_id`); revoking the key disables it."""

    id: str = Field(default_factory=new_id, primary_key=True)
    provider_id: str = Field(index=True)
    key_id: str = Field(foreign_key="apikey.id", index=True)
    event_types: list[str] = Field(sa_column=Column(JSON, nullable=False))
    status: str = ACTIVE  # active | disabled | deleted (kept: its deliveries and their log stay)
    disabled_reason: str | None = None
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Start of the current run of failures (None once an attempt succeeds): how long it has been down.
    failing_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SubscriptionPublic(GatewayModel):
    id: str
    url: str
    event_types: list[str]
    description: str
    status: SubscriptionStatus
    disabled_reason: str | None
    disabled_at: datetime | None
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime


class WebhookDelivery(GatewayModel, table=True):
    """One event for one subscription: the body to send (signed afresh at each attempt) and its
    retry state. `message_id` (the `webhook-id`) is derived from the event id, so an event is one
    delivery and one id however often it is attempted or replayed."""

    __table_args__ = (
        UniqueConstraint("subscription_id", "message_id"),
        # The sender's query: an endpoint's due deliveries, oldest first.
        Index("ix_webhookdelivery_due", "subscription_id", "status", "next_attempt_at"),
        Index("ix_webhookdelivery_provider", "provider_id", "created_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True)
    subscription_id: str = Field(foreign_key="webhooksubscription.id")
    provider_id: str
    message_id: str
    event_id: str
    event_type: str
    event_time: datetime = Field(sa_type=UTCDateTime)
    payload: str = Field(sa_type=Text)
    status: str = PENDING
    attempts: int = 0  # since it was recorded or last replayed: the step of the retry schedule
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = None
    last_error: str | None = None


class DeliveryPublic(GatewayModel):
    id: str
    subscription_id: str
    webhook_id: str = Field(validation_alias="message_id")
    event_id: str
    event_type: str
    event_time: datetime
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str | None


class DeliveryDetail(DeliveryPublic):
    payload: dict[str, Any] = Field(description="The body sent (before signing)")


class WebhookAttempt(GatewayModel, table=True):
    """Every attempt to deliver, kept for the partner: when, the answer (or the error), how long."""

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: str = Field(foreign_key="webhookdelivery.id", index=True)
    attempted_at: datetime = Field(sa_type=UTCDateTime)
    status_code: int | None = None
    duration_ms: int
    error: str | None = None
    response: str = ""  # the start of the endpoint's answer


class AttemptPublic(GatewayModel):
    attempted_at: datetime
    status_code: int | None
    duration_ms: int
    error: str | None
    response: str


class PartnerNotice(GatewayModel, table=True):
    """Something a partner must know and did not ask for: an endpoint disabled, and why."""

    id: str = Field(default_factory=new_id, primary_key=True)
    provider_id: str = Field(index=True)
    subscription_id: str | None = None
    kind: str  # subscription_disabled
    detail: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NoticePublic(GatewayModel):
    id: str
    subscription_id: str | None
    kind: str
    detail: str
    created_at: datetime
