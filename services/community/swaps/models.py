from datetime import datetime
from typing import Literal, Self

from pydantic import model_validator
from sqlmodel import JSON, Column, Field, Index

from services.community.base import CommunityModel
from services.community.moderation import ReportCreate
from shared.fields import ImageUrl, Name
from shared.models import UTCDateTime, new_id, utcnow

SwapCategory = Literal["baby_gear", "books", "kitchen", "toys", "clothes", "electronics", "other"]
Condition = Literal["new", "like_new", "good", "fair"]
Terms = Literal["free", "swap", "price"]

# A post's life: open (taking offers) → promised (an offer accepted) → closed (both confirmed the
# hand-over); or removed by a moderator. A member's report hides it (`hidden`) until a moderator decides.
OPEN, PROMISED, CLOSED, REMOVED = "open", "promised", "closed", "removed"
SwapStatus = Literal["open", "promised", "closed", "removed"]
PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
OfferStatus = Literal["pending", "accepted", "declined"]
MAX_PRICE_FEN = 1_000_000


class SwapBase(CommunityModel):
    title: Name = Field(description="e.g. 九成新婴儿推车")
    description: str = Field(default="", max_length=1000)
    swap_for: str | None = Field(default=None, min_length=1, max_length=100, description="e.g. 儿童绘本")
    price_fen: int | None = Field(default=None, ge=1, le=MAX_PRICE_FEN, description="A token price in fen")


class SwapCreate(SwapBase):
    category: SwapCategory = Field(description="baby_gear, books, kitchen, toys, clothes, electronics, other")
    condition: Condition = Field(description="new, like_new, good, fair")
    terms: Terms = Field(description="free 免费送, swap 换 (swap_for names what for), price 象征性收费 (price_fen)")
    photos: list[ImageUrl] = Field(default_factory=list, max_length=9)

    @model_validator(mode="after")
    def _terms_complete(self) -> Self:
        if (self.terms == "swap") != (self.swap_for is not None):
            raise ValueError("swap_for names what you would swap for, with terms swap only")
        if (self.terms == "price") != (self.price_fen is not None):
            raise ValueError("price_fen is the price, with terms price only")
        return self


class Swap(SwapBase, table=True):
    __table_args__ = (
        Index("ix_swap_community_status", "community_id", "status", "created_at"),
        Index("ix_swap_community_created", "community_id", "created_at"),  # the board
    )

    id: str = Field(default_factory=new_id, primary_key=True)
    community_id: str = Field(foreign_key="community.id")
    owner_id: str = Field(index=True)
    category: str = Field(max_length=16)
    condition: str = Field(max_length=12)
    terms: str = Field(max_length=8)
    photos: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=OPEN, max_length=16)
    hidden: bool = Field(default=False, description="Reported: shown to its owner and moderators only")
    taker_id: str | None = None
    owner_confirmed: bool = False
    taker_confirmed: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SwapPublic(SwapCreate):
    id: str
    community_id: str
    owner_id: str
    status: SwapStatus
    hidden: bool
    taker_id: str | None
    owner_confirmed: bool
    taker_confirmed: bool
    created_at: datetime
    closed_at: datetime | None


class OfferCreate(CommunityModel):
    message: str = Field(default="", max_length=200, description="e.g. 我拿两本绘本换, 今晚可以来取")


class SwapOffer(OfferCreate, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    swap_id: str = Field(foreign_key="swap.id", index=True)
    user_id: str = Field(index=True)
    status: str = Field(default=PENDING, max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OfferPublic(OfferCreate):
    id: str
    swap_id: str
    user_id: str
    status: OfferStatus
    created_at: datetime


class SwapReport(ReportCreate, table=True):
    """A member's report of a post; once each. A moderator's restore clears them."""

    swap_id: str = Field(foreign_key="swap.id", primary_key=True)
    user_id: str = Field(primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
