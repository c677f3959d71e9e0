"""Login by phone number and one-time code; access tokens carry the roles community reports.

Asking community for roles is an HTTP call, so it never happens inside a write transaction:
each operation reads first, calls community, then writes in one short transaction whose
conditional statements catch a concurrent use of the same code or refresh token.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway.identity.models import OtpChallenge, RefreshToken, TokenPair, User
from services.gateway.settings import Settings
from services.gateway.upstream.clients import Upstreams
from shared.auth import Principal, issue_access_token
from shared.errors import ServiceUnavailable, TooManyRequests, Unauthorized
from shared.models import new_id, utcnow


@dataclass(frozen=True)
class Login:
    """Who a correct code (or a live refresh token) belongs to; `user_id` is None for a new person."""

    phone: str
    user_id: str | None
    family: str | None = None


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
    challenge.code_hash = _digest(settings.secret_key, f"{phone}:{code}")
    challenge.sent_at, challenge.expires_at = now, now + timedelta(seconds=settings.otp_ttl_seconds)
    challenge.attempts = 0
    session.add(challenge)
    return f"【邻里】您的验证码是 {code}，{settings.otp_ttl_seconds // 60} 分钟内有效。"


async def check_code(reader: AsyncSession, *, settings: Settings, phone: str, code: str) -> Login | None:
    """Read-only: the login a correct code opens, None for a wrong code; refuses expired or locked codes."""
    challenge = await reader.get(OtpChallenge, phone)
    if challenge is None or challenge.expires_at <= utcnow():
        raise Unauthorized("no valid code for this phone; request a new one")
    if challenge.attempts >= settings.otp_max_attempts:
        raise TooManyRequests("too many wrong codes; request a new one")
    if not hmac.compare_digest(challenge.code_hash, _digest(settings.secret_key, f"{phone}:{code}")):
        return None
    user = (await reader.exec(select(User).where(User.phone == phone))).first()
    return Login(phone=phone, user_id=user.id if user else None)


async def count_wrong_code(session: AsyncSession, *, phone: str) -> None:
    await session.execute(
        update(OtpChallenge).where(col(OtpChallenge.phone) == phone).values(attempts=col(OtpChallenge.attempts) + 1)
    )


async def complete_login(
    session: AsyncSession, *, settings: Settings, login: Login, code: str, roles: dict[str, list[str]]
) -> TokenPair:
    """Spend the code (only once, even under concurrent use), create a new person, issue tokens."""
    spent = await session.execute(
        delete(OtpChallenge).where(
            col(OtpChallenge.phone) == login.phone,
            col(OtpChallenge.code_hash) == _digest(settings.secret_key, f"{login.phone}:{code}"),
        )
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise Unauthorized("this code was just used; request a new one")
    user_id = login.user_id
    if user_id is None:
        user_id = new_id()
        session.add(User(id=user_id, phone=login.phone))
    return _tokens(session, settings=settings, login=Login(login.phone, user_id), roles=roles)


async def check_refresh_token(reader: AsyncSession, *, settings: Settings, token: str) -> tuple[Login, bool]:
    """Read-only: the login a refresh token continues, and whether it was already spent (reuse)."""
    row = await reader.get(RefreshToken, _digest(settings.secret_key, token))
    if row is None or row.revoked or row.expires_at <= utcnow():
        raise Unauthorized("the refresh token is not valid; log in again")
    user = await reader.get(User, row.user_id)
    assert user is not None
    return Login(phone=user.phone, user_id=user.id, family=row.family), row.used_at is not None


async def revoke_family(session: AsyncSession, *, family: str) -> None:
    await session.execute(update(RefreshToken).where(col(RefreshToken.family) == family).values(revoked=True))


async def rotate_refresh_token(
    session: AsyncSession, *, settings: Settings, login: Login, token: str, roles: dict[str, list[str]]
) -> TokenPair | None:
    """Spend the refresh token and issue the next of its family; None if it was spent meanwhile."""
    spent = await session.execute(
        update(RefreshToken)
        .where(
            col(RefreshToken.token_hash) == _digest(settings.secret_key, token),
            col(RefreshToken.used_at).is_(None),
            col(RefreshToken.revoked).is_(False),
        )
        .values(used_at=utcnow())
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return _tokens(session, settings=settings, login=login, roles=roles)


def _tokens(session: AsyncSession, *, settings: Settings, login: Login, roles: dict[str, list[str]]) -> TokenPair:
    assert login.user_id is not None
    principal = Principal(user_id=login.user_id, roles=roles, operator=login.phone in settings.operator_phones)
    refresh = secrets.token_urlsafe(32)
    session.add(
        RefreshToken(
            token_hash=_digest(settings.secret_key, refresh),
            user_id=login.user_id,
            family=login.family or secrets.token_hex(8),
            expires_at=utcnow() + timedelta(days=settings.refresh_token_days),
        )
    )
    return TokenPair(
        access_token=issue_access_token(
            settings.jwt_private_key, principal, ttl=timedelta(minutes=settings.access_token_minutes)
        ),
        refresh_token=refresh,
        expires_in=settings.access_token_minutes * 60,
        user_id=login.user_id,
        roles=roles,
        operator=principal.operator,
    )


async def roles_of(upstreams: Upstreams, user_id: str | None) -> dict[str, list[str]]:
    """A person's roles per community, from community (a new person has none yet)."""
    if user_id is None:
        return {}
    response = await upstreams.call("community", "GET", f"/memberships/{user_id}")
    if response.status_code != 200:
        raise ServiceUnavailable("could not read your communities; try again")
    roles: dict[str, list[str]] = response.json()
    return roles
