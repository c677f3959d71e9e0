from typing import ClassVar

import pytest

from shared.settings import ServiceSettings
from tests.keys import new_private_key

OPERATOR_PUBLIC = "MCowBQYDK2VwAyEALdNMZVZCYmdZbYIyfv4jHE3WTybV4sYZ9R7LoJO7fQ8="


class OrdersLike(ServiceSettings):
    service_name: ClassVar[str] = "orders"
    default_port: ClassVar[int] = 8002


def test_defaults_are_the_embedded_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = OrdersLike()
    assert settings.port == 8002
    assert settings.database_url == "sqlite+aiosqlite:///var/orders.db"
    assert settings.nats_url == "nats://127.0.0.1:4302", "never the 4222 a local NATS may already use"


def test_service_prefix_beats_deployment_wide_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINLI_NATS_URL", "nats://shared:4222")
    assert OrdersLike().nats_url == "nats://shared:4222"
    monkeypatch.setenv("LINLI_ORDERS_NATS_URL", "nats://mine:4222")
    assert OrdersLike().nats_url == "nats://mine:4222"


def test_ports_and_databases_are_never_deployment_wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINLI_PORT", "9999")
    monkeypatch.setenv("LINLI_DATABASE_URL", "postgresql+asyncpg://shared/db")
    settings = OrdersLike()
    assert settings.port == 8002 and settings.database_url.startswith("sqlite")


def test_production_refuses_the_local_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINLI_ENVIRONMENT", "production")
    with pytest.raises(ValueError, match="jwt_public_key must be set"):
        OrdersLike()
    monkeypatch.setenv("LINLI_JWT_PUBLIC_KEY", "not a key")
    with pytest.raises(ValueError, match="not an Ed25519 public key"):
        OrdersLike()
    monkeypatch.setenv("LINLI_JWT_PUBLIC_KEY", OPERATOR_PUBLIC)
    assert OrdersLike().jwt_public_key == OPERATOR_PUBLIC


def test_the_gateway_refuses_local_signing_keys_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    from services.gateway.settings import Settings as GatewaySettings

    monkeypatch.setenv("LINLI_ENVIRONMENT", "production")
    monkeypatch.setenv("LINLI_JWT_PUBLIC_KEY", OPERATOR_PUBLIC)
    monkeypatch.setenv("LINLI_PAYMENT_WEBHOOK_SECRET", "whsec_b3BlcmF0b3I=")
    with pytest.raises(ValueError, match="jwt_private_key must be set"):
        GatewaySettings()
    monkeypatch.setenv("LINLI_GATEWAY_JWT_PRIVATE_KEY", new_private_key())
    with pytest.raises(ValueError, match="secret_key must be set"):
        GatewaySettings()
    monkeypatch.setenv("LINLI_GATEWAY_SECRET_KEY", "s" * 40)
    assert GatewaySettings().secret_key == "s" * 40


def test_redelivery_schedule_bounds_deliveries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINLI_ORDERS_REDELIVERY_BACKOFF", "[0.5, 2]")
    assert OrdersLike().max_deliver == 3
