from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints
from sqlmodel import JSON, Column, Field, UniqueConstraint

from services.matching.base import MatchingModel
from shared.models import UTCDateTime, utcnow

# What a resident did that tells their interests (and the reason a recommendation gives).
Source = Literal["purchase", "booking", "event", "lead", "need", "search", "swap"]


class Interest(MatchingModel, table=True):
    """One topic of a resident's interest profile in one community, with the thing that seeded it."""

    # Read and written by resident and community: the unique index serves both, and every other
    # index would be one more to update on each event.
    __table_args__ = (UniqueConstraint("user_id", "community_id", "topic"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str
    community_id: str
    topic: str
    weight: float
    seed: str = Field(description="What the resident did that says this, e.g. the product bought")
    source: str = Field(default="purchase", description="purchase | booking | event | lead | need | search | swap")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Interaction(MatchingModel, table=True):
    """A resident took an item (bought from a deal, booked a service, joined an event, asked for one):
    never recommend it back, and count what neighbours take together."""

    __table_args__ = (UniqueConstraint("user_id", "item"),)  # read by resident only: no other index

    id: int | None = Field(default=None, primary_key=True)
    user_id: str
    community_id: str
    item: str = Field(description="kind:id, e.g. deal:01H…, service:<offering id>, event:<id>")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ItemStat(MatchingModel, table=True):
    """How many residents of a community took an item (its popularity there)."""

    __table_args__ = {"sqlite_with_rowid": False}  # see CoOccurrence

    community_id: str = Field(primary_key=True)
    item: str = Field(primary_key=True)
    takers: int = 0


class CoOccurrence(MatchingModel, table=True):
    """How many residents of a community took both items (kept both ways, so one lookup serves)."""

    # Rows stored in key order (SQLite): a resident's items read their pairs in one range of the key,
    # and each new item's pairs are counted in place, without a second lookup by rowid.
    __table_args__ = {"sqlite_with_rowid": False}

    community_id: str = Field(primary_key=True)
    item: str = Field(primary_key=True)
    other: str = Field(primary_key=True)
    together: int = 0


class OptOut(MatchingModel, table=True):
    """A resident switched personalisation off (or deleted their profile): their events are ignored."""

    user_id: str = Field(primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TopicMapEntry(MatchingModel, table=True):
    """A leader's own reading of a food tag in their community (overrides the shipped map)."""

    community_id: str = Field(primary_key=True)
    tag: str = Field(primary_key=True)
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class InterestPublic(MatchingModel):
    topic: str
    label: str = Field(description="The topic in plain words")
    weight: float
    because: str


class Personalisation(BaseModel):
    enabled: bool


Word = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[\w-]+$")]


class TopicMap(BaseModel):
    """Food tag → the topics it suggests (life-service categories, event topics)."""

    tags: dict[Word, Annotated[list[Word], Field(max_length=10)]] = Field(max_length=200)
