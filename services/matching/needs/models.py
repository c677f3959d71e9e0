from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from sqlmodel import JSON, Column, Field, Index

from services.matching.base import MatchingModel
from shared.models import UTCDateTime


class NeedView(MatchingModel, table=True):
    """A posted need (from `community.need.*`) with the words of its text, to match it to providers."""

    __table_args__ = (Index("ix_needview_poster_open", "poster_id", "community_id", "open"),)

    id: str = Field(primary_key=True)
    community_id: str = Field(index=True)
    poster_id: str
    category: str  # the one the resident chose, else the one its words name
    text: str = ""
    terms: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    visibility: str  # community | leaders
    open: bool = True
    posted_at: datetime = Field(sa_type=UTCDateTime)


class OfferingText(MatchingModel, table=True):
    """An offering's words for matching needs: kept apart from `OfferingView`, which every recommendation
    reads. `terms` are cut the first time a need is matched (jieba is loaded only then)."""

    offering_id: str = Field(primary_key=True)
    text: str
    terms: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class ProviderView(MatchingModel, table=True):
    """Who offers a service (from `catalog.provider.*`): an organisation or a resident talent (能人)."""

    id: str = Field(primary_key=True)
    kind: str  # organisation | talent
    name: str


class NeedMatch(BaseModel):
    offering_id: str
    name: str
    category: str
    provider_id: str
    provider_name: str | None
    provider_kind: Literal["organisation", "talent"] | str | None
    score: float
    words: list[str]  # the need's words found in the offering
    same_category: bool
