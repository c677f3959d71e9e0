"""The rule every community-owned resource follows: it exists (404) and the caller is a member of
its community (403). One function, so every service applies it the same way."""

from typing import Protocol, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.auth import Principal
from shared.errors import NotFound


class CommunityOwned(Protocol):
    community_id: str


T = TypeVar("T", bound=CommunityOwned)


async def get_for_member(session: AsyncSession, model: type[T], id_: str, *, principal: Principal, label: str) -> T:
    row = await session.get(model, id_)
    if row is None:
        raise NotFound(f"{label} {id_} does not exist")
    principal.require_member(row.community_id)
    return row
