"""Inbound payment-provider callbacks, verified the Standard Webhooks way, forwarded to orders."""

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, ValidationError
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.gateway.upstream.deps import UpstreamsDep
from shared.errors import Unauthorized, Unprocessable
from shared.logging import get_logger

log = get_logger(__name__)
router = APIRouter(prefix="/webhooks", tags=["webhooks"])


class PaymentSucceeded(BaseModel):
    order_id: str
    payment_id: str
    amount_fen: int


@router.post("/payments", status_code=status.HTTP_204_NO_CONTENT, summary="Payment provider callback")
async def payment_callback(request: Request, upstreams: UpstreamsDep) -> Response:
    body = await request.body()
    try:
        payload = Webhook(request.app.state.settings.payment_webhook_secret).verify(body, dict(request.headers))
    except WebhookVerificationError as exc:
        raise Unauthorized(f"webhook signature not valid: {exc}") from None
    if payload.get("type") != "payment.succeeded":
        log.info("payment callback ignored", type=payload.get("type"))
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    try:
        data = PaymentSucceeded.model_validate(payload.get("data"))
    except ValidationError as exc:
        raise Unprocessable(f"payment callback data is not valid: {exc.errors()[0]['msg']}") from None
    response = await upstreams.call(
        "orders",
        "POST",
        "/internal/payments/confirmations",
        json={
            "order_id": data.order_id,
            "provider_payment_id": data.payment_id,
            "amount_fen": data.amount_fen,
        },
    )
    if response.status_code >= 500:
        return Response(status_code=status.HTTP_503_SERVICE_UNAVAILABLE)  # the provider retries
    if response.status_code != 200:
        log.warning("payment confirmation refused", status=response.status_code, body=response.text[:300])
    return Response(status_code=status.HTTP_204_NO_CONTENT)
