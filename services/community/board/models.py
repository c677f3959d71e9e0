from datetime import datetime
from typing import Literal

from sqlmodel import JSON, Column, Field, Index

from services.community.base import CommunityModel
from services.community.moderation import ReportCreate
from shared.fields import EntityId, ImageUrl
from shared.models import UTCDateTime, new_id, utcnow

# announcement: a leader's notice (公告); post: any member's. A post is shown, or hidden (reported,
# pending a moderator's decision), or removed.
PostKind = Literal["announcement", "post"]
SHOWN, REMOVED = "shown", "removed"
PostStatus = Literal["shown", "removed"]
ReactionKind = Literal["like", "thanks", "heart"]


class PostBase(CommunityModel):
    text: str = Field(min_length=1, max_length=2000)


class PostCreate(PostBase):
    kind: PostKind = Field(default="post", description="announcement (公告, leaders only) or post")
    photos: list[ImageUrl] = Field(default_factory=list, max_length=9)


class BoardPost(PostBase, table=True):
    __table_args__ = (Index("ix_boardpost_community_pinned", "community_id", "status", "pinned_at", "created_at"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    community_id: str = Field(foreign_key="community.id")
    author_id: str = Field(index=True)
    kind: str = Field(max_length=16)
    photos: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=SHOWN, max_length=8)
    hidden: bool = Field(default=False, description="Reported: shown to its author and moderators only")
    pinned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    comments: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PostPublic(PostCreate):
    id: str
    community_id: str
    author_id: str
    status: PostStatus
    hidden: bool
    pinned_at: datetime | None
    comments: int
    reactions: dict[str, int] = Field(default_factory=dict, description="Count per kind")
    my_reactions: list[ReactionKind] = Field(default_factory=list)
    created_at: datetime


class CommentCreate(CommunityModel):
    text: str = Field(min_length=1, max_length=500)


class BoardComment(CommentCreate, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    post_id: str = Field(foreign_key="boardpost.id", index=True)
    author_id: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CommentPublic(CommentCreate):
    id: str
    post_id: str
    author_id: str
    created_at: datetime


class BoardReaction(CommunityModel, table=True):
    post_id: str = Field(foreign_key="boardpost.id", primary_key=True)
    user_id: str = Field(primary_key=True)
    kind: str = Field(primary_key=True, max_length=8)


class BoardReport(ReportCreate, table=True):
    post_id: str = Field(foreign_key="boardpost.id", primary_key=True)
    user_id: str = Field(primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MuteCreate(CommunityModel):
    user_id: EntityId
    days: int = Field(default=7, ge=1, le=365, description="Muted for this many days")


class Mute(CommunityModel, table=True):
    """A member a moderator muted: they read the board but neither post nor comment until `until`."""

    community_id: str = Field(foreign_key="community.id", primary_key=True)
    user_id: str = Field(primary_key=True)
    muted_by: str
    until: datetime = Field(sa_type=UTCDateTime)


class MutePublic(CommunityModel):
    community_id: str
    user_id: str
    until: datetime
