from datetime import datetime
from typing import Literal

from sqlmodel import JSON, Column, Field

from services.orders.base import OrdersModel
from shared.fields import EntityId, ImageUrl
from shared.models import UTCDateTime, new_id, utcnow


class AfterSaleCreate(OrdersModel):
    order_id: EntityId
    reason: str = Field(min_length=2, max_length=500, description="What is wrong, in the buyer's words")
    photo_urls: list[ImageUrl] = Field(default_factory=list, max_length=9)


class AfterSale(OrdersModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    order_id: str = Field(foreign_key="order.id", index=True)
    community_id: str = Field(index=True)
    buyer_id: str = Field(index=True)
    reason: str
    photo_urls: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = "open"  # open | approved | rejected
    refund_fen: int = 0
    decision_note: str = ""
    decided_by: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AfterSalePublic(OrdersModel):
    id: str
    order_id: str
    community_id: str
    buyer_id: str
    reason: str
    photo_urls: list[str]
    status: Literal["open", "approved", "rejected"]
    refund_fen: int
    decision_note: str
    created_at: datetime
    decided_at: datetime | None


class Approval(OrdersModel):
    refund_fen: int = Field(gt=0, description="Full or partial refund, in fen")
    note: str = Field(default="", max_length=500)


class Rejection(OrdersModel):
    note: str = Field(min_length=2, max_length=500, description="Why, for the buyer")
