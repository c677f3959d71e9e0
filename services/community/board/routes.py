from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.board import feed, service
from services.community.board.feed import BoardPage
from services.community.board.models import (
    BoardPost,
    CommentCreate,
    CommentPublic,
    MuteCreate,
    MutePublic,
    PostCreate,
    PostPublic,
    ReactionKind,
)
from services.community.moderation import Moderation, ReportCreate
from shared.auth import CurrentPrincipal, Principal
from shared.pagination import Limit
from shared.service import ReaderDep, SessionDep

router = APIRouter(tags=["community board"])
POST = "/board-posts/{post_id}"
Kind = Annotated[ReactionKind, Path(description="like, thanks or heart")]


@router.post(
    "/communities/{community_id}/board",
    status_code=status.HTTP_201_CREATED,
    summary="Post on the community's board (members); an announcement 公告 (leaders)",
)
async def publish(community_id: str, body: PostCreate, session: SessionDep, principal: CurrentPrincipal) -> PostPublic:
    post = await service.publish(session, principal=principal, community_id=community_id, data=body)
    shown = await service.public(session, principal=principal, posts=[post])
    await session.commit()
    return shown[0]


@router.get(
    "/communities/{community_id}/board",
    summary="The board: posts, announcements, events, highlights, swaps and needs in one stream, pinned posts "
    "first, then the newest (members)",
)
async def board(
    community_id: str,
    session: ReaderDep,
    principal: CurrentPrincipal,
    limit: Limit = 20,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the page before")] = None,
) -> BoardPage:
    return await feed.page(session, principal=principal, community_id=community_id, limit=limit, cursor=cursor)


@router.post(
    "/communities/{community_id}/mutes",
    response_model=MutePublic,
    summary="Mute a member on the board for some days (moderators and leaders)",
)
async def mute(community_id: str, body: MuteCreate, session: SessionDep, principal: CurrentPrincipal) -> object:
    muted = await service.mute(session, principal=principal, community_id=community_id, data=body)
    await session.commit()
    return muted


@router.delete(
    "/communities/{community_id}/mutes/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Let a muted member speak again (moderators and leaders)",
)
async def unmute(community_id: str, user_id: str, session: SessionDep, principal: CurrentPrincipal) -> None:
    await service.unmute(session, principal=principal, community_id=community_id, user_id=user_id)
    await session.commit()


@router.get(POST, summary="A board post (members)")
async def get_post(post_id: str, session: ReaderDep, principal: CurrentPrincipal) -> PostPublic:
    post = await service.get_post(session, principal=principal, post_id=post_id)
    return (await service.public(session, principal=principal, posts=[post]))[0]


async def _changed(session: AsyncSession, principal: Principal, post: BoardPost) -> PostPublic:
    """The changed post as the asker sees it, committed."""
    shown = await service.public(session, principal=principal, posts=[post])
    await session.commit()
    return shown[0]


@router.post(f"{POST}/pin", summary="Pin a post to the top of the board (leaders)")
async def pin(post_id: str, session: SessionDep, principal: CurrentPrincipal) -> PostPublic:
    return await _changed(
        session, principal, await service.pin(session, principal=principal, post_id=post_id, pinned=True)
    )


@router.post(f"{POST}/unpin", summary="Unpin a post (leaders)")
async def unpin(post_id: str, session: SessionDep, principal: CurrentPrincipal) -> PostPublic:
    return await _changed(
        session, principal, await service.pin(session, principal=principal, post_id=post_id, pinned=False)
    )


@router.put(f"{POST}/reactions/{{kind}}", summary="React to a post (once per kind)")
async def react(post_id: str, kind: Kind, session: SessionDep, principal: CurrentPrincipal) -> PostPublic:
    post = await service.react(session, principal=principal, post_id=post_id, kind=kind, on=True)
    return await _changed(session, principal, post)


@router.delete(f"{POST}/reactions/{{kind}}", summary="Take a reaction back")
async def unreact(post_id: str, kind: Kind, session: SessionDep, principal: CurrentPrincipal) -> PostPublic:
    post = await service.react(session, principal=principal, post_id=post_id, kind=kind, on=False)
    return await _changed(session, principal, post)


@router.post(f"{POST}/reports", summary="Report a post (members, once); hidden until a moderator decides")
async def report(post_id: str, body: ReportCreate, session: SessionDep, principal: CurrentPrincipal) -> PostPublic:
    post = await service.report(session, principal=principal, post_id=post_id, data=body)
    return await _changed(session, principal, post)


@router.post(f"{POST}/moderation", summary="Restore or remove a post (moderators and leaders)")
async def moderate(post_id: str, body: Moderation, session: SessionDep, principal: CurrentPrincipal) -> PostPublic:
    post = await service.moderate(session, principal=principal, post_id=post_id, data=body)
    return await _changed(session, principal, post)


@router.post(
    f"{POST}/comments",
    status_code=status.HTTP_201_CREATED,
    response_model=CommentPublic,
    summary="Comment on a post (members who are not muted)",
)
async def comment(post_id: str, body: CommentCreate, session: SessionDep, principal: CurrentPrincipal) -> object:
    remark = await service.comment(session, principal=principal, post_id=post_id, data=body)
    await session.commit()
    return remark


@router.get(f"{POST}/comments", response_model=list[CommentPublic], summary="A post's comments, oldest first")
async def list_comments(post_id: str, session: ReaderDep, principal: CurrentPrincipal) -> object:
    return await service.list_comments(session, principal=principal, post_id=post_id)


@router.delete(
    f"{POST}/comments/{{comment_id}}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Take a comment down (its author, moderators and leaders)",
)
async def delete_comment(post_id: str, comment_id: str, session: SessionDep, principal: CurrentPrincipal) -> None:
    await service.delete_comment(session, principal=principal, post_id=post_id, comment_id=comment_id)
    await session.commit()
