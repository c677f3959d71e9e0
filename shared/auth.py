"""Access tokens: signed by the gateway (Ed25519), verified by every service (defence in depth).

A token names the principal — a user with roles per community, an operator, or an internal
service — and lives for minutes; the gateway hands out refresh tokens for the rest. Services hold
only the public key, so a compromised service can read tokens but never mint one.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from shared.errors import Forbidden, Unauthorized
from shared.keys import load_key

ISSUER = "linli-gateway"
AUDIENCE = "linli"
ALGORITHM = "EdDSA"

LEADER, MODERATOR, PROPERTY_MANAGER, RESIDENT = "leader", "moderator", "property_manager", "resident"


class Principal(BaseModel):
    """Who is asking: a user (roles per community), one of Linli's services, or a partner calling
    through the gateway's partner API with an API key of one provider (`provider_id`)."""

    user_id: str
    kind: Literal["user", "service", "partner"] = "user"
    operator: bool = False
    roles: dict[str, list[str]] = Field(default_factory=dict, description="community id → roles there")
    provider_id: str | None = None

    def roles_in(self, community_id: str) -> list[str]:
        return self.roles.get(community_id, [])

    def require_member(self, community_id: str) -> None:
        if not self.roles_in(community_id) and not self._trusted:
            raise Forbidden(f"you are not a member of community {community_id}")

    def require_role(self, community_id: str, *roles: str) -> None:
        if not set(roles) & set(self.roles_in(community_id)) and not self._trusted:
            raise Forbidden(f"this needs the role {' or '.join(roles)} in community {community_id}")

    def require_service(self) -> None:
        if self.kind != "service":
            raise Forbidden("this endpoint is for Linli's own services")

    def require_provider(self, provider_id: str) -> None:
        """A partner acts for its own provider only (users' rights to a provider are the owning service's rule)."""
        if self.kind != "partner" or self.provider_id != provider_id:
            raise Forbidden(f"this needs an API key of provider {provider_id}")

    def require_operator(self) -> None:
        if not self.operator:
            raise Forbidden("this endpoint is for operators")

    @property
    def _trusted(self) -> bool:
        return self.operator or self.kind == "service"


def issue_access_token(private_key: str, principal: Principal, *, ttl: timedelta = timedelta(minutes=15)) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": principal.user_id,
        "typ": "access",
        "kind": principal.kind,
        "op": principal.operator,
        "roles": principal.roles,
        **({"provider": principal.provider_id} if principal.provider_id else {}),
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, load_key(private_key, "private"), algorithm=ALGORITHM)


def verify_access_token(public_key: str, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            load_key(public_key, "public"),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The access token has expired; refresh it.") from None
    except jwt.InvalidSignatureError:
        raise Unauthorized("The access token's signature is not valid.") from None
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"The access token is not valid: {exc}.") from None
    if claims.get("typ") != "access":
        raise Unauthorized("This is not an access token.")
    try:
        return Principal(
            user_id=claims["sub"],
            kind=claims.get("kind", "user"),
            operator=bool(claims.get("op")),
            roles=claims.get("roles") or {},
            provider_id=claims.get("provider"),
        )
    except ValueError:
        raise Unauthorized("The access token's claims are malformed.") from None


_bearer = HTTPBearer(auto_error=False, description="Access token from POST /api/v1/auth/token")


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None:
        raise Unauthorized("Send an access token: Authorization: Bearer <token>.")
    return verify_access_token(request.app.state.settings.jwt_public_key, credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
