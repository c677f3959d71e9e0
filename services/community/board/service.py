"""The community board (线上邻里中心): leaders' announcements and members' posts with photos, comments
and reactions. Leaders pin posts (first on the board, newest pin first; the board itself, with the
community's events, highlights, swaps and needs, is `feed.py`). Moderation as for swaps
(`moderation.py`): a report hides a post until a moderator restores or removes it; a moderator also
mutes a member for some days (they read but neither post nor comment) and removes any comment."""

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.board.models import (
    REMOVED,
    BoardComment,
    BoardPost,
    BoardReaction,
    BoardReport,
    CommentCreate,
    Mute,
    MuteCreate,
    PostCreate,
    PostPublic,
)
from services.community.communities import membership
from services.community.communities.members import holders
from services.community.communities.service import get_community, is_member
from services.community.locking import locked
from services.community.moderation import Moderation, ReportCreate, require_shown
from shared.access import get_for_member
from shared.auth import LEADER, Principal
from shared.bus import emit
from shared.errors import Conflict, Forbidden, NotFound
from shared.events.schemas.community import MemberMuted, PostCommented, PostModerated, PostPublished, PostReported
from shared.models import utcnow


async def publish(session: AsyncSession, *, principal: Principal, community_id: str, data: PostCreate) -> BoardPost:
    await get_community(session, principal=principal, community_id=community_id)
    await _require_voice(session, principal, community_id)
    if data.kind == "announcement":
        await membership.require_role(session, principal, community_id, LEADER)
    post = BoardPost(**data.model_dump(), community_id=community_id, author_id=principal.user_id)
    session.add(post)
    await _emit(
        session,
        post,
        principal,
        PostPublished(post_id=post.id, community_id=community_id, author_id=post.author_id, kind=post.kind),
    )
    return post


async def get_post(session: AsyncSession, *, principal: Principal, post_id: str, lock: bool = False) -> BoardPost:
    post = await get_for_member(session, BoardPost, post_id, principal=principal, label="post")
    await membership.require_member(session, principal, post.community_id)
    withheld = post.hidden or post.status == REMOVED
    await require_shown(
        session,
        principal,
        community_id=post.community_id,
        author_id=post.author_id,
        withheld=withheld,
        label=f"post {post_id}",
    )
    return await locked(session, BoardPost, post_id, label="post") if lock else post


async def pin(session: AsyncSession, *, principal: Principal, post_id: str, pinned: bool) -> BoardPost:
    """Leaders pin a shown post to the top of the board, or unpin it (either twice is harmless)."""
    post = await get_post(session, principal=principal, post_id=post_id, lock=True)
    await membership.require_role(session, principal, post.community_id, LEADER)
    if pinned and (post.hidden or post.status == REMOVED):
        raise Conflict("a hidden or removed post cannot be pinned")
    if pinned != (post.pinned_at is not None):
        post.pinned_at = utcnow() if pinned else None
        session.add(post)
    return post


async def comment(session: AsyncSession, *, principal: Principal, post_id: str, data: CommentCreate) -> BoardComment:
    post = await get_post(session, principal=principal, post_id=post_id, lock=True)
    await _require_voice(session, principal, post.community_id)
    _require_open(post)
    remark = BoardComment(**data.model_dump(), post_id=post.id, author_id=principal.user_id)
    post.comments += 1
    session.add_all([remark, post])
    await _emit(
        session,
        post,
        principal,
        PostCommented(
            comment_id=remark.id,
            post_id=post.id,
            community_id=post.community_id,
            author_id=post.author_id,
            user_id=principal.user_id,
        ),
    )
    return remark


async def list_comments(session: AsyncSession, *, principal: Principal, post_id: str) -> list[BoardComment]:
    post = await get_post(session, principal=principal, post_id=post_id)
    query = select(BoardComment).where(BoardComment.post_id == post.id).order_by(col(BoardComment.created_at))
    return list((await session.exec(query)).all())


async def delete_comment(session: AsyncSession, *, principal: Principal, post_id: str, comment_id: str) -> None:
    """Its author, or a moderator or leader, takes a comment down."""
    post = await get_post(session, principal=principal, post_id=post_id, lock=True)
    remark = await session.get(BoardComment, comment_id)
    if remark is None or remark.post_id != post.id:
        raise NotFound(f"comment {comment_id} does not exist on post {post_id}")
    if remark.author_id != principal.user_id:
        await membership.require_role(session, principal, post.community_id, *membership.STEWARDS)
    await session.delete(remark)
    post.comments -= 1
    session.add(post)


async def react(session: AsyncSession, *, principal: Principal, post_id: str, kind: str, on: bool) -> BoardPost:
    """A reaction of each kind once per member; adding or taking it back twice is harmless."""
    post = await get_post(session, principal=principal, post_id=post_id)
    _require_open(post)
    existing = await session.get(BoardReaction, (post.id, principal.user_id, kind))
    if on and existing is None:
        session.add(BoardReaction(post_id=post.id, user_id=principal.user_id, kind=kind))
    elif not on and existing is not None:
        await session.delete(existing)
    return post


async def report(session: AsyncSession, *, principal: Principal, post_id: str, data: ReportCreate) -> BoardPost:
    post = await get_post(session, principal=principal, post_id=post_id, lock=True)
    if post.author_id == principal.user_id:
        raise Conflict("this is your own post")
    _require_open(post)
    if await session.get(BoardReport, (post.id, principal.user_id)) is not None:
        raise Conflict("you already reported this post")
    session.add(BoardReport(**data.model_dump(), post_id=post.id, user_id=principal.user_id))
    post.hidden = True
    session.add(post)
    stewards = await holders(session, community_id=post.community_id, roles=membership.STEWARDS)
    await _emit(
        session,
        post,
        principal,
        PostReported(post_id=post.id, community_id=post.community_id, reason=data.reason, recipient_ids=stewards),
    )
    return post


async def moderate(session: AsyncSession, *, principal: Principal, post_id: str, data: Moderation) -> BoardPost:
    post = await get_post(session, principal=principal, post_id=post_id, lock=True)
    await membership.require_role(session, principal, post.community_id, *membership.STEWARDS)
    if post.status == REMOVED:
        raise Conflict("this post is already removed")
    if data.decision == "restore":
        if not post.hidden:
            raise Conflict("this post is not hidden")
        await session.exec(delete(BoardReport).where(col(BoardReport.post_id) == post.id))
    else:
        post.status, post.pinned_at = REMOVED, None
    post.hidden = False
    session.add(post)
    await _emit(
        session,
        post,
        principal,
        PostModerated(
            post_id=post.id,
            community_id=post.community_id,
            author_id=post.author_id,
            decision="restored" if data.decision == "restore" else "removed",
            note=data.note,
        ),
    )
    return post


async def mute(session: AsyncSession, *, principal: Principal, community_id: str, data: MuteCreate) -> Mute:
    """A moderator or leader mutes a member (again: a new end); not a steward, and not themselves."""
    await get_community(session, principal=principal, community_id=community_id)
    await membership.require_role(session, principal, community_id, *membership.STEWARDS)
    if not await is_member(session, community_id=community_id, user_id=data.user_id):
        raise NotFound(f"{data.user_id} is not a member of community {community_id}")
    if set(membership.STEWARDS) & await membership.roles(session, community_id=community_id, user_id=data.user_id):
        raise Forbidden("moderators and leaders are not muted; a leader takes the role back first")
    until = utcnow() + timedelta(days=data.days)
    muted = await session.merge(
        Mute(community_id=community_id, user_id=data.user_id, muted_by=principal.user_id, until=until)
    )
    await emit(
        session,
        MemberMuted(community_id=community_id, user_id=data.user_id, muted_by=principal.user_id, until=until),
        subject=community_id,
        community_id=community_id,
        actor_id=principal.user_id,
    )
    return muted


async def unmute(session: AsyncSession, *, principal: Principal, community_id: str, user_id: str) -> None:
    await get_community(session, principal=principal, community_id=community_id)
    await membership.require_role(session, principal, community_id, *membership.STEWARDS)
    muted = await session.get(Mute, (community_id, user_id))
    if muted is None:
        raise NotFound(f"{user_id} is not muted in community {community_id}")
    await session.delete(muted)


async def public(session: AsyncSession, *, principal: Principal, posts: list[BoardPost]) -> list[PostPublic]:
    """The posts as the asker sees them: reactions counted per kind, and which are theirs."""
    rows = (
        await session.exec(select(BoardReaction).where(col(BoardReaction.post_id).in_([p.id for p in posts])))
    ).all()
    counts: dict[str, Counter[str]] = {p.id: Counter() for p in posts}
    mine: dict[str, list[str]] = {p.id: [] for p in posts}
    for row in rows:
        counts[row.post_id][row.kind] += 1
        if row.user_id == principal.user_id:
            mine[row.post_id].append(row.kind)
    return [
        PostPublic.model_validate(
            p, from_attributes=True, update={"reactions": dict(counts[p.id]), "my_reactions": sorted(mine[p.id])}
        )
        for p in posts
    ]


async def _require_voice(session: AsyncSession, principal: Principal, community_id: str) -> None:
    muted = await session.get(Mute, (community_id, principal.user_id))
    if muted is not None and muted.until > utcnow():
        raise Forbidden(
            f"a moderator muted you on this board until {muted.until.isoformat()}", until=muted.until.isoformat()
        )


def _require_open(post: BoardPost) -> None:
    if post.hidden or post.status == REMOVED:
        raise Conflict("this post is hidden or removed")


async def _emit(session: AsyncSession, post: BoardPost, principal: Principal, payload: Any) -> None:
    await emit(session, payload, subject=post.id, community_id=post.community_id, actor_id=principal.user_id)
