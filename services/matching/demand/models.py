from datetime import datetime

from sqlmodel import Field, UniqueConstraint

from services.matching.base import MatchingModel
from shared.models import UTCDateTime


class DemandSignal(MatchingModel, table=True):
    """Someone in a community asked for a category: a lead (one known resident) or a closed poll's
    option (`residents` anonymous ballots)."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: str = Field(index=True)
    category: str
    user_id: str | None = None
    residents: int = 1
    source: str  # lead | poll
    source_id: str
    at: datetime = Field(sa_type=UTCDateTime, index=True)


class DemandAlert(MatchingModel, table=True):
    """A category's demand crossed its threshold in a window (announced once per window)."""

    __table_args__ = (UniqueConstraint("community_id", "category", "window_start"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: str = Field(index=True)
    category: str
    window_start: datetime = Field(sa_type=UTCDateTime)
    residents: int
    at: datetime = Field(sa_type=UTCDateTime)


class DemandPublic(MatchingModel):
    category: str
    residents: int
    threshold: int
