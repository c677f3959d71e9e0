from fastapi import APIRouter, status

from services.community.communities import service
from services.community.communities.models import (
    CommunityCreate,
    CommunityPublic,
    JoinRequest,
    MembershipPublic,
    Rename,
)
from shared.auth import LEADER, CurrentPrincipal
from shared.service import SessionDep

router = APIRouter(tags=["communities"])


@router.post("/communities", status_code=status.HTTP_201_CREATED, response_model=CommunityPublic)
async def create_community(body: CommunityCreate, session: SessionDep, principal: CurrentPrincipal) -> object:
    community = await service.create_community(session, principal=principal, data=body)
    await session.commit()
    return community


@router.post("/communities/join", response_model=MembershipPublic, summary="Join a community by its invite code")
async def join(body: JoinRequest, session: SessionDep, principal: CurrentPrincipal) -> object:
    membership = await service.join_by_invite(
        session, principal=principal, invite_code=body.invite_code, display_name=body.display_name
    )
    await session.commit()
    return membership


@router.get("/communities/{community_id}", response_model=CommunityPublic)
async def get_community(community_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    community = await service.get_community(session, principal=principal, community_id=community_id)
    public = CommunityPublic.model_validate(community, from_attributes=True)
    if LEADER not in principal.roles_in(community_id):
        public.invite_code = None
    return public


@router.get("/communities/{community_id}/members", response_model=list[MembershipPublic])
async def list_members(community_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    return await service.list_members(session, principal=principal, community_id=community_id)


@router.patch(
    "/communities/{community_id}/members/me",
    response_model=MembershipPublic,
    summary="Change the name neighbours know me by in this community (群昵称)",
)
async def rename_me(community_id: str, body: Rename, session: SessionDep, principal: CurrentPrincipal) -> object:
    membership = await service.rename(
        session, principal=principal, community_id=community_id, display_name=body.display_name
    )
    await session.commit()
    return membership


@router.get("/memberships/{user_id}", summary="A person's roles per community (used when tokens are issued)")
async def roles_of(user_id: str, session: SessionDep, principal: CurrentPrincipal) -> dict[str, list[str]]:
    return await service.roles_of(session, principal=principal, user_id=user_id)
