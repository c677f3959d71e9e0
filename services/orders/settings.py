from typing import ClassVar

from shared.settings import PaymentWebhookSettings


class Settings(PaymentWebhookSettings):
    """Environment: LINLI_ORDERS_<FIELD>."""

    service_name: ClassVar[str] = "orders"
    default_port: ClassVar[int] = 8002

    # The embedded payment provider: a simulation that confirms payments by calling the gateway's
    # payment webhook, signed the Standard Webhooks way, like a real provider would.
    payment_webhook_url: str = "http://127.0.0.1:8000/webhooks/payments"
    payment_confirm_delay: float = 0.2
    # How long a placed order holds its units before they go back on sale if it is not paid.
    payment_window_seconds: int = 900
    # How long after a hand-over the leader or staff may still undo it.
    pickup_undo_seconds: int = 600
    # How long after pickup a buyer may open an after-sales request.
    after_sales_days: int = 7
    # How often the deal clock looks for windows that opened or closed.
    clock_seconds: float = 5.0
    # How far ahead residents may book a slot and providers publish one.
    booking_horizon_days: int = 60
