from datetime import datetime
from typing import Any

from pydantic import BaseModel, field_validator
from sqlmodel import JSON, Column, Field

from services.livestream.base import LivestreamModel
from shared.fields import Tag
from shared.models import UTCDateTime, new_id, utcnow

DRAFT, OPEN, CLOSED = "draft", "open", "closed"


class PollOptionCreate(BaseModel):
    label: str = Field(min_length=1, max_length=60)
    category: Tag | None = Field(default=None, description="The directory category this option stands for")


class PollCreate(BaseModel):
    question: str = Field(min_length=1, max_length=120)
    options: list[PollOptionCreate] = Field(min_length=2, max_length=10)
    multiple: bool = Field(default=False, description="Several options may be chosen")
    open: bool = Field(default=False, description="Open it at once")

    @field_validator("options")
    @classmethod
    def _distinct(cls, options: list[PollOptionCreate]) -> list[PollOptionCreate]:
        if len({o.label for o in options}) != len(options):
            raise ValueError("options must differ")
        return options


class Poll(LivestreamModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    session_id: str = Field(foreign_key="livesession.id", index=True)
    community_id: str
    question: str
    multiple: bool
    options: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))  # [{id, label, category}]
    status: str = DRAFT
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Ballot(LivestreamModel, table=True):
    """One person's vote: a second one is refused, so voting twice counts once."""

    poll_id: str = Field(primary_key=True, foreign_key="poll.id")
    user_id: str = Field(primary_key=True)
    option_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PollOptionPublic(BaseModel):
    id: str
    label: str
    category: str | None
    votes: int


class PollPublic(BaseModel):
    id: str
    session_id: str
    question: str
    multiple: bool
    status: str
    voters: int
    options: list[PollOptionPublic]
    opened_at: datetime | None
    closed_at: datetime | None
