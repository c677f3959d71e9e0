from pydantic import Field

from shared.events.envelope import EventData, event_type


@event_type("gateway.payment.succeeded")
class PaymentSucceeded(EventData):
    """A payment provider's callback that a payment succeeded, its Standard Webhooks signature
    verified by the gateway. The event id is derived from the callback's `webhook-id`, so a
    provider's retry of one callback is one event."""

    order_id: str
    provider_payment_id: str = Field(min_length=1, max_length=64)
    amount_fen: int = Field(gt=0)


@event_type("gateway.subscription.disabled")
class SubscriptionDisabled(EventData):
    """A partner's webhook endpoint was disabled: it answered 410 Gone, failed without a success for
    days, or its API key was revoked. Its undelivered events wait until the partner re-enables it."""

    subscription_id: str
    provider_id: str
    url: str
    reason: str


@event_type("gateway.notification.created")
class NotificationCreated(EventData):
    """A notification went into a person's inbox (it is also streamed to their connected apps and, if
    they allow it, pushed to their phone). `source_event_id` is the event it tells them about."""

    notification_id: str
    user_id: str
    kind: str
    link: str
    source_event_id: str
