"""How the partner API knows who calls: an API key (`Authorization: Bearer lk_…` or `X-Api-Key`),
and, for calls that change state, a Standard Webhooks signature with the key's `whsec_` secret."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.gateway.partners import service
from services.gateway.partners.models import Partner
from shared.errors import Unauthorized
from shared.models import utcnow

_bearer = HTTPBearer(auto_error=False, scheme_name="PartnerKey", description="Your API key: lk_…")
_header = APIKeyHeader(
    name="X-Api-Key", auto_error=False, scheme_name="PartnerKeyHeader", description="Your API key: lk_…"
)


async def current_partner(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header: Annotated[str | None, Depends(_header)],
) -> Partner:
    raw = header or (bearer.credentials if bearer else None)
    if not raw:
        raise Unauthorized("Send your API key: Authorization: Bearer lk_… or X-Api-Key: lk_….")
    now = utcnow()
    db = request.app.state.db
    async with db.reader() as reader:
        partner, stale = await service.authenticate(reader, raw_key=raw, now=now)
    if stale:
        async with db.session() as session:
            await service.touch(session, key_id=partner.key_id, now=now)
            await session.commit()
    return partner


CurrentPartner = Annotated[Partner, Depends(current_partner)]


def verify_signature(secret: str, body: bytes, headers: dict[str, str], *, tolerance: int, now: float) -> None:
    """A signed call: `webhook-id`, `webhook-timestamp` (Unix seconds, within `tolerance` of now) and
    `webhook-signature` (v1, HMAC-SHA256 of id.timestamp.body with the whsec_ secret)."""
    if not all(headers.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature")):
        raise Unauthorized(
            "this call must be signed: webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks)"
        )
    if len(headers["webhook-id"]) > 200:
        raise Unauthorized("webhook-id is longer than 200 characters")
    try:
        timestamp = int(headers["webhook-timestamp"])
    except ValueError:
        raise Unauthorized("webhook-timestamp must be the time of signing in Unix seconds") from None
    if abs(now - timestamp) > tolerance:
        raise Unauthorized(
            f"webhook-timestamp is {abs(now - timestamp):.0f} s away from Linli's clock; at most {tolerance} s "
            "is accepted, so a captured call cannot be replayed later"
        )
    try:
        Webhook(secret).verify(body, headers, json_parse=False)
    except (WebhookVerificationError, ValueError):  # ValueError: a malformed signature or body
        raise Unauthorized(
            "webhook-signature does not match: sign '<webhook-id>.<webhook-timestamp>.<body>' with your key's "
            "whsec_ secret (HMAC-SHA256, base64, prefixed 'v1,')"
        ) from None


async def signed_body(request: Request, partner: CurrentPartner) -> bytes:
    """The body of a signed call, verified, its `webhook-id` spent (so it is never good twice)."""
    body, now = await request.body(), utcnow()
    headers = dict(request.headers)
    tolerance = request.app.state.settings.partner_signature_tolerance_seconds
    verify_signature(partner.signing_secret, body, headers, tolerance=tolerance, now=now.timestamp())
    async with request.app.state.db.session() as session:
        await service.spend_webhook_id(session, key_id=partner.key_id, webhook_id=headers["webhook-id"], now=now)
        await session.commit()
    return body


SignedBody = Annotated[bytes, Depends(signed_body)]
