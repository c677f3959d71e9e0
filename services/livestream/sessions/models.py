from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, StringConstraints, field_validator
from sqlmodel import JSON, Column, Field

from services.livestream.base import LivestreamModel
from shared.fields import EntityId, ImageUrl, Tags
from shared.models import UTCDateTime, new_id, utcnow

SCHEDULED, LIVE, ENDED, REPLAY = "scheduled", "live", "ended", "replay"

# Stream URLs are kept as given: the ingest (RTMP, with its stream key) is for the host's encoder only.
IngestUrl = Annotated[str, StringConstraints(pattern=r"^rtmps?://[^\s]{1,500}$")]
PlaybackUrl = Annotated[str, StringConstraints(pattern=r"^https://[^\s]{1,500}$")]
Word = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]


class SessionKind(StrEnum):
    sale = "sale"
    expert_talk = "expert_talk"
    skills_class = "skills_class"
    culture = "culture"
    service_introduction = "service_introduction"


def _aware_and_future(value: datetime | None) -> datetime | None:
    if value is None:
        return value
    if value.tzinfo is None:
        raise ValueError("planned_start needs a timezone")
    if value <= utcnow():
        raise ValueError("planned_start must be in the future")
    return value


class LiveSessionCreate(LivestreamModel):
    community_id: EntityId
    title: str = Field(min_length=1, max_length=120)
    kind: SessionKind
    planned_start: datetime
    topics: Tags = Field(
        default_factory=list,
        description="What it is about (parenting, cooking, health…), for recommendations",
    )
    cover_url: ImageUrl | None = None
    ingest_url: IngestUrl | None = Field(default=None, description="RTMP ingest for the host's encoder (host only)")
    playback_url: PlaybackUrl | None = Field(default=None, description="HLS playback for viewers")
    community_only: bool = Field(default=True, description="Only members of the community may watch")

    _future = field_validator("planned_start")(_aware_and_future)


class LiveSessionUpdate(BaseModel):
    """What the host may change before going live (only the fields sent change)."""

    title: str | None = Field(default=None, min_length=1, max_length=120)
    planned_start: datetime | None = None
    cover_url: ImageUrl | None = None
    ingest_url: IngestUrl | None = None
    playback_url: PlaybackUrl | None = None
    community_only: bool | None = None

    _future = field_validator("planned_start")(_aware_and_future)


class RoomSettings(BaseModel):
    """The room's rules the host and moderators set (only the fields sent change)."""

    slow_mode_seconds: int | None = Field(default=None, ge=0, le=600, description="0 switches slow mode off")
    blocked_words: list[Word] | None = Field(default=None, max_length=200, description="Chat containing one is refused")
    lead_keywords: list[Word] | None = Field(
        default=None, max_length=10, description="Chat containing one becomes a lead for the leader (留言牵线)"
    )


class ReplayUrl(BaseModel):
    replay_url: PlaybackUrl


class LiveSession(LivestreamModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    community_id: str = Field(index=True)
    host_id: str
    title: str
    kind: str
    planned_start: datetime = Field(sa_type=UTCDateTime, index=True)
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = SCHEDULED
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    cover_url: str | None = None
    ingest_url: str | None = None
    playback_url: str | None = None
    replay_url: str | None = None
    community_only: bool = True
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminder_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    peak_viewers: int = 0
    slow_mode_seconds: int = 0
    blocked_words: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    lead_keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    pinned_message: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))

    @property
    def is_open(self) -> bool:
        """The room takes viewers before the show and during it."""
        return self.status in (SCHEDULED, LIVE)


class LiveSessionPublic(LivestreamModel):
    id: str
    community_id: str
    host_id: str
    title: str
    kind: str
    planned_start: datetime
    topics: list[str]
    status: str
    cover_url: str | None
    playback_url: str | None
    ingest_url: str | None = Field(description="Shown to the host only")
    replay_url: str | None
    community_only: bool
    started_at: datetime | None
    ended_at: datetime | None
    peak_viewers: int
    reminders: int = Field(description="Residents who asked to be reminded")


class Reminder(LivestreamModel, table=True):
    """A resident asked to be reminded before the session starts."""

    session_id: str = Field(primary_key=True, foreign_key="livesession.id")
    user_id: str = Field(primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReminderStatus(BaseModel):
    count: int
    subscribed: bool


class PinnedMessageSet(BaseModel):
    """Pin a chat message (by id, while it is among the room's recent messages) or a notice of the host's."""

    message_id: str | None = Field(default=None, max_length=64)
    text: str | None = Field(default=None, min_length=1, max_length=300)
