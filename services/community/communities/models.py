from datetime import datetime
from typing import Annotated, Literal

from pydantic import StringConstraints
from sqlmodel import Field, UniqueConstraint

from services.community.base import CommunityModel
from shared.fields import EntityId, Name
from shared.models import UTCDateTime, new_id, utcnow

# The name neighbours know a member by in one community (群昵称), e.g. "3栋 王阿姨".
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class CommunityCreate(CommunityModel):
    name: Name
    address: str = Field(default="", max_length=200)


class CommunityOpen(CommunityCreate):
    leader_id: EntityId | None = Field(
        default=None, description="Operators: the person named its first leader (default: whoever creates it)"
    )


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


class Removal(CommunityModel, table=True):
    """A leader removed this person: the invite code no longer lets them back in; a leader's approval of
    a request to join does (and clears this)."""

    community_id: str = Field(foreign_key="community.id", primary_key=True)
    user_id: str = Field(primary_key=True)
    removed_by: str
    removed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# Roles a leader hands out; `leader` itself only an operator names.
GrantableRole = Literal["moderator", "property_manager", "leader"]


class RoleGrant(CommunityModel):
    role: GrantableRole = Field(description="moderator 版主, property_manager 物业; leader (operators only)")


# A request to join without an invite code, which a leader approves or declines.
PENDING, APPROVED, DECLINED = "pending", "approved", "declined"
RequestStatus = Literal["pending", "approved", "declined"]


class MembershipRequestCreate(CommunityModel):
    message: str = Field(default="", max_length=200, description="e.g. 我住 3 栋 2 单元")
    display_name: DisplayName | None = Field(default=None, description="群昵称 once approved")


class MembershipRequest(MembershipRequestCreate, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    community_id: str = Field(foreign_key="community.id", index=True)
    user_id: str = Field(index=True)
    status: str = Field(default=PENDING, max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by: str | None = None
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MembershipRequestPublic(MembershipRequestCreate):
    id: str
    community_id: str
    user_id: str
    status: RequestStatus
    created_at: datetime
    decided_at: datetime | None
