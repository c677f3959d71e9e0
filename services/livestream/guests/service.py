"""Guests on air: the host invites an expert, or a provider listed (not suspended) in the community,
with a one-time link — a random token shown once, kept hashed, expiring, good for one redemption.
Whoever redeems it joins the room as a guest, with the provider's credential badge."""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.livestream.directory import service as directory
from services.livestream.guests.models import Guest, GuestInvitation, GuestInvite, GuestKind, GuestPublic
from services.livestream.sessions import service as sessions
from services.livestream.sessions.models import LiveSession
from shared.auth import Principal
from shared.errors import Conflict, NotFound
from shared.models import utcnow


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def invite(
    session: AsyncSession, *, principal: Principal, session_id: str, data: GuestInvite, link_base: str, ttl: timedelta
) -> GuestInvitation:
    live = await sessions.get_for_host(session, principal=principal, session_id=session_id)
    sessions.require_open(live)
    name = data.name
    if data.kind == GuestKind.provider:
        assert data.provider_id is not None
        provider = await directory.require_listed(session, provider_id=data.provider_id, community_id=live.community_id)
        name = name or provider.name
    token = secrets.token_urlsafe(24)
    guest = Guest(
        session_id=live.id,
        community_id=live.community_id,
        kind=data.kind,
        name=name or "",
        title=data.title,
        provider_id=data.provider_id,
        token_hash=_hash(token),
        expires_at=utcnow() + ttl,
    )
    session.add(guest)
    public = await render_guest(session, guest)
    return GuestInvitation(**public.model_dump(), token=token, link=f"{link_base}/live/{live.id}/guest?token={token}")


async def redeem(session: AsyncSession, *, principal: Principal, session_id: str, token: str) -> GuestPublic:
    """Single use: the link is claimed with a conditional update, so two people racing for it get one guest."""
    live = await sessions.get(session, session_id)
    sessions.require_open(live)
    guest = (
        await session.exec(select(Guest).where(Guest.token_hash == _hash(token), Guest.session_id == live.id))
    ).first()
    if guest is None or guest.revoked:
        raise NotFound("this guest link is not valid for this session")
    if guest.expires_at <= utcnow():
        raise Conflict("this guest link has expired; ask the host for a new one")
    if guest.kind == GuestKind.provider and guest.provider_id:
        await directory.require_listed(session, provider_id=guest.provider_id, community_id=live.community_id)
    claimed = await session.execute(
        update(Guest)
        .where(col(Guest.id) == guest.id, col(Guest.redeemed_at).is_(None))
        .values(user_id=principal.user_id, redeemed_at=utcnow())
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        raise Conflict("this guest link was already used")
    await session.refresh(guest)
    return await render_guest(session, guest)


async def revoke(session: AsyncSession, *, principal: Principal, session_id: str, guest_id: str) -> GuestPublic:
    live = await sessions.get_for_host(session, principal=principal, session_id=session_id)
    guest = await session.get(Guest, guest_id)
    if guest is None or guest.session_id != live.id:
        raise NotFound(f"guest {guest_id} does not exist")
    guest.revoked = True
    session.add(guest)
    return await render_guest(session, guest)


async def list_guests(session: AsyncSession, *, principal: Principal, session_id: str) -> list[GuestPublic]:
    live = await sessions.get_for_staff(session, principal=principal, session_id=session_id)
    rows = (await session.exec(select(Guest).where(Guest.session_id == live.id).order_by(col(Guest.created_at)))).all()
    return [await render_guest(session, g) for g in rows]


async def is_guest(session: AsyncSession, *, session_id: str, user_id: str) -> bool:
    query = select(Guest.id).where(
        Guest.session_id == session_id, Guest.user_id == user_id, col(Guest.revoked).is_(False)
    )
    return (await session.exec(query)).first() is not None


async def render_guest(session: AsyncSession, guest: Guest) -> GuestPublic:
    badge = None
    if guest.provider_id:
        badge = await directory.badge(session, provider_id=guest.provider_id, community_id=guest.community_id)
    return GuestPublic(
        id=guest.id,
        session_id=guest.session_id,
        kind=guest.kind,
        name=guest.name,
        title=guest.title,
        provider_id=guest.provider_id,
        expires_at=guest.expires_at,
        redeemed=guest.redeemed_at is not None,
        revoked=guest.revoked,
        badge=badge,
    )


async def render_on_air(session: AsyncSession, live: LiveSession) -> dict[str, Any]:
    """The `guests` frame: the guests who joined (redeemed, not taken off air)."""
    rows = (
        await session.exec(
            select(Guest)
            .where(Guest.session_id == live.id, col(Guest.redeemed_at).is_not(None), col(Guest.revoked).is_(False))
            .order_by(col(Guest.redeemed_at))
        )
    ).all()
    items = []
    for guest in rows:
        public = await render_guest(session, guest)
        items.append(
            {
                **public.model_dump(include={"id", "kind", "name", "title", "provider_id", "badge"}),
                "user_id": guest.user_id,
            }
        )
    return {"items": items}
