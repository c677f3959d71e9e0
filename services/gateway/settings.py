from typing import ClassVar

from pydantic import model_validator

from shared.keys import load_key
from shared.settings import LOCAL_JWT_PRIVATE_KEY, PaymentWebhookSettings

LOCAL_SECRET_KEY = "linli-local-gateway-secret-key-change-me"


class Settings(PaymentWebhookSettings):
    """Environment: LINLI_GATEWAY_<FIELD>."""

    service_name: ClassVar[str] = "gateway"
    default_port: ClassVar[int] = 8000

    catalog_url: str = "http://127.0.0.1:8001"
    orders_url: str = "http://127.0.0.1:8002"
    livestream_url: str = "http://127.0.0.1:8003"
    community_url: str = "http://127.0.0.1:8004"
    matching_url: str = "http://127.0.0.1:8005"
    upstream_timeout: float = 3.0
    upstream_connections: int = 32  # per service

    access_token_minutes: int = 15
    refresh_token_days: int = 30
    otp_ttl_seconds: int = 300
    otp_resend_seconds: int = 30
    otp_max_attempts: int = 5
    operator_phones: list[str] = []  # who may use the operators' endpoints

    # Signs access tokens (Ed25519, the PEM or its base64 body); its public half is jwt_public_key.
    jwt_private_key: str = LOCAL_JWT_PRIVATE_KEY
    # Keys the hashes of login codes and refresh tokens stored in the gateway's database.
    secret_key: str = LOCAL_SECRET_KEY

    @model_validator(mode="after")
    def _no_local_keys_in_production(self) -> "Settings":
        if self.environment == "production" and self.jwt_private_key == LOCAL_JWT_PRIVATE_KEY:
            raise ValueError("jwt_private_key must be set outside local use (LINLI_GATEWAY_JWT_PRIVATE_KEY)")
        if self.environment == "production" and self.secret_key == LOCAL_SECRET_KEY:
            raise ValueError("secret_key must be set outside local use (LINLI_GATEWAY_SECRET_KEY)")
        if len(self.secret_key) < 32:
            raise ValueError("secret_key must be at least 32 characters")
        load_key(self.jwt_private_key, "private")
        return self

    def upstreams(self) -> dict[str, str]:
        return {
            "catalog": self.catalog_url,
            "orders": self.orders_url,
            "livestream": self.livestream_url,
            "community": self.community_url,
            "matching": self.matching_url,
        }
