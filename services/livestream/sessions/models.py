from datetime import datetime
from enum import StrEnum

from pydantic import field_validator
from sqlmodel import JSON, Column, Field

from services.livestream.base import LivestreamModel
from shared.fields import EntityId, Tags
from shared.models import UTCDateTime, new_id, utcnow


class SessionKind(StrEnum):
    sale = "sale"
    expert_talk = "expert_talk"
    skills_class = "skills_class"
    culture = "culture"
    service_introduction = "service_introduction"


class LiveSessionCreate(LivestreamModel):
    community_id: EntityId
    title: str = Field(min_length=1, max_length=120)
    kind: SessionKind
    planned_start: datetime
    topics: Tags = Field(
        default_factory=list,
        description="What it is about (parenting, cooking, health…), for recommendations",
    )

    @field_validator("planned_start")
    @classmethod
    def _aware_and_future(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("planned_start needs a timezone")
        if value <= utcnow():
            raise ValueError("planned_start must be in the future")
        return value


class LiveSession(LivestreamModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    community_id: str = Field(index=True)
    host_id: str
    title: str
    kind: str
    planned_start: datetime = Field(sa_type=UTCDateTime, index=True)
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = "scheduled"
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LiveSessionPublic(LivestreamModel):
    id: str
    community_id: str
    host_id: str
    title: str
    kind: str
    planned_start: datetime
    topics: list[str]
    status: str
