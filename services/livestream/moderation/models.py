from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Field

from services.livestream.base import LivestreamModel
from shared.fields import EntityId
from shared.models import UTCDateTime, utcnow


class Mute(LivestreamModel, table=True):
    """A viewer may watch but not chat or ask until `until`."""

    session_id: str = Field(primary_key=True, foreign_key="livesession.id")
    user_id: str = Field(primary_key=True)
    until: datetime = Field(sa_type=UTCDateTime)
    by: str


class Removal(LivestreamModel, table=True):
    """A viewer removed from the session: closed at once and never let in again."""

    session_id: str = Field(primary_key=True, foreign_key="livesession.id")
    user_id: str = Field(primary_key=True)
    by: str
    reason: str
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MuteCreate(BaseModel):
    user_id: EntityId
    minutes: int = Field(default=10, ge=1, le=24 * 60)


class RemovalCreate(BaseModel):
    user_id: EntityId
    reason: str = Field(default="", max_length=200)


class MutePublic(BaseModel):
    session_id: str
    user_id: str
    until: datetime
