from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Field

from services.livestream.base import LivestreamModel
from shared.models import UTCDateTime, new_id, utcnow


class HighlightCreate(BaseModel):
    title: str = Field(min_length=1, max_length=80)
    offset_seconds: int | None = Field(default=None, ge=0, description="Into the session; default: now")


class Highlight(LivestreamModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    session_id: str = Field(foreign_key="livesession.id", index=True)
    offset_seconds: int
    title: str
    created_by: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class HighlightPublic(BaseModel):
    id: str
    offset_seconds: int
    title: str


class Replay(BaseModel):
    """After the session: where to watch it again, its marked moments and its figures."""

    session_id: str
    title: str
    status: str
    replay_url: str | None
    started_at: datetime | None
    ended_at: datetime | None
    highlights: list[HighlightPublic]
    summary: dict[str, Any]
