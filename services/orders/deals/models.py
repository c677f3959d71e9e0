from datetime import datetime
from typing import Literal

from pydantic import model_validator
from sqlmodel import JSON, Column, Field

from services.orders.base import OrdersModel
from shared.fields import EntityId
from shared.models import UTCDateTime, new_id, utcnow


class PriceTier(OrdersModel):
    min_buyers: int = Field(ge=2, le=10_000)
    price_fen: int = Field(gt=0, le=10_000_000)


class DealCreate(OrdersModel):
    community_id: EntityId
    product_id: EntityId
    price_fen: int = Field(gt=0, le=10_000_000, description="Price per unit in fen (分)")
    stock: int = Field(gt=0, le=1_000_000)
    per_person_limit: int = Field(default=10, gt=0, le=1000)
    commission_rate_bps: int = Field(default=0, ge=0, le=5000, description="The leader's commission, 1/100 of a %")
    min_group_size: int | None = Field(
        default=None, ge=2, le=10_000, description="成团: buyers needed by closing time, or every order is refunded"
    )
    price_tiers: list[PriceTier] = Field(
        default_factory=list,
        max_length=5,
        description="Lower prices once enough neighbours buy; settled at closing time (the difference is refunded)",
    )
    opens_at: datetime | None = Field(
        default=None, description="When sales start (default: now); only leaders see it before"
    )
    closes_at: datetime
    pickup_point_ids: list[EntityId] = Field(default_factory=list, max_length=10, description="Where buyers collect")

    @model_validator(mode="after")
    def _a_sales_window_ahead(self) -> "DealCreate":
        for name in ("opens_at", "closes_at"):
            moment = getattr(self, name)
            if moment is not None and moment.tzinfo is None:
                raise ValueError(f"{name} needs a timezone (e.g. 2026-12-01T20:00:00+08:00)")
        if self.closes_at <= utcnow():
            raise ValueError("closes_at must be in the future")
        if self.opens_at is not None and self.opens_at >= self.closes_at:
            raise ValueError("the sales window closes before it opens")
        if self.min_group_size is not None and self.min_group_size > self.stock:
            raise ValueError("the minimum group size is more than the stock can serve")
        prices = [self.price_fen] + [t.price_fen for t in self.price_tiers]
        buyers = [t.min_buyers for t in self.price_tiers]
        if buyers != sorted(set(buyers)) or any(a <= b for a, b in zip(prices, prices[1:], strict=False)):
            raise ValueError("price tiers need more buyers and a lower price each, below the deal's price")
        return self


class ChainEntry(OrdersModel):
    """One line of a deal's 接龙: the n-th buyer, what they took, when."""

    seq: int
    buyer: str = Field(description="The buyer's id for leaders and for themselves; masked for other residents")
    mine: bool
    quantity: int
    ordered_at: datetime


class DealTemplate(OrdersModel):
    """A past deal's terms, to publish again with a new sales window (copy, adjust, POST /deals)."""

    community_id: str
    product_id: str
    product_name: str
    price_fen: int
    stock: int
    per_person_limit: int
    commission_rate_bps: int
    min_group_size: int | None
    price_tiers: list[PriceTier]
    pickup_point_ids: list[str]


class Deal(OrdersModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    community_id: str = Field(index=True)
    product_id: str
    product_name: str
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    price_fen: int
    stock: int
    sold: int = 0
    per_person_limit: int
    commission_rate_bps: int = 0
    min_group_size: int | None = None
    price_tiers: list[dict[str, int]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = "open"
    announced: str = ""  # "", "opened", "closed": which moments of the window the clock has told
    opens_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    pickup_point_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DealPublic(OrdersModel):
    id: str
    community_id: str
    product_id: str
    product_name: str
    tags: list[str]
    price_fen: int
    stock: int
    sold: int = Field(description="Units paid for")
    available: int = Field(description="Units still for sale: stock − sold − units reserved by unpaid orders")
    per_person_limit: int
    commission_rate_bps: int
    min_group_size: int | None
    price_tiers: list[PriceTier]
    buyers: int = Field(description="Neighbours who have paid so far")
    current_price_fen: int = Field(description="The price the group has reached so far")
    status: str
    phase: Literal["scheduled", "open", "sold_out", "closed"] = Field(description="Where the deal is in its window")
    opens_at: datetime
    closes_at: datetime
    pickup_point_ids: list[str]
    created_at: datetime

    @classmethod
    def of(cls, deal: Deal, *, held: int, buyers: int, now: datetime) -> "DealPublic":
        available = deal.stock - deal.sold - held
        return cls.model_validate(
            {
                **deal.model_dump(),
                "available": available,
                "phase": phase(deal, available, now),
                "buyers": buyers,
                "current_price_fen": price_for(deal, buyers),
            }
        )


def price_for(deal: Deal, buyers: int) -> int:
    """The unit price the group reaches with this many buyers (tiered pricing)."""
    reached = [tier["price_fen"] for tier in deal.price_tiers if buyers >= tier["min_buyers"]]
    return min([deal.price_fen, *reached])


def phase(deal: Deal, available: int, now: datetime) -> Literal["scheduled", "open", "sold_out", "closed"]:
    """Derived from the clock and the stock, so it is never stale and needs no scheduler."""
    if now >= deal.closes_at:
        return "closed"
    if now < deal.opens_at:
        return "scheduled"
    return "open" if available > 0 else "sold_out"
