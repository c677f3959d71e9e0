from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints, field_validator
from sqlmodel import Field

from services.gateway.base import GatewayModel
from shared.models import UTCDateTime, new_id, utcnow


class User(GatewayModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    phone: str = Field(unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OtpChallenge(GatewayModel, table=True):
    """The latest one-time code sent to a phone (hashed), its expiry and the failed attempts on it."""

    phone: str = Field(primary_key=True)
    code_hash: str
    sent_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    attempts: int = 0


class RefreshToken(GatewayModel, table=True):
    """Refresh tokens are stored hashed and rotate on use; reusing a spent one revokes its family."""

    token_hash: str = Field(primary_key=True)
    user_id: str = Field(index=True)
    family: str = Field(index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked: bool = False


def _normalise_phone(value: str) -> str:
    digits = value.replace(" ", "").replace("-", "")
    if digits.startswith("1") and len(digits) == 11:
        digits = "+86" + digits
    if not (digits.startswith("+") and digits[1:].isdigit() and 8 <= len(digits) <= 16):
        raise ValueError("a phone number in international form, e.g. +8613812345678")
    return digits


class OtpRequest(GatewayModel):
    phone: str = Field(max_length=32)

    _phone = field_validator("phone")(classmethod(lambda cls, v: _normalise_phone(v)))


class TokenRequest(OtpRequest):
    code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class RefreshRequest(GatewayModel):
    refresh_token: str = Field(min_length=20, max_length=200)


class TokenPair(GatewayModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
    user_id: str
    roles: dict[str, list[str]]
    operator: bool
