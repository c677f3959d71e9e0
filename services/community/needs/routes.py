from typing import Annotated

from fastapi import APIRouter, Query, status

from services.community.needs import service
from services.community.needs.models import NeedCreate, NeedPublic, NeedStatus
from shared.auth import CurrentPrincipal
from shared.pagination import Limit, Offset
from shared.service import ReaderDep, SessionDep

router = APIRouter(tags=["posted needs"])


@router.post(
    "/communities/{community_id}/needs",
    status_code=status.HTTP_201_CREATED,
    summary="Post a need (居民需求) for the community, or for its leaders only",
)
async def post_need(
    community_id: str, body: NeedCreate, session: SessionDep, principal: CurrentPrincipal
) -> NeedPublic:
    need = await service.post(session, principal=principal, community_id=community_id, data=body)
    shown = await service.public(session, principal=principal, needs=[need])
    await session.commit()
    return shown[0]


@router.get("/communities/{community_id}/needs", summary="A community's needs, newest first (members)")
async def list_needs(
    community_id: str,
    session: ReaderDep,
    principal: CurrentPrincipal,
    status: Annotated[NeedStatus, Query(description="open, or met (closed by their posters)")] = "open",
    limit: Limit = 20,
    offset: Offset = 0,
) -> list[NeedPublic]:
    needs = await service.list_needs(
        session, principal=principal, community_id=community_id, status=status, limit=limit, offset=offset
    )
    return await service.public(session, principal=principal, needs=needs)


@router.get("/needs/{need_id}", summary="A need (members; one for the leaders only: its poster and the leaders)")
async def get_need(need_id: str, session: ReaderDep, principal: CurrentPrincipal) -> NeedPublic:
    need = await service.get_need(session, principal=principal, need_id=need_id)
    return (await service.public(session, principal=principal, needs=[need]))[0]


@router.post("/needs/{need_id}/seconds", summary='Say "me too" (我也需要) to a neighbour\'s need, once')
async def second_need(need_id: str, session: SessionDep, principal: CurrentPrincipal) -> NeedPublic:
    need = await service.second(session, principal=principal, need_id=need_id)
    shown = await service.public(session, principal=principal, needs=[need])
    await session.commit()
    return shown[0]


@router.post("/needs/{need_id}/close", summary="Close a need as met (its poster)")
async def close_need(need_id: str, session: SessionDep, principal: CurrentPrincipal) -> NeedPublic:
    need = await service.close(session, principal=principal, need_id=need_id)
    shown = await service.public(session, principal=principal, needs=[need])
    await session.commit()
    return shown[0]
