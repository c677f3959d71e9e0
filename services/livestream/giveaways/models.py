from datetime import datetime

from pydantic import BaseModel
from sqlmodel import JSON, Column, Field

from services.livestream.base import LivestreamModel
from shared.models import UTCDateTime, new_id, utcnow

OPEN, DRAWN = "open", "drawn"


class GiveawayCreate(BaseModel):
    title: str = Field(min_length=1, max_length=60, description="e.g. 福袋：有机米粉一盒")
    prizes: int = Field(default=1, ge=1, le=1000)


class Giveaway(LivestreamModel, table=True):
    """A giveaway (福袋). At close: the viewers present (staff excluded) are recorded sorted, a random seed
    is recorded, and the winners are `random.Random(seed).sample(eligible, min(prizes, len(eligible)))`
    — one prize per person, and anyone can redo the draw from what is kept."""

    id: str = Field(default_factory=new_id, primary_key=True)
    session_id: str = Field(foreign_key="livesession.id", index=True)
    community_id: str
    title: str
    prizes: int
    status: str = OPEN
    seed: str | None = None
    eligible: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    winners: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by: str
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    drawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Winner(BaseModel):
    user_id: str
    name: str


class GiveawayPublic(BaseModel):
    id: str
    session_id: str
    title: str
    prizes: int
    status: str
    winners: list[Winner]
    opened_at: datetime
    drawn_at: datetime | None


class GiveawayAudit(GiveawayPublic):
    """Everything needed to redo the draw: the seed, the eligible viewers in the order drawn from, the rule."""

    seed: str | None
    eligible: list[str]
    rule: str
    reproduced: bool = Field(description="Drawing again from the seed and the eligible list gives the same winners")
