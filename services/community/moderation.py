"""What members post (item swaps, board posts) is moderated the same way: a member's report hides it
from everyone but its author and the community's stewards (moderators and leaders) until one of
those restores it (its reports are cleared) or removes it for good."""

from typing import Literal

from sqlmodel import Field
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.base import CommunityModel
from services.community.communities import membership
from shared.auth import Principal
from shared.errors import NotFound

Decision = Literal["restore", "remove"]


class ReportCreate(CommunityModel):
    reason: str = Field(min_length=1, max_length=200, description="e.g. 疑似商业广告")


class Moderation(CommunityModel):
    decision: Decision = Field(description="restore: shown again; remove: taken down for good")
    note: str = Field(default="", max_length=200)


async def require_shown(
    session: AsyncSession, principal: Principal, *, community_id: str, author_id: str, withheld: bool, label: str
) -> None:
    """A withheld (hidden or removed) item exists only for its author and the stewards: 404 for others."""
    if not withheld or author_id == principal.user_id:
        return
    if not await membership.has_role(session, principal, community_id, *membership.STEWARDS):
        raise NotFound(f"{label} does not exist")
