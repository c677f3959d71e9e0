from fastapi import APIRouter, status

from services.catalog.directory import offerings, qualifications, reviews
from services.catalog.directory.models import (
    ChangePublic,
    Decision,
    OfferingCreate,
    OfferingPublic,
    OfferingUpdate,
    QualificationPublic,
    ReviewPublic,
)
from shared.auth import CurrentPrincipal
from shared.pagination import Limit, Offset
from shared.service import ReaderDep, SessionDep

router = APIRouter(tags=["directory: offerings"])


@router.post("/offerings", status_code=status.HTTP_201_CREATED)
async def create(body: OfferingCreate, session: SessionDep, principal: CurrentPrincipal) -> OfferingPublic:
    offering = await offerings.create(session, principal=principal, data=body)
    await session.commit()
    return offerings.public(offering)


@router.get("/offerings/{offering_id}")
async def get(offering_id: str, session: SessionDep, principal: CurrentPrincipal) -> OfferingPublic:
    return offerings.public(await offerings.get(session, principal=principal, offering_id=offering_id))


@router.patch("/offerings/{offering_id}", summary="Change an offering; each changed field is logged")
async def update(
    offering_id: str, body: OfferingUpdate, session: SessionDep, principal: CurrentPrincipal
) -> OfferingPublic:
    offering = await offerings.update(session, principal=principal, offering_id=offering_id, data=body)
    await session.commit()
    return offerings.public(offering)


@router.post("/offerings/{offering_id}/assure", summary="A vetting leader or an operator checked it is as described")
async def assure(offering_id: str, session: SessionDep, principal: CurrentPrincipal) -> OfferingPublic:
    offering = await offerings.assure(session, principal=principal, offering_id=offering_id)
    await session.commit()
    return offerings.public(offering)


@router.get("/offerings/{offering_id}/changes", response_model=list[ChangePublic], summary="Who changed what when")
async def changes(
    offering_id: str, session: SessionDep, principal: CurrentPrincipal, limit: Limit = 50, offset: Offset = 0
) -> object:
    return await offerings.changes(session, principal=principal, offering_id=offering_id, limit=limit, offset=offset)


@router.get(
    "/offerings/{offering_id}/reviews",
    response_model=list[ReviewPublic],
    summary="Residents' reviews of completed bookings, newest first, with the provider's reply; never who wrote them",
)
async def list_reviews(
    offering_id: str, session: ReaderDep, principal: CurrentPrincipal, limit: Limit = 20, offset: Offset = 0
) -> object:
    return await reviews.of_offering(session, principal=principal, offering_id=offering_id, limit=limit, offset=offset)


@router.post(
    "/qualifications/{qualification_id}/decision",
    response_model=QualificationPublic,
    tags=["directory: providers"],
    summary="Operators verify (or reject) a provider's papers",
)
async def decide(qualification_id: str, body: Decision, session: SessionDep, principal: CurrentPrincipal) -> object:
    qualification = await qualifications.decide(
        session, principal=principal, qualification_id=qualification_id, decision=body
    )
    await session.commit()
    return qualification
