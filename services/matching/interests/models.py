from datetime import datetime

from sqlmodel import Field, UniqueConstraint

from services.matching.base import MatchingModel
from shared.models import UTCDateTime, utcnow


class Interest(MatchingModel, table=True):
    """One topic of a resident's interest profile in one community, with the thing that seeded it."""

    __table_args__ = (UniqueConstraint("user_id", "community_id", "topic"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(index=True)
    community_id: str = Field(index=True)
    topic: str
    weight: float
    seed: str = Field(description="What the resident did that says this, e.g. the product bought")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Purchase(MatchingModel, table=True):
    """Who bought from which deal: never recommend it back to them, and count neighbours' choices."""

    __table_args__ = (UniqueConstraint("user_id", "deal_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(index=True)
    community_id: str = Field(index=True)
    deal_id: str = Field(index=True)
    bought_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InterestPublic(MatchingModel):
    topic: str
    weight: float
    because: str
