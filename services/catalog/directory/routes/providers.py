from fastapi import APIRouter, status

from services.catalog.directory import offerings, providers, qualifications, vetting
from services.catalog.directory.models import (
    ChangePublic,
    ListingPublic,
    OfferingPublic,
    ProviderCreate,
    ProviderPrivate,
    ProviderPublic,
    ProviderUpdate,
    QualificationCreate,
    QualificationPublic,
)
from shared.auth import CurrentPrincipal
from shared.pagination import Limit, Offset
from shared.service import SessionDep

router = APIRouter(prefix="/providers", tags=["directory: providers"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProviderPrivate)
async def register(body: ProviderCreate, session: SessionDep, principal: CurrentPrincipal) -> object:
    provider = await providers.register(session, principal=principal, data=body)
    await session.commit()
    return provider


@router.get("", response_model=list[ProviderPrivate], summary="The providers you manage")
async def mine(session: SessionDep, principal: CurrentPrincipal) -> object:
    return await providers.mine(session, principal=principal)


@router.get("/{provider_id}", summary="A provider (its phone only for itself, operators and vetting leaders)")
async def get(provider_id: str, session: SessionDep, principal: CurrentPrincipal) -> ProviderPrivate | ProviderPublic:
    return await providers.get(session, principal=principal, provider_id=provider_id)


@router.patch("/{provider_id}", response_model=ProviderPrivate)
async def update(provider_id: str, body: ProviderUpdate, session: SessionDep, principal: CurrentPrincipal) -> object:
    provider = await providers.update(session, principal=principal, provider_id=provider_id, data=body)
    await session.commit()
    return provider


@router.get("/{provider_id}/changes", response_model=list[ChangePublic], summary="Who changed which field when")
async def changes(
    provider_id: str, session: SessionDep, principal: CurrentPrincipal, limit: Limit = 50, offset: Offset = 0
) -> object:
    return await providers.changes(session, principal=principal, provider_id=provider_id, limit=limit, offset=offset)


@router.get("/{provider_id}/offerings")
async def provider_offerings(
    provider_id: str, session: SessionDep, principal: CurrentPrincipal
) -> list[OfferingPublic]:
    rows = await offerings.of_provider(session, principal=principal, provider_id=provider_id)
    return [offerings.public(o) for o in rows]


@router.post(
    "/{provider_id}/qualifications",
    status_code=status.HTTP_201_CREATED,
    response_model=QualificationPublic,
    summary="File papers for a regulated domain; an operator verifies them",
)
async def submit_qualification(
    provider_id: str, body: QualificationCreate, session: SessionDep, principal: CurrentPrincipal
) -> object:
    qualification = await qualifications.submit(session, principal=principal, provider_id=provider_id, data=body)
    await session.commit()
    return qualification


@router.get("/{provider_id}/qualifications", response_model=list[QualificationPublic])
async def list_qualifications(provider_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    return await qualifications.of_provider(session, principal=principal, provider_id=provider_id)


@router.get("/{provider_id}/listings", response_model=list[ListingPublic], summary="Where the provider applied")
async def provider_listings(provider_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    return await vetting.of_provider(session, principal=principal, provider_id=provider_id)
