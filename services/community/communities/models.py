from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints
from sqlmodel import Field, UniqueConstraint

from services.community.base import CommunityModel
from shared.fields import Name
from shared.models import UTCDateTime, new_id, utcnow

# The name neighbours know a member by in one community (群昵称), e.g. "3栋 王阿姨".
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class CommunityCreate(CommunityModel):
    name: Name
    address: str = Field(default="", max_length=200)


class Community(CommunityCreate, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    invite_code: str = Field(unique=True, index=True, max_length=16)
    created_by: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CommunityPublic(CommunityCreate):
    id: str
    created_at: datetime
    invite_code: str | None = Field(default=None, description="Shown to the community's leaders only.")


class Membership(CommunityModel, table=True):
    __table_args__ = (UniqueConstraint("community_id", "user_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: str = Field(foreign_key="community.id", index=True)
    user_id: str = Field(index=True)
    role: str
    display_name: str = Field(max_length=32)
    joined_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class JoinRequest(CommunityModel):
    invite_code: str = Field(min_length=4, max_length=16)
    display_name: DisplayName | None = Field(
        default=None, description="群昵称, e.g. 3栋 王阿姨 (default: 邻居 and four digits); change it later"
    )


class Rename(CommunityModel):
    display_name: DisplayName


class MembershipPublic(CommunityModel):
    community_id: str
    user_id: str
    role: str
    display_name: str = Field(description="The name neighbours know this member by here (群昵称)")
    joined_at: datetime
