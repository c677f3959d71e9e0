from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints, model_validator

from services.gateway.notifications.push import PushProvider
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
    # Longer than a rush takes to clear: past it the client gets 504 and cannot tell if its write was done.
    upstream_timeout: float = 10.0
    feed_section_timeout: float = 2.0  # a slow service costs the home feed its section, not the whole feed
    upstream_connections: int = 100  # per service: the calls in flight to one service (a rush of sign-ups)

    # The live room's WebSocket (/api/v1/sessions/{id}/room) is relayed to one of these livestream
    # instances (base URLs, as livestream_url; empty: livestream_url alone). A person goes to the
    # same instance each time (its recovery history serves their reconnect), the next one if it is down.
    livestream_room_urls: list[Annotated[str, StringConstraints(pattern=r"^https?://[^\s/]+/?$")]] = []
    room_auth_seconds: float = Field(default=5.0, gt=0)  # for the auth frame when the URL has no token
    room_max_frame_bytes: int = Field(default=4096, ge=256)  # a bigger client frame is refused here (livestream too)
    room_send_queue: int = Field(default=256, ge=1)  # frames waiting for a slow client before it is closed
    # One link per room and instance carries all the room's clients there; it stays open this long
    # after its last client left, for the next one (a reload, a reconnect).
    room_link_grace_seconds: float = Field(default=10.0, ge=0)
    # Off: the gateway sends every room frame to each of its clients, and deflating it once per client
    # (a compressor per connection) costs about as much CPU as the sending itself (docs/live-room.md).
    ws_per_message_deflate: bool = False

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

    # Partners' signed calls (Standard Webhooks): how far a `webhook-timestamp` may be from now.
    # At most the 5 minutes the standardwebhooks library itself allows.
    partner_signature_tolerance_seconds: int = Field(default=300, ge=1, le=300)
    # Outbound webhooks. Delay before each attempt (the Standard Webhooks example schedule: at once,
    # 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h); each delay is varied by ± the jitter.
    webhook_retry_schedule: list[float] = Field(
        default=[0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400], min_length=1
    )
    webhook_retry_jitter: float = Field(default=0.1, ge=0, lt=1)
    webhook_timeout_seconds: float = Field(default=15.0, gt=0)  # a 2xx later than this is a failure
    webhook_endpoint_concurrency: int = Field(default=4, ge=1)  # requests in flight to one endpoint
    webhook_concurrency: int = Field(default=256, ge=1)  # requests in flight in all
    webhook_poll_seconds: float = Field(default=1.0, gt=0)  # new events wake the sender at once
    # An endpoint that has failed without a single success for this long is disabled, with a notice.
    webhook_disable_after_days: float = Field(default=5.0, gt=0)
    # An endpoint that fails as a whole is probed with one delivery at a time, at intervals doubling
    # from the schedule's first retry delay up to this, until one gets through.
    webhook_probe_max_seconds: float = Field(default=300.0, gt=0)
    webhook_keep_days: float = Field(default=30.0, gt=0)  # settled deliveries and their attempt logs
    # SSRF: partners choose the URLs the gateway calls. They must be https and resolve to public
    # addresses only, unless an operator allows private ones, or names hosts it trusts (which may
    # also be plain http: local receivers in development and tests).
    webhook_allow_private: bool = False
    webhook_allowed_hosts: list[str] = []

    # Notifications. Read ones are kept this long; unread ones stay. An event older than
    # notification_stale_hours when it arrives (history replayed to a new consumer) tells no one.
    notification_keep_days: float = Field(default=90.0, gt=0)
    notification_stale_hours: float = Field(default=24.0, gt=0)
    notification_stream_queue: int = Field(default=64, ge=1)  # waiting for a slow app before it is closed
    notification_heartbeat_seconds: float = Field(default=15.0, gt=0)  # a comment keeps idle streams open
    push_provider: PushProvider = "log"  # the embedded default writes each push to the log

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

    def room_urls(self) -> list[str]:
        return [url.rstrip("/") for url in self.livestream_room_urls or [self.livestream_url]]

    def upstreams(self) -> dict[str, str]:
        return {
            "catalog": self.catalog_url,
            "orders": self.orders_url,
            "livestream": self.livestream_url,
            "community": self.community_url,
            "matching": self.matching_url,
        }
