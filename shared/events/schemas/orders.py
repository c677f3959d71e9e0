from datetime import datetime

from pydantic import Field

from shared.events.envelope import EventData, event_type


@event_type("orders.deal.published")
class DealPublished(EventData):
    """A group-buy deal was published for its communities (`community_ids`, one stock); with product name and tags."""

    deal_id: str
    community_id: str  # its home community
    community_ids: list[str] = []  # every community it serves, home first (added later: older events, community_id)
    product_id: str
    product_name: str
    tags: list[str]
    price_fen: int = Field(ge=0)
    stock: int = Field(ge=0)
    opens_at: datetime | None = None  # added later: consumers of older events see None (open at once)
    closes_at: datetime
    per_person_limit: int | None = None  # added later: older events, unknown


@event_type("orders.deal.opened")
class DealOpened(EventData):
    """A deal's sales window opened: residents can see it and buy."""

    deal_id: str


@event_type("orders.deal.closed")
class DealClosed(EventData):
    """A deal's sales window closed; `missed_minimum` means every paid order is being refunded."""

    deal_id: str
    outcome: str  # closed | missed_minimum
    buyers: int = Field(ge=0)


@event_type("orders.deal.fulfilled")
class DealFulfilled(EventData):
    """A closed deal is done: every paid order was picked up or refunded (and can no longer be undone)."""

    deal_id: str
    picked_up: int = Field(ge=0)  # orders handed over
    refunded: int = Field(ge=0)  # orders refunded in full


@event_type("orders.deal.sold_out")
class DealSoldOut(EventData):
    """Every unit of a deal is paid for."""

    deal_id: str
    stock: int = Field(ge=0)


@event_type("orders.order.placed")
class OrderPlaced(EventData):
    """A resident placed an order; stock is reserved until it is paid (`referred_by`: whose share link)."""

    order_id: str
    deal_id: str
    buyer_id: str
    quantity: int = Field(ge=0)
    amount_fen: int = Field(ge=0)
    referred_by: str | None = None  # added later


@event_type("orders.order.cancelled")
class OrderCancelled(EventData):
    """The buyer withdrew an unpaid order; its units are back on sale."""

    order_id: str
    deal_id: str
    buyer_id: str
    quantity: int = Field(ge=0)


@event_type("orders.order.paid")
class OrderPaid(EventData):
    """The payment provider confirmed an order's payment."""

    order_id: str
    deal_id: str
    buyer_id: str
    product_id: str
    product_name: str
    tags: list[str]
    quantity: int = Field(ge=0)
    amount_fen: int = Field(ge=0)


@event_type("orders.order.refunded")
class OrderRefunded(EventData):
    """An order's payment is being returned to the buyer, with the reason."""

    order_id: str
    deal_id: str
    buyer_id: str
    amount_fen: int = Field(ge=0)
    reason: str


@event_type("orders.event_fee.paid")
class EventFeePaid(EventData):
    """The fee of a seat at an offline event was paid (`paid_at`, the provider's confirmation);
    community confirms the registration if its hold had not run out, else releases it (refunded)."""

    fee_id: str
    registration_id: str
    event_id: str
    community_id: str
    user_id: str
    amount_fen: int = Field(ge=0)
    pay_by: datetime  # the end of the hold it paid for, as community set it (names that hold)
    paid_at: datetime


@event_type("orders.event_fee.refunded")
class EventFeeRefunded(EventData):
    """An event fee's payment is being returned to the resident, with the reason (the event was
    cancelled, they withdrew in time, the hold ran out, the wrong amount, paid twice)."""

    fee_id: str
    registration_id: str
    event_id: str
    community_id: str
    user_id: str
    amount_fen: int = Field(ge=0)
    reason: str


@event_type("orders.order.picked_up")
class OrderPickedUp(EventData):
    """The buyer collected an order at a pickup point (the leader's commission counts from here)."""

    order_id: str
    deal_id: str
    buyer_id: str
    pickup_point_id: str


@event_type("orders.order.pickup_undone")
class OrderPickupUndone(EventData):
    """A hand-over was undone shortly after (wrong bag, wrong person); the order is paid again."""

    order_id: str
    deal_id: str
    buyer_id: str


@event_type("orders.aftersale.requested")
class AfterSaleRequested(EventData):
    """A buyer reported a problem with a picked-up order."""

    after_sale_id: str
    order_id: str
    buyer_id: str
    reason: str


@event_type("orders.aftersale.decided")
class AfterSaleDecided(EventData):
    """The leader approved (with the refund) or rejected an after-sales request."""

    after_sale_id: str
    order_id: str
    outcome: str
    refund_fen: int = Field(ge=0)


# Service bookings. Payloads name the provider and the offering (partners' webhooks are delivered by
# provider_id) and never the resident: a provider learns the booking, its slot and the note only.


class BookingFact(EventData):
    booking_id: str
    provider_id: str
    offering_id: str
    community_id: str
    kind: str  # slot | inquiry
    starts_at: datetime | None  # the slot; None for an inquiry
    ends_at: datetime | None


@event_type("orders.booking.requested")
class BookingRequested(BookingFact):
    """A resident booked a slot of an offering, or sent an inquiry; the provider confirms or declines."""

    note: str
    price_fen: int | None  # None: priced by quote


@event_type("orders.booking.confirmed")
class BookingConfirmed(BookingFact):
    """The provider confirmed a booking."""


@event_type("orders.booking.declined")
class BookingDeclined(BookingFact):
    """The provider declined a booking, with the reason; its place in the slot is free again."""

    reason: str


@event_type("orders.booking.cancelled")
class BookingCancelled(BookingFact):
    """The resident or the provider (`cancelled_by`) cancelled a booking; a late cancellation by the
    resident costs the fee the provider's terms set (`fee_fen`, else 0)."""

    cancelled_by: str  # resident | provider
    reason: str
    fee_fen: int = Field(ge=0)


@event_type("orders.booking.completed")
class BookingCompleted(BookingFact):
    """The provider marked a booking done; the resident may now review it."""


@event_type("orders.booking.reviewed")
class BookingReviewed(BookingFact):
    """The resident of a completed booking rated it (1–5) and said how it went."""

    rating: int = Field(ge=1, le=5)
    text: str


@event_type("orders.booking.replied")
class BookingReplied(BookingFact):
    """The provider replied to a booking's review (once)."""

    reply: str


@event_type("orders.booking.flagged")
class BookingFlagged(BookingFact):
    """An open booking of a provider that was suspended or terminated in its community, for the
    community's leaders to follow up."""

    reason: str
