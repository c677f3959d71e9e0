from datetime import datetime
from typing import Literal

from sqlmodel import JSON, Column, Field, UniqueConstraint

from services.matching.base import MatchingModel
from shared.models import UTCDateTime


class DealView(MatchingModel, table=True):
    """Read model of deals (from `orders.deal.*`): open until it closes or sells out."""

    id: str = Field(primary_key=True)
    community_id: str = Field(index=True)
    title: str
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    opens_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    published_at: datetime = Field(sa_type=UTCDateTime)
    ended: bool = False  # closed or sold out before `closes_at`


class SessionView(MatchingModel, table=True):
    """Read model of scheduled live sessions (from `livestream.session.scheduled`)."""

    id: str = Field(primary_key=True)
    community_id: str = Field(index=True)
    title: str
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    planned_start: datetime = Field(sa_type=UTCDateTime)
    published_at: datetime = Field(sa_type=UTCDateTime)


class OfferingView(MatchingModel, table=True):
    """Read model of the directory's offerings (from `catalog.offering.*`), with their ratings."""

    id: str = Field(primary_key=True)
    provider_id: str = Field(index=True)
    name: str
    category: str
    active: bool
    published_at: datetime = Field(sa_type=UTCDateTime)
    rating_sum: int = 0
    rating_count: int = 0


class ListingView(MatchingModel, table=True):
    """Which provider is listed (and endorsed) in which community (from `catalog.listing.*`,
    `catalog.endorsement.*`)."""

    __table_args__ = (UniqueConstraint("provider_id", "community_id"),)

    id: int | None = Field(default=None, primary_key=True)
    provider_id: str = Field(index=True)
    community_id: str = Field(index=True)
    state: str  # the listing's state: only `listed` is recommended
    endorsements: int = 0


class EventView(MatchingModel, table=True):
    """Read model of offline events (from `community.event.*`, `community.registration.*`)."""

    id: str = Field(primary_key=True)
    community_id: str = Field(index=True)
    title: str
    kind: str
    starts_at: datetime = Field(sa_type=UTCDateTime)
    registration_closes_at: datetime = Field(sa_type=UTCDateTime)
    capacity: int
    seats_taken: int = 0
    status: str  # published | closed | held | archived | cancelled
    published_at: datetime = Field(sa_type=UTCDateTime)


class SwapView(MatchingModel, table=True):
    """Read model of item swaps (from `community.swap.*`): open while it may still be asked for."""

    id: str = Field(primary_key=True)
    community_id: str = Field(index=True)
    owner_id: str
    title: str
    category: str  # baby_gear, books, kitchen, toys… (a tag of the topic map)
    open: bool = True
    published_at: datetime = Field(sa_type=UTCDateTime)


ItemKind = Literal["deal", "session", "service", "event", "swap"]
ReasonType = Literal[
    "bought_related", "neighbours_joined", "popular_in_community", "new", "leader_endorsed", "matches_your_need"
]


class Reason(MatchingModel):
    type: ReasonType
    seed: str | None = Field(default=None, description="What the reason refers to, e.g. the product bought")
    text: str = Field(description="The reason in the language asked for (`lang`: en, zh)")


class Recommendation(MatchingModel):
    kind: ItemKind
    id: str
    title: str
    score: float
    reason: Reason
