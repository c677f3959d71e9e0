"""Providers: anyone may register one (and manages it); residents see it once it is listed in
their community, without its phone; every change is logged field by field."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.directory import changelog, index
from services.catalog.directory.access import Standing, provider_for
from services.catalog.directory.models import (
    Change,
    Offering,
    Provider,
    ProviderCreate,
    ProviderPrivate,
    ProviderPublic,
    ProviderUpdate,
)
from shared.auth import Principal
from shared.bus import emit
from shared.errors import Unprocessable
from shared.events.schemas.catalog import ProviderRegistered, ProviderUpdated

REQUIRED = ("name", "contact_phone", "description")


async def register(session: AsyncSession, *, principal: Principal, data: ProviderCreate) -> Provider:
    if data.home_community_id is not None:
        principal.require_member(data.home_community_id)
    provider = Provider(**data.model_dump(), owner_id=principal.user_id)
    session.add(provider)
    await emit(
        session,
        ProviderRegistered(provider_id=provider.id, kind=provider.kind, name=provider.name),
        subject=provider.id,
        actor_id=principal.user_id,
    )
    return provider


def view(provider: Provider, standing: Standing) -> ProviderPublic:
    """Residents never see a provider's phone: they reach it through Linli."""
    model = ProviderPrivate if standing >= Standing.LEADER else ProviderPublic
    return model.model_validate(provider, from_attributes=True)


async def get(session: AsyncSession, *, principal: Principal, provider_id: str) -> ProviderPublic:
    return view(*await provider_for(session, principal, provider_id, at_least=Standing.RESIDENT))


async def mine(session: AsyncSession, *, principal: Principal) -> list[Provider]:
    query = select(Provider).where(Provider.owner_id == principal.user_id).order_by(col(Provider.created_at))
    return list((await session.exec(query)).all())


async def update(session: AsyncSession, *, principal: Principal, provider_id: str, data: ProviderUpdate) -> Provider:
    provider, _ = await provider_for(session, principal, provider_id, at_least=Standing.MANAGER)
    changes = data.model_dump(exclude_unset=True)
    if cleared := [f for f in REQUIRED if f in changes and changes[f] is None]:
        raise Unprocessable(f"{', '.join(cleared)} cannot be cleared")
    changed = await changelog.apply(session, provider, changes, resource="provider", actor_id=principal.user_id)
    if "name" in changed:  # offerings are found by their provider's name too
        for offering in (await session.exec(select(Offering).where(Offering.provider_id == provider.id))).all():
            await index.store_terms(session, offering, provider_name=provider.name)
    if changed:
        await emit(
            session,
            ProviderUpdated(provider_id=provider.id, name=provider.name, changed=changed),
            subject=provider.id,
            actor_id=principal.user_id,
        )
    return provider


async def changes(
    session: AsyncSession, *, principal: Principal, provider_id: str, limit: int, offset: int
) -> list[Change]:
    await provider_for(session, principal, provider_id, at_least=Standing.LEADER)
    return await changelog.history(session, resource="provider", resource_id=provider_id, limit=limit, offset=offset)
