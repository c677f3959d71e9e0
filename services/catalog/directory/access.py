"""Who stands how close to a provider: its managers (owner, operators), the leaders vetting it (of
a community it applied to) and residents (members of a community where it is listed). Anyone
else is not told it exists (404); someone who may see it but not do the thing gets 403."""

from enum import IntEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.directory.models import Listing, Provider
from shared.auth import LEADER, Principal
from shared.errors import Forbidden, NotFound

LISTED = "listed"


class Standing(IntEnum):
    RESIDENT = 1
    LEADER = 2
    MANAGER = 3


_DOES = {
    Standing.RESIDENT: "a resident of a community it is listed in",
    Standing.LEADER: "a leader of a community it applied to",
    Standing.MANAGER: "the provider or an operator",
}


async def standing(session: AsyncSession, principal: Principal, provider: Provider) -> Standing | None:
    if principal.operator or provider.owner_id == principal.user_id:
        return Standing.MANAGER
    mine = [c for c, roles in principal.roles.items() if roles]
    if not mine:
        return None
    listings = (
        await session.exec(
            select(Listing.community_id, Listing.state).where(
                Listing.provider_id == provider.id, col(Listing.community_id).in_(mine)
            )
        )
    ).all()
    if any(LEADER in principal.roles_in(community) for community, _ in listings):
        return Standing.LEADER
    if any(state == LISTED for _, state in listings):
        return Standing.RESIDENT
    return None


async def provider_for(
    session: AsyncSession, principal: Principal, provider_id: str, *, at_least: Standing
) -> tuple[Provider, Standing]:
    provider = await session.get(Provider, provider_id)
    found = None if provider is None else await standing(session, principal, provider)
    if provider is None or found is None:
        raise NotFound(f"provider {provider_id} does not exist")
    if found < at_least:
        raise Forbidden(f"only {_DOES[at_least]} may do this")
    return provider, found
