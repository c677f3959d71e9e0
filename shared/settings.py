"""Settings base class: every service reads `LINLI_<SERVICE>_<FIELD>` from the environment.

A few values are the same for every service on one deployment (the NATS URL, the token secret,
the environment name); those may also be given once as `LINLI_<FIELD>`, and the per-service
variable wins when both are set.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource

from shared.keys import load_key

# Local-only Ed25519 token keys (the base64 body of their PEM): production refuses them.
LOCAL_JWT_PRIVATE_KEY = "MC4CAQAwBQYDK2VwBCIEICNDVNPJLfbaiNHMHMaI3VQvTpOb19EiMq6jAL5sIQLP"
LOCAL_JWT_PUBLIC_KEY = "MCowBQYDK2VwAyEAoT/67eDqDXzjdM0DcuxdtJt/6dfZz82v5gWxEAA+vDc="
LOCAL_PAYMENT_WEBHOOK_SECRET = "whsec_bGlubGktbG9jYWwtcGF5bWVudC13ZWJob29rLXNlY3JldA=="

# Fields that may come from a deployment-wide `LINLI_<FIELD>` variable.
DEPLOYMENT_WIDE = frozenset(
    {
        "environment",
        "nats_url",
        "jwt_public_key",
        "log_format",
        "log_level",
        "stream_replicas",
        "payment_webhook_secret",
        "public_url",
    }
)


class _DeploymentWideSource(EnvSettingsSource):
    """`LINLI_<FIELD>` for the fields in DEPLOYMENT_WIDE only (never a service's port or database)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        if field_name not in DEPLOYMENT_WIDE:
            return None, field_name, False
        return super().get_field_value(field, field_name)


class ServiceSettings(BaseSettings):
    service_name: ClassVar[str]
    default_port: ClassVar[int]

    environment: Literal["local", "test", "production"] = "local"
    host: str = "127.0.0.1"
    port: int = 0  # 0 means the service's default port
    database_url: str = ""  # empty means var/<service>.db (SQLite)
    nats_url: str = "nats://127.0.0.1:4302"
    stream_replicas: int = 1
    # Verifies access tokens; only the gateway holds the private key that signs them.
    jwt_public_key: str = LOCAL_JWT_PUBLIC_KEY
    log_format: Literal["console", "json"] = "console"
    log_level: str = "info"
    # Where people reach Linli from outside (the gateway, or the proxy in front of it): links and QR
    # codes that leave the app (a deal's share link) start with it.
    public_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^\s/]+(/[^\s]*)?$")
    # Bus tuning: redelivery schedule (seconds) before an event is dead-lettered.
    redelivery_backoff: list[float] = [1.0, 5.0, 30.0, 120.0]
    relay_interval: float = 1.0
    # WebSockets: whether uvicorn accepts permessage-deflate when a client offers it (browsers do).
    ws_per_message_deflate: bool = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "service_name" in cls.__dict__:
            cls.model_config = {
                **cls.model_config,
                "env_prefix": f"LINLI_{cls.service_name.upper()}_",
                "extra": "ignore",
            }

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        shared = _DeploymentWideSource(settings_cls, env_prefix="LINLI_")
        return init_settings, env_settings, shared, file_secret_settings

    @model_validator(mode="after")
    def _resolve_defaults(self) -> ServiceSettings:
        if self.port == 0:
            self.port = self.default_port
        self.public_url = self.public_url.rstrip("/")
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///var/{self.service_name}.db"
        if self.environment == "production" and self.jwt_public_key == LOCAL_JWT_PUBLIC_KEY:
            raise ValueError("jwt_public_key must be set outside local use (LINLI_JWT_PUBLIC_KEY)")
        load_key(self.jwt_public_key, "public")  # fail at start, not at the first request
        return self

    @property
    def max_deliver(self) -> int:
        return len(self.redelivery_backoff) + 1


class PaymentWebhookSettings(ServiceSettings):
    """For the two ends of the payment provider's webhook: orders' provider port and the gateway."""

    payment_webhook_secret: str = LOCAL_PAYMENT_WEBHOOK_SECRET  # Standard Webhooks, whsec_…

    @model_validator(mode="after")
    def _no_local_webhook_secret_in_production(self) -> PaymentWebhookSettings:
        if self.environment == "production" and self.payment_webhook_secret == LOCAL_PAYMENT_WEBHOOK_SECRET:
            raise ValueError("payment_webhook_secret must be set outside local use (LINLI_PAYMENT_WEBHOOK_SECRET)")
        return self
