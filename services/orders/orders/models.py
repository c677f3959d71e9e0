from datetime import datetime

from sqlmodel import Field, Index, UniqueConstraint

from services.orders.base import OrdersModel
from services.orders.pickup.codes import qr_payload
from shared.fields import EntityId
from shared.models import UTCDateTime, new_id, utcnow

PENDING_PAYMENT, PAID, PICKED_UP, REFUNDED, CANCELLED = "pending_payment", "paid", "picked_up", "refunded", "cancelled"
EXPIRED = "expired"  # shown, never stored: a pending order whose reservation ran out


class OrderCreate(OrdersModel):
    deal_id: EntityId
    quantity: int = Field(gt=0, le=1000)
    pickup_point_id: EntityId | None = Field(
        default=None, description="One of the deal's points; may be omitted if it has one"
    )
    community_id: EntityId | None = Field(
        default=None,
        description="Which of your communities the order is for, if the deal serves several (default: the first)",
    )
    ref: EntityId | None = Field(
        default=None,
        description="The member whose share link you came from (the link's ref); ignored unless they belong to "
        "a community the deal serves",
    )


class Order(OrdersModel, table=True):
    __table_args__ = (
        UniqueConstraint("pickup_point_id", "pickup_code", name="uq_order_pickup_code"),
        # What is held on a deal, and what one buyer has of it: read under the deal's lock.
        Index("ix_order_deal_status_reserved", "deal_id", "status", "reserved_until"),
        Index("ix_order_deal_buyer", "deal_id", "buyer_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True)
    deal_id: str = Field(foreign_key="deal.id", index=True)
    community_id: str = Field(index=True)
    buyer_id: str = Field(index=True)
    quantity: int
    unit_price_fen: int
    amount_fen: int
    status: str = PENDING_PAYMENT
    provider_payment_id: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    reserved_until: datetime = Field(sa_type=UTCDateTime, index=True)
    pickup_point_id: str | None = Field(default=None, foreign_key="pickuppoint.id")
    pickup_code: str | None = None  # given when paid
    picked_up_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    picked_up_by: str | None = None
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    referred_by: str | None = None  # whose share link brought the buyer


class OrderPublic(OrdersModel):
    id: str
    deal_id: str
    community_id: str
    buyer_id: str
    quantity: int
    unit_price_fen: int
    amount_fen: int
    status: str = Field(
        description="pending_payment, paid, picked_up, refunded, cancelled, or expired (not paid in time)"
    )
    created_at: datetime
    reserved_until: datetime = Field(description="Pay by then, or the units go back on sale")
    paid_at: datetime | None
    pickup_point_id: str | None
    pickup_code: str | None = Field(description="Shown to the buyer only: what they say or show at pickup")
    pickup_qr: str | None = Field(description="The payload of the buyer's pickup QR code")
    picked_up_at: datetime | None
    referred_by: str | None = Field(description="The member whose share link brought the buyer, if any")

    @classmethod
    def of(cls, order: Order, *, viewer: str) -> "OrderPublic":
        public = cls.model_validate({**order.model_dump(), "pickup_qr": None})
        if order.status == PENDING_PAYMENT and order.reserved_until <= utcnow():
            public.status = EXPIRED
        if viewer != order.buyer_id or order.pickup_code is None:
            public.pickup_code = None  # a code is as good as the goods: only its buyer sees it
        else:
            public.pickup_qr = qr_payload(order.id, order.pickup_code)
        return public
