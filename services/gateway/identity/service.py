"""Login by phone number and one-time code; access tokens carry the roles community reports."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway.identity.models import OtpChallenge, RefreshToken, TokenPair, User
from services.gateway.settings import Settings
from services.gateway.upstream.clients import Upstreams
from shared.auth import Principal, issue_access_token
from shared.errors import ServiceUnavailable, TooManyRequests, Unauthorized
from shared.models import utcnow


def _digest(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


async def issue_code(session: AsyncSession, *, settings: Settings, phone: str) -> str:
    """Create a fresh code for `phone` and return the SMS text; the caller sends it after commit."""
    now = utcnow()
    challenge = await session.get(OtpChallenge, phone)
    if challenge is not None and now - challenge.sent_at < timedelta(seconds=settings.otp_resend_seconds):
        wait = settings.otp_resend_seconds - int((now - challenge.sent_at).total_seconds())
        raise TooManyRequests(f"a code was sent moments ago; ask again in {wait} s", retry_after=wait)
    code = f"{secrets.randbelow(10**6):06d}"
    challenge = challenge or OtpChallenge(phone=phone, code_hash="", sent_at=now, expires_at=now)
    challenge.code_hash = _digest(settings.jwt_secret, f"{phone}:{code}")
    challenge.sent_at, challenge.expires_at = now, now + timedelta(seconds=settings.otp_ttl_seconds)
    challenge.attempts = 0
    session.add(challenge)
    return f"【邻里】您的验证码是 {code}，{settings.otp_ttl_seconds // 60} 分钟内有效。"


async def verify_code(session: AsyncSession, *, settings: Settings, phone: str, code: str) -> User | None:
    """The user behind a correct code (created on first login), or None after counting a failure."""
    challenge = await session.get(OtpChallenge, phone)
    if challenge is None or challenge.expires_at <= utcnow():
        raise Unauthorized("no valid code for this phone; request a new one")
    if challenge.attempts >= settings.otp_max_attempts:
        raise TooManyRequests("too many wrong codes; request a new one")
    if not hmac.compare_digest(challenge.code_hash, _digest(settings.jwt_secret, f"{phone}:{code}")):
        challenge.attempts += 1
        session.add(challenge)
        return None
    await session.delete(challenge)
    user = (await session.exec(select(User).where(User.phone == phone))).first()
    if user is None:
        user = User(phone=phone)
        session.add(user)
    return user


async def issue_tokens(
    session: AsyncSession, *, settings: Settings, upstreams: Upstreams, user: User, family: str | None = None
) -> TokenPair:
    roles = await roles_of(upstreams, user.id)
    principal = Principal(user_id=user.id, roles=roles, operator=user.phone in settings.operator_phones)
    refresh = secrets.token_urlsafe(32)
    session.add(
        RefreshToken(
            token_hash=_digest(settings.jwt_secret, refresh),
            user_id=user.id,
            family=family or secrets.token_hex(8),
            expires_at=utcnow() + timedelta(days=settings.refresh_token_days),
        )
    )
    return TokenPair(
        access_token=issue_access_token(
            settings.jwt_secret, principal, ttl=timedelta(minutes=settings.access_token_minutes)
        ),
        refresh_token=refresh,
        expires_in=settings.access_token_minutes * 60,
        user_id=user.id,
        roles=roles,
        operator=principal.operator,
    )


async def redeem_refresh_token(session: AsyncSession, *, settings: Settings, token: str) -> tuple[User, str]:
    """Spend a refresh token; returns its user and family. A second use revokes the whole family."""
    row = await session.get(RefreshToken, _digest(settings.jwt_secret, token))
    if row is None or row.revoked or row.expires_at <= utcnow():
        raise Unauthorized("the refresh token is not valid; log in again")
    if row.used_at is not None:
        family = (await session.exec(select(RefreshToken).where(RefreshToken.family == row.family))).all()
        for sibling in family:
            sibling.revoked = True
            session.add(sibling)
        await session.commit()
        raise Unauthorized("the refresh token was already used; every session of it is now logged out")
    row.used_at = utcnow()
    session.add(row)
    user = await session.get(User, row.user_id)
    assert user is not None
    return user, row.family


async def roles_of(upstreams: Upstreams, user_id: str) -> dict[str, list[str]]:
    response = await upstreams.call("community", "GET", f"/memberships/{user_id}")
    if response.status_code != 200:
        raise ServiceUnavailable("could not read your communities; try again")
    roles: dict[str, list[str]] = response.json()
    return roles
