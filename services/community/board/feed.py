"""The board as the one place a resident looks (线上邻里中心): one stream, newest first, of the
community's posts and announcements, published events, event highlights, item swaps and posted
needs — pinned posts before everything, newest pin first.

Everything lives in community's own tables, so the stream is one indexed probe per source (each
ordered by its time and id, cut at the shared cursor, `limit + 1` rows) merged here: a page costs
six short index range scans whatever the community's history, and a cursor (not an offset) keeps
pages stable while new items arrive. What a viewer sees follows each kind's own rule: hidden and
removed posts and swaps never show here; a need for the leaders only, to its poster and the leaders."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import ColumnElement
from sqlmodel import and_, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.community.base import CommunityModel
from services.community.board import service as board
from services.community.board.models import SHOWN, BoardPost, PostPublic
from services.community.communities import membership
from services.community.communities.service import get_community
from services.community.events import highlights
from services.community.events.models import EventPublic, HighlightPublic, OfflineEvent
from services.community.events.models import Highlight as EventHighlight
from services.community.needs import service as needs
from services.community.needs.models import Need, NeedPublic
from services.community.swaps.models import REMOVED as SWAP_REMOVED
from services.community.swaps.models import Swap, SwapPublic
from shared.auth import LEADER, Principal
from shared.errors import Unprocessable

ItemKind = Literal["post", "announcement", "event", "highlight", "swap", "need"]


class BoardItem(CommunityModel):
    kind: ItemKind
    id: str
    at: datetime = Field(description="When it came on the board (posted, published); a pinned post: when pinned")
    pinned: bool
    path: str = Field(description="Where the app reads the item, e.g. /api/v1/swaps/{id}")
    post: PostPublic | None = Field(default=None, description="kind post or announcement")
    event: EventPublic | None = None
    highlight: HighlightPublic | None = None
    swap: SwapPublic | None = None
    need: NeedPublic | None = None


class BoardPage(CommunityModel):
    items: list[BoardItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


@dataclass(frozen=True, order=True)
class Position:
    """Where an item sorts: pinned first, then by time, then by id (all descending)."""

    pinned: bool
    at: datetime
    id: str

    def encode(self) -> str:
        raw = f"{int(self.pinned)}|{self.at.isoformat()}|{self.id}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> Position:
        try:
            pinned, at, id_ = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split("|")
            when = datetime.fromisoformat(at)
            if pinned not in ("0", "1") or when.tzinfo is None:
                raise ValueError(cursor)
            return cls(pinned == "1", when, id_)
        except (ValueError, UnicodeDecodeError, binascii.Error):
            raise Unprocessable("cursor is not one this board gave; start again without it") from None


async def page(
    session: AsyncSession, *, principal: Principal, community_id: str, limit: int, cursor: str | None
) -> BoardPage:
    await get_community(session, principal=principal, community_id=community_id)
    after = Position.decode(cursor) if cursor is not None else None
    leader = await membership.has_role(session, principal, community_id, LEADER)
    found: list[tuple[Position, str, Any]] = []  # (position, kind, row)
    for source in _sources(community_id, principal.user_id, leader=leader):
        if after is not None and source.pinned and not after.pinned:
            continue  # the pinned part is over
        query = select(*source.columns).where(*source.where)
        if after is not None and source.pinned == after.pinned:
            query = query.where(_before(source.at, source.id, after))
        query = query.order_by(col(source.at).desc(), col(source.id).desc()).limit(limit + 1)
        for row in (await session.exec(query)).all():
            found.append((Position(source.pinned, row[0], row[1]), source.kind, row))
    found.sort(key=lambda item: item[0], reverse=True)
    shown = found[:limit]
    items = await _items(session, principal, shown)
    next_cursor = shown[-1][0].encode() if len(found) > limit else None
    return BoardPage(items=items, next_cursor=next_cursor)


@dataclass(frozen=True)
class _Source:
    kind: str  # "post" stands for posts and announcements alike: the row says which
    pinned: bool
    at: Any  # the column it is ordered by
    id: Any
    columns: Sequence[Any]  # (time, id, what it shows…)
    where: Sequence[Any]  # conditions (SQLModel types a column comparison as bool)


def _sources(community_id: str, viewer_id: str, *, leader: bool) -> list[_Source]:
    shown_post = [
        BoardPost.community_id == community_id,
        BoardPost.status == SHOWN,
        col(BoardPost.hidden).is_(False),
    ]
    needs_seen: list[Any] = [Need.community_id == community_id]
    if not leader:
        needs_seen.append(or_(Need.visibility == "community", Need.poster_id == viewer_id))
    return [
        _Source(
            "post",
            True,
            BoardPost.pinned_at,
            BoardPost.id,
            (BoardPost.pinned_at, BoardPost.id, BoardPost),
            [*shown_post, col(BoardPost.pinned_at).is_not(None)],
        ),
        _Source(
            "post",
            False,
            BoardPost.created_at,
            BoardPost.id,
            (BoardPost.created_at, BoardPost.id, BoardPost),
            [*shown_post, col(BoardPost.pinned_at).is_(None)],
        ),
        _Source(
            "event",
            False,
            OfflineEvent.published_at,
            OfflineEvent.id,
            (OfflineEvent.published_at, OfflineEvent.id, OfflineEvent),
            [OfflineEvent.community_id == community_id, col(OfflineEvent.published_at).is_not(None)],
        ),
        _Source(
            "highlight",
            False,
            EventHighlight.created_at,
            EventHighlight.id,
            (EventHighlight.created_at, EventHighlight.id, EventHighlight, OfflineEvent.title),
            [EventHighlight.community_id == community_id, col(OfflineEvent.id) == col(EventHighlight.event_id)],
        ),
        _Source(
            "swap",
            False,
            Swap.created_at,
            Swap.id,
            (Swap.created_at, Swap.id, Swap),
            [Swap.community_id == community_id, col(Swap.hidden).is_(False), Swap.status != SWAP_REMOVED],
        ),
        _Source("need", False, Need.created_at, Need.id, (Need.created_at, Need.id, Need), needs_seen),
    ]


def _before(at: Any, id_: Any, after: Position) -> ColumnElement[bool]:
    """Rows after the cursor in the (time, id) descending order."""
    return or_(col(at) < after.at, and_(col(at) == after.at, col(id_) < after.id))


async def _items(
    session: AsyncSession, principal: Principal, shown: list[tuple[Position, str, Any]]
) -> list[BoardItem]:
    """The page's items as the viewer sees them: posts with their reactions, needs with their "me too"."""
    posts = {p.id: p for p in await board.public(session, principal=principal, posts=_rows(shown, "post"))}
    seconded = {n.id: n for n in await needs.public(session, principal=principal, needs=_rows(shown, "need"))}
    items = []
    for position, kind, row in shown:
        fields: dict[str, Any] = {"id": position.id, "at": position.at, "pinned": position.pinned}
        if kind == "post":
            post = posts[position.id]
            fields |= {"kind": post.kind, "path": f"/api/v1/board-posts/{post.id}", "post": post}
        elif kind == "event":
            event = EventPublic.of(row[2])
            fields |= {"kind": kind, "path": f"/api/v1/community-events/{event.id}", "event": event}
        elif kind == "highlight":
            highlight = highlights.public(row[2], row[3])
            fields |= {"kind": kind, "path": f"/api/v1/community-events/{highlight.event_id}", "highlight": highlight}
        elif kind == "swap":
            swap = SwapPublic.model_validate(row[2], from_attributes=True)
            fields |= {"kind": kind, "path": f"/api/v1/swaps/{swap.id}", "swap": swap}
        else:
            fields |= {"kind": kind, "path": f"/api/v1/needs/{position.id}", "need": seconded[position.id]}
        items.append(BoardItem.model_validate(fields))
    return items


def _rows(shown: list[tuple[Position, str, Any]], kind: str) -> list[Any]:
    return [row[2] for _, k, row in shown if k == kind]
