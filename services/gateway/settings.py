from typing import ClassVar

from shared.settings import PaymentWebhookSettings


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

    access_token_minutes: int = 15
    refresh_token_days: int = 30
    otp_ttl_seconds: int = 300
    otp_resend_seconds: int = 30
    otp_max_attempts: int = 5
    operator_phones: list[str] = []  # who may use the operators' endpoints

    def upstreams(self) -> dict[str, str]:
        return {
            "catalog": self.catalog_url,
            "orders": self.orders_url,
            "livestream": self.livestream_url,
            "community": self.community_url,
            "matching": self.matching_url,
        }
