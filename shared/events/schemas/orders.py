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
