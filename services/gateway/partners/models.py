from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Field

from services.gateway.base import GatewayModel
from shared.fields import EntityId
from shared.models import UTCDateTime, new_id, utcnow


class ApiKeyCreate(GatewayModel):
    provider_id: EntityId
    name: str = Field(default="", max_length=80, description="What the key is for, e.g. 'front-desk system'")


class ApiKey(GatewayModel, table=True):
    """A partner's API key for one provider. The key's secret is stored only as a SHA-256 digest
    (it is 256 random bits, so a fast hash is enough); its `whsec_` signing secret is kept, since
    the gateway signs deliveries with it and verifies the partner's signed calls."""

    id: str = Field(default_factory=new_id, primary_key=True)
    provider_id: str = Field(index=True)
    name: str = ""
    prefix: str  # shown in lists, so a partner can tell its keys apart
    secret_digest: str
    signing_secret: str
    created_by: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by: str | None = None


class ApiKeyPublic(GatewayModel):
    id: str
    provider_id: str
    name: str
    prefix: str
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    """Shown once: Linli keeps neither the key nor a way to show it again."""

    key: str = Field(description="Send as `Authorization: Bearer <key>` or `X-Api-Key: <key>`")
    signing_secret: str = Field(
        description="whsec_…: verifies Linli's webhooks to you and signs your state-changing calls (Standard Webhooks)"
    )


@dataclass(frozen=True)
class Partner:
    """Who calls the partner API: an API key in force, acting for its provider."""

    key_id: str
    provider_id: str
    signing_secret: str


class SignedCall(GatewayModel, table=True):
    """A `webhook-id` a partner signed a call with. Each is good for one call: the signature covers
    the id, the timestamp and the body but not the path, so a captured signed call must not be
    usable again (say, an empty-bodied confirm replayed as a complete). Kept past the tolerance."""

    key_id: str = Field(primary_key=True)
    webhook_id: str = Field(primary_key=True, max_length=200)
    received_at: datetime = Field(sa_type=UTCDateTime, index=True)
