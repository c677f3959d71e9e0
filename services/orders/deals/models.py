from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator
from sqlmodel import JSON, Column, Field

from services.orders.base import OrdersModel
from shared.fields import EntityId
from shared.models import UTCDateTime, new_id, utcnow


class PriceTier(OrdersModel):
    min_buyers: int = Field(ge=2, le=10_000)
    price_fen: int = Field(gt=0, le=10_000_000)


class DealTerms(OrdersModel):
    """What a leader sets on a deal: a draft holds these, checked in full when it is published."""

    community_id: EntityId = Field(description="The deal's home community")
    also_for: list[EntityId] = Field(
        default_factory=list,
        max_length=20,
        description="Other communities this deal serves, from the same stock (you must lead each)",
    )
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
        default=None, description="When sales start (default: when published); only leaders see it before"
    )
    closes_at: datetime
    pickup_point_ids: list[EntityId] = Field(
        default_factory=list, max_length=10, description="Where buyers collect: points of any community served"
    )

    @property
    def community_ids(self) -> list[str]:
        return [self.community_id, *self.also_for]

    def check(self, *, window: bool) -> None:
        """The rules across fields; `window`: the sales window too (a draft's may still be an old one)."""
        for name in ("opens_at", "closes_at"):
            moment = getattr(self, name)
            if moment is not None and moment.tzinfo is None:
                raise ValueError(f"{name} needs a timezone (e.g. 2026-12-01T20:00:00+08:00)")
        if window and self.closes_at <= utcnow():
            raise ValueError("closes_at must be in the future")
        if window and self.opens_at is not None and self.opens_at >= self.closes_at:
            raise ValueError("the sales window closes before it opens")
        if self.min_group_size is not None and self.min_group_size > self.stock:
            raise ValueError("the minimum group size is more than the stock can serve")
        prices = [self.price_fen] + [t.price_fen for t in self.price_tiers]
        buyers = [t.min_buyers for t in self.price_tiers]
        if buyers != sorted(set(buyers)) or any(a <= b for a, b in zip(prices, prices[1:], strict=False)):
            raise ValueError("price tiers need more buyers and a lower price each, below the deal's price")
        if len(set(self.community_ids)) != len(self.community_ids):
            raise ValueError("also_for names a community twice, or the deal's own community")


class DealCreate(DealTerms):
    draft: bool = Field(
        default=False,
        description="Keep it as a draft: only its leaders see it; edit it (PATCH), then publish it (POST …/publish)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> "DealCreate":
        self.check(window=not self.draft)
        return self


class DealUpdate(BaseModel):
    """New terms for a draft: only the fields given change; the result is checked like a new draft."""

    model_config = ConfigDict(extra="forbid")  # e.g. community_id: a draft stays in its home community

    also_for: list[str] | None = None
    product_id: str | None = None
    price_fen: int | None = None
    stock: int | None = None
    per_person_limit: int | None = None
    commission_rate_bps: int | None = None
    min_group_size: int | None = None
    price_tiers: list[PriceTier] | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    pickup_point_ids: list[str] | None = None


class ChainEntry(OrdersModel):
    """One line of a deal's 接龙: the n-th buyer, what they took, when."""

    seq: int
    buyer: str = Field(description="The buyer's id for leaders and for themselves; masked for other residents")
    name: str = Field(
        description="The buyer's name in their community (群昵称) for its leaders and for themselves; "
        "邻居 n for other residents (n numbers the buyers in order, so repeat buyers show)"
    )
    mine: bool
    quantity: int
    ordered_at: datetime


class DealTemplate(OrdersModel):
    """A past deal's terms, to publish again with a new sales window (copy, adjust, POST /deals)."""

    community_id: str
    also_for: list[str]
    product_id: str
    product_name: str
    price_fen: int
    stock: int
    per_person_limit: int
    commission_rate_bps: int
    min_group_size: int | None
    price_tiers: list[PriceTier]
    pickup_point_ids: list[str]


class DealShare(OrdersModel):
    """What a member sends to neighbours (接龙 link and poster): the deal, the leader behind it, a QR code."""

    url: str = Field(description="Opens the deal; orders placed from it name the sharer as their ref")
    title: str
    price_fen: int
    current_price_fen: int = Field(description="The price the group has reached so far")
    opens_at: datetime
    closes_at: datetime
    image: str | None = Field(description="The product's first photo")
    leader_name: str | None = Field(description="The deal's leader as their community knows them, if known yet")
    community_name: str | None = Field(description="The deal's home community, if known yet")
    qr_svg: str = Field(description="The URL as a QR code, an SVG document")


# A deal's lifecycle as stored; its phase within the window (DealPublic.phase) follows from the clock.
DRAFT = "draft"  # only its leaders see it; its terms may change; it cannot be ordered
OPEN = "open"  # published: scheduled, open, sold out or closed as the clock and stock say
FULFILLED = "fulfilled"  # closed, and every paid order was picked up or refunded


class Deal(OrdersModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    community_id: str = Field(index=True)
    also_for: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
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
    status: str = OPEN
    announced: str = ""  # "", "opened", "closed": which moments of the window the clock has told
    opens_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    pickup_point_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def community_ids(self) -> list[str]:
        """Every community the deal serves, its home community first."""
        return [self.community_id, *self.also_for]


class DealCommunity(OrdersModel, table=True):
    """The communities a deal serves (its home community too), so a community's deals are one indexed
    query away. Written with the deal's `also_for`, which the deal itself reads."""

    deal_id: str = Field(foreign_key="deal.id", primary_key=True)
    community_id: str = Field(primary_key=True, index=True)


Phase = Literal["draft", "scheduled", "open", "sold_out", "closed", "fulfilled"]


class DealPublic(OrdersModel):
    id: str
    community_id: str
    also_for: list[str]
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
    status: Literal["draft", "open", "fulfilled"] = Field(
        description="draft (leaders only), open (published), fulfilled (closed, every paid order picked up or refunded)"
    )
    phase: Phase = Field(description="Where the deal is: draft → scheduled → open → sold out / closed → fulfilled")
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


def phase(deal: Deal, available: int, now: datetime) -> Phase:
    """Within the window, derived from the clock and the stock, so it is never stale and needs no scheduler."""
    if deal.status == DRAFT:
        return "draft"
    if deal.status == FULFILLED:
        return "fulfilled"
    if now >= deal.closes_at:
        return "closed"
    if now < deal.opens_at:
        return "scheduled"
    return "open" if available > 0 else "sold_out"
