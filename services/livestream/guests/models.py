from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, model_validator
from sqlmodel import Field

from services.livestream.base import LivestreamModel
from shared.fields import EntityId, Name
from shared.models import UTCDateTime, new_id, utcnow


class GuestKind(StrEnum):
    expert = "expert"
    provider = "provider"


class GuestInvite(BaseModel):
    kind: GuestKind
    name: Name | None = Field(
        default=None, description="How the room shows the guest (an expert's name; a provider's name by default)"
    )
    title: str = Field(default="", max_length=80, description="e.g. 儿科主治医师")
    provider_id: EntityId | None = Field(
        default=None, description="For a provider guest: listed in the session's community"
    )

    @model_validator(mode="after")
    def _provider_or_expert(self) -> "GuestInvite":
        if (self.kind == GuestKind.provider) != (self.provider_id is not None):
            raise ValueError("a provider guest names its provider_id, an expert none")
        if self.kind == GuestKind.expert and not self.name:
            raise ValueError("an expert guest needs a name")
        return self


class GuestRedeem(BaseModel):
    token: str = Field(min_length=16, max_length=128)


class Guest(LivestreamModel, table=True):
    """An invitation to appear on air: a one-time link (only its hash is kept), redeemed by the person
    who then joins the room as a guest."""

    id: str = Field(default_factory=new_id, primary_key=True)
    session_id: str = Field(foreign_key="livesession.id", index=True)
    community_id: str
    kind: str
    name: str
    title: str
    provider_id: str | None = None
    token_hash: str = Field(unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    user_id: str | None = Field(default=None, index=True)
    redeemed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GuestPublic(LivestreamModel):
    id: str
    session_id: str
    kind: str
    name: str
    title: str
    provider_id: str | None
    expires_at: datetime
    redeemed: bool
    revoked: bool
    badge: dict[str, Any] | None


class GuestInvitation(GuestPublic):
    """Shown once, to the host: the link to send to the guest."""

    token: str
    link: str
