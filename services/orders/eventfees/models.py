from datetime import datetime

from sqlmodel import Field, Index

from services.orders.base import OrdersModel
from shared.fields import EntityId
from shared.models import UTCDateTime, new_id, utcnow

# A fee's life: due (a seat is held for it) → paid → refunded; or void, when the hold ended unpaid
# (released, withdrawn, the event cancelled) — a payment that still arrives for it is refunded.
DUE, PAID, REFUNDED, VOID = "due", "paid", "refunded", "void"


class EventFee(OrdersModel, table=True):
    """The fee of one hold of a seat at an offline event, learnt from community's events. Its id is
    the payment's reference at the provider (what `gateway.payment.succeeded` names as `order_id`).
    A registration signed up again after a cancellation is a new hold, so a new fee."""

    __tablename__ = "eventfee"
    __table_args__ = (Index("ix_eventfee_event_status", "event_id", "status"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    registration_id: str = Field(index=True)
    event_id: str
    community_id: str
    user_id: str
    title: str
    amount_fen: int
    pay_by: datetime = Field(sa_type=UTCDateTime, description="The end of the hold, as community set it")
    status: str = DUE
    payment_requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    provider_payment_id: str | None = None
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    refunded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    refund_reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EventFeePay(OrdersModel):
    registration_id: EntityId = Field(description="Your registration awaiting payment (community's id)")


class EventFeePublic(OrdersModel):
    id: str = Field(description="The payment's reference")
    registration_id: str
    event_id: str
    community_id: str
    user_id: str
    title: str = Field(description="The event the fee is for")
    amount_fen: int = Field(description="The fee per seat times the seats held")
    status: str = Field(description="due, paid, refunded, or void (the seat was released unpaid)")
    pay_by: datetime = Field(description="Pay by then, or the seat goes to the waitlist")
    payment_requested_at: datetime | None
    paid_at: datetime | None
    refunded_at: datetime | None
    refund_reason: str | None
    created_at: datetime
