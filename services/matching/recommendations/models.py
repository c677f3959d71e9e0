from datetime import datetime
from typing import Literal

from sqlmodel import JSON, Column, Field

from services.matching.base import MatchingModel
from shared.models import UTCDateTime


class DealView(MatchingModel, table=True):
    """Read model of open deals (from `orders.deal.published`)."""

    id: str = Field(primary_key=True)
    community_id: str = Field(index=True)
    title: str
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    opens_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    published_at: datetime = Field(sa_type=UTCDateTime)


class SessionView(MatchingModel, table=True):
    """Read model of scheduled live sessions (from `livestream.session.scheduled`)."""

    id: str = Field(primary_key=True)
    community_id: str = Field(index=True)
    title: str
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    planned_start: datetime = Field(sa_type=UTCDateTime)
    published_at: datetime = Field(sa_type=UTCDateTime)


ReasonType = Literal["bought_related", "popular_in_community", "new"]


class Reason(MatchingModel):
    type: ReasonType
    seed: str | None = Field(default=None, description="What the reason refers to, e.g. the product bought")
    text: str


class Recommendation(MatchingModel):
    kind: Literal["deal", "session"]
    id: str
    title: str
    score: float
    reason: Reason
