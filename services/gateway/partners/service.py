"""API keys: a provider's owner creates them (shown once, stored as a digest), lists and revokes
them; operators revoke any. Ownership is the catalog's fact, asked as the calling user before any
write, so no HTTP call ever happens inside a transaction."""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway.partners.models import ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyPublic, Partner, SignedCall
from services.gateway.upstream.clients import UpstreamProblem, Upstreams
from services.gateway.webhooks import subscriptions
from shared.auth import Principal
from shared.db import Database
from shared.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, Unauthorized
from shared.models import new_id, utcnow

KEY_PREFIX = "lk_"
# last_used_at is a write; once a minute per key is precise enough for "when was it last used".
_TOUCH_EVERY = timedelta(minutes=1)
# Longer than any signature tolerance: an id older than this is refused for its timestamp anyway.
SIGNED_CALLS_KEPT = timedelta(hours=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def require_owner(upstreams: Upstreams, *, principal: Principal, token: str, provider_id: str) -> None:
    """The caller owns the provider, by the catalog's word (asked as the caller: a stranger gets 404)."""
    response = await upstreams.call("catalog", "GET", f"/providers/{provider_id}", token=token)
    if response.status_code == 404:
        raise NotFound(f"provider {provider_id} does not exist")
    if response.status_code >= 500:
        raise ServiceUnavailable("could not check who owns the provider; try again", service="catalog")
    if response.status_code != 200:
        raise UpstreamProblem(response.json())
    if response.json().get("owner_id") != principal.user_id:
        raise Forbidden("only the provider's owner manages its API keys")


async def create_key(session: AsyncSession, *, principal: Principal, data: ApiKeyCreate) -> ApiKeyCreated:
    """A new key for the provider (the caller's ownership already checked with `require_owner`)."""
    key_id, secret = new_id(), secrets.token_urlsafe(32)
    signing_secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    key = ApiKey(
        id=key_id,
        provider_id=data.provider_id,
        name=data.name,
        prefix=f"{KEY_PREFIX}{key_id}_{secret[:4]}…",
        secret_digest=_digest(secret),
        signing_secret=signing_secret,
        created_by=principal.user_id,
    )
    session.add(key)
    await session.flush()
    return ApiKeyCreated(
        **ApiKeyPublic.model_validate(key).model_dump(),
        key=f"{KEY_PREFIX}{key_id}_{secret}",
        signing_secret=signing_secret,
    )


async def list_keys(session: AsyncSession, *, provider_id: str) -> list[ApiKey]:
    query = select(ApiKey).where(ApiKey.provider_id == provider_id).order_by(col(ApiKey.created_at).desc())
    return list((await session.exec(query)).all())


async def get_key(session: AsyncSession, *, key_id: str) -> ApiKey:
    key = await session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"API key {key_id} does not exist")
    return key


async def revoke_key(session: AsyncSession, *, principal: Principal, key_id: str) -> ApiKey:
    """Revoke a key (the caller's right already checked); the subscriptions it signs for stop with it."""
    key = await get_key(session, key_id=key_id)
    if key.revoked_at is None:
        key.revoked_at, key.revoked_by = utcnow(), principal.user_id
        session.add(key)
        await subscriptions.disable_for_key(session, key_id=key.id, provider_id=key.provider_id)
    return key


async def authenticate(reader: AsyncSession, *, raw_key: str, now: datetime) -> tuple[Partner, bool]:
    """The partner a key stands for, and whether its last use should be recorded (once a minute)."""
    refused = Unauthorized("the API key is not valid (mistyped, or revoked)")
    prefix, _, rest = raw_key.strip().partition("_")
    key_id, _, secret = rest.partition("_")
    if f"{prefix}_" != KEY_PREFIX or not key_id or not secret:
        raise refused
    key = await reader.get(ApiKey, key_id)
    if key is None or key.revoked_at is not None or not hmac.compare_digest(key.secret_digest, _digest(secret)):
        raise refused
    stale = key.last_used_at is None or now - key.last_used_at >= _TOUCH_EVERY
    return Partner(key_id=key.id, provider_id=key.provider_id, signing_secret=key.signing_secret), stale


async def touch(session: AsyncSession, *, key_id: str, now: datetime) -> None:
    await session.execute(update(ApiKey).where(col(ApiKey.id) == key_id).values(last_used_at=now))


async def spend_webhook_id(session: AsyncSession, *, key_id: str, webhook_id: str, now: datetime) -> None:
    """A signed call's id is good once (see `SignedCall`); a second use is refused before anything changes."""
    session.add(SignedCall(key_id=key_id, webhook_id=webhook_id, received_at=now))
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"webhook-id {webhook_id} was used before; sign each call with a new id") from None


async def prune_signed_calls(db: Database, *, now: datetime) -> int:
    async with db.session() as session:
        result = await session.execute(delete(SignedCall).where(col(SignedCall.received_at) < now - SIGNED_CALLS_KEPT))
        await session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
