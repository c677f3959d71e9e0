from typing import Annotated, Literal

from fastapi import APIRouter, Path, status

from services.community.communities import members, membership, requests, service
from services.community.communities.models import (
    CommunityOpen,
    CommunityPublic,
    GrantableRole,
    JoinRequest,
    MembershipPublic,
    MembershipRequestCreate,
    MembershipRequestPublic,
    Rename,
    RoleGrant,
)
from shared.auth import LEADER, CurrentPrincipal
from shared.service import SessionDep

router = APIRouter(tags=["communities"])


@router.post(
    "/communities",
    status_code=status.HTTP_201_CREATED,
    response_model=CommunityPublic,
    summary="Open a community: operators name its first leader; anyone else leads the one they create",
)
async def create_community(body: CommunityOpen, session: SessionDep, principal: CurrentPrincipal) -> object:
    community = await service.create_community(session, principal=principal, data=body, leader_id=body.leader_id)
    await session.commit()
    return community


@router.post("/communities/join", response_model=MembershipPublic, summary="Join a community by its invite code")
async def join(body: JoinRequest, session: SessionDep, principal: CurrentPrincipal) -> object:
    joined = await service.join_by_invite(
        session, principal=principal, invite_code=body.invite_code, display_name=body.display_name
    )
    await session.commit()
    return joined


@router.get("/communities/{community_id}", response_model=CommunityPublic)
async def get_community(community_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    community = await service.get_community(session, principal=principal, community_id=community_id)
    public = CommunityPublic.model_validate(community, from_attributes=True)
    if not await membership.has_role(session, principal, community_id, LEADER):
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
    renamed = await service.rename(
        session, principal=principal, community_id=community_id, display_name=body.display_name
    )
    await session.commit()
    return renamed


@router.delete(
    "/communities/{community_id}/members/me", status_code=status.HTTP_204_NO_CONTENT, summary="Leave the community"
)
async def leave(community_id: str, session: SessionDep, principal: CurrentPrincipal) -> None:
    await members.leave(session, principal=principal, community_id=community_id)
    await session.commit()


@router.delete(
    "/communities/{community_id}/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a member (leaders); they lose access at once",
)
async def remove_member(community_id: str, user_id: str, session: SessionDep, principal: CurrentPrincipal) -> None:
    await members.remove(session, principal=principal, community_id=community_id, user_id=user_id)
    await session.commit()


@router.post(
    "/communities/{community_id}/members/{user_id}/roles",
    response_model=list[MembershipPublic],
    summary="Give a member a role: moderator or property_manager (leaders); leader (operators)",
)
async def grant_role(
    community_id: str, user_id: str, body: RoleGrant, session: SessionDep, principal: CurrentPrincipal
) -> object:
    rows = await members.grant_role(
        session, principal=principal, community_id=community_id, user_id=user_id, role=body.role
    )
    await session.commit()
    return rows


@router.delete(
    "/communities/{community_id}/members/{user_id}/roles/{role}",
    response_model=list[MembershipPublic],
    summary="Take a role back (leaders; a leader's role only operators); they stay a member",
)
async def revoke_role(
    community_id: str,
    user_id: str,
    role: Annotated[GrantableRole, Path()],
    session: SessionDep,
    principal: CurrentPrincipal,
) -> object:
    rows = await members.revoke_role(
        session, principal=principal, community_id=community_id, user_id=user_id, role=role
    )
    await session.commit()
    return rows


@router.post(
    "/communities/{community_id}/membership-requests",
    status_code=status.HTTP_201_CREATED,
    response_model=MembershipRequestPublic,
    summary="Ask to join without an invite code; a leader approves or declines",
)
async def ask_to_join(
    community_id: str, body: MembershipRequestCreate, session: SessionDep, principal: CurrentPrincipal
) -> object:
    request = await requests.ask(session, principal=principal, community_id=community_id, data=body)
    await session.commit()
    return request


@router.get(
    "/communities/{community_id}/membership-requests",
    response_model=list[MembershipRequestPublic],
    summary="Requests to join awaiting an answer, oldest first (leaders)",
)
async def pending_requests(community_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    return await requests.pending(session, principal=principal, community_id=community_id)


@router.post(
    "/communities/{community_id}/membership-requests/{request_id}/{decision}",
    response_model=MembershipRequestPublic,
    summary="Approve (they join as a resident) or decline a request to join (leaders)",
)
async def decide_request(
    community_id: str,
    request_id: str,
    decision: Annotated[Literal["approve", "decline"], Path()],
    session: SessionDep,
    principal: CurrentPrincipal,
) -> object:
    request = await requests.decide(
        session, principal=principal, community_id=community_id, request_id=request_id, approve=decision == "approve"
    )
    await session.commit()
    return request


@router.get("/memberships/{user_id}", summary="A person's roles per community (used when tokens are issued)")
async def roles_of(user_id: str, session: SessionDep, principal: CurrentPrincipal) -> dict[str, list[str]]:
    return await service.roles_of(session, principal=principal, user_id=user_id)
