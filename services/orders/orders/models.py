from datetime import datetime

from sqlmodel import Field

from services.orders.base import OrdersModel
from shared.fields import EntityId
from shared.models import UTCDateTime, new_id, utcnow

PENDING_PAYMENT, PAID, REFUNDED = "pending_payment", "paid", "refunded"
EXPIRED = "expired"  # shown, never stored: a pending order whose reservation ran out


class OrderCreate(OrdersModel):
    deal_id: EntityId
    quantity: int = Field(gt=0, le=1000)


class Order(OrdersModel, table=True):
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
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OrderPublic(OrdersModel):
    id: str
    deal_id: str
    community_id: str
    buyer_id: str
    quantity: int
    unit_price_fen: int
    amount_fen: int
    status: str = Field(description="pending_payment, paid, refunded, or expired (not paid in time)")
    created_at: datetime
    reserved_until: datetime = Field(description="Pay by then, or the units go back on sale")
    paid_at: datetime | None

    @classmethod
    def of(cls, order: Order) -> "OrderPublic":
        public = cls.model_validate(order, from_attributes=True)
        if order.status == PENDING_PAYMENT and order.reserved_until <= utcnow():
            public.status = EXPIRED
        return public


class PaymentConfirmation(OrdersModel):
    """What the gateway forwards from a verified payment-provider callback."""

    order_id: EntityId
    provider_payment_id: str = Field(min_length=1, max_length=64)
    amount_fen: int = Field(gt=0)
