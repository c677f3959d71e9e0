from datetime import datetime
from typing import Annotated, Literal

from pydantic import StringConstraints
from sqlmodel import Field, Index

from services.community.base import CommunityModel
from shared.models import UTCDateTime, new_id, utcnow

# A key of the service directory's taxonomy (elder_care, tutoring, repairs…). The taxonomy is
# catalog's and catalog publishes no list of it, so community accepts any key of its shape.
CategoryKey = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9_]{1,39}$")]
Urgency = Literal["low", "normal", "urgent"]
Visibility = Literal["community", "leaders"]
OPEN, MET = "open", "met"
NeedStatus = Literal["open", "met"]


class NeedBase(CommunityModel):
    category: CategoryKey = Field(description="A key of the service directory's taxonomy, e.g. elder_care, tutoring")
    text: str = Field(min_length=1, max_length=500, description="e.g. 想找周末上门辅导初二数学的老师")
    when: str | None = Field(default=None, max_length=100, description="e.g. 周末上午, 下周三之前")


class NeedCreate(NeedBase):
    urgency: Urgency = "normal"
    visibility: Visibility = Field(
        default="community", description="community: every member sees it; leaders: only its poster and the leaders"
    )


class Need(NeedBase, table=True):
    __table_args__ = (
        Index("ix_need_community_status", "community_id", "status", "created_at"),
        Index("ix_need_community_created", "community_id", "created_at"),  # the board
    )

    id: str = Field(default_factory=new_id, primary_key=True)
    community_id: str = Field(foreign_key="community.id")
    poster_id: str = Field(index=True)
    urgency: str = Field(max_length=8)
    visibility: str = Field(max_length=12)
    status: str = Field(default=OPEN, max_length=8)
    seconds: int = Field(default=0, description="How many neighbours said 'me too'")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NeedSecond(CommunityModel, table=True):
    """One neighbour's "me too" (我也需要) on a need; once each."""

    need_id: str = Field(foreign_key="need.id", primary_key=True)
    user_id: str = Field(primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NeedPublic(NeedCreate):
    id: str
    community_id: str
    poster_id: str
    status: NeedStatus
    seconds: int
    created_at: datetime
    closed_at: datetime | None
    seconded_by_me: bool = False
