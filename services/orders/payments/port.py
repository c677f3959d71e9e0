"""The payment-provider port. A provider collects the money and later calls back the gateway's
payment webhook; the order is paid only when that callback arrives (the asynchronous path)."""

from typing import Protocol


class PaymentProvider(Protocol):
    async def request_payment(self, *, order_id: str, amount_fen: int) -> None: ...

    async def refund(self, *, order_id: str, amount_fen: int) -> None: ...

    async def close(self) -> None: ...
