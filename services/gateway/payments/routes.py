"""Inbound payment-provider callbacks, verified the Standard Webhooks way and handed to orders as a
`gateway.payment.succeeded` event: stored in JetStream before the provider hears 204, so a
confirmation is never lost, and applied by orders in batches with its other events."""

import uuid

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, ValidationError
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from shared.errors import Unauthorized, Unprocessable
from shared.events import new_event
from shared.events.schemas.gateway import PaymentSucceeded
from shared.logging import get_logger

log = get_logger(__name__)
router = APIRouter(prefix="/webhooks", tags=["webhooks"])
# One callback (one `webhook-id`, however often the provider retries it) is one event id.
_CALLBACKS = uuid.UUID("6f1c1d8e-3b0a-4c55-9a55-2f1f6a7d0b11")


class PaymentSucceededCallback(BaseModel):
    order_id: str
    payment_id: str
    amount_fen: int


@router.post("/payments", status_code=status.HTTP_204_NO_CONTENT, summary="Payment provider callback")
async def payment_callback(request: Request) -> Response:
    body = await request.body()
    try:
        payload = Webhook(request.app.state.settings.payment_webhook_secret).verify(body, dict(request.headers))
    except WebhookVerificationError as exc:
        raise Unauthorized(f"webhook signature not valid: {exc}") from None
    if payload.get("type") != "payment.succeeded":
        log.info("payment callback ignored", type=payload.get("type"))
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    try:
        data = PaymentSucceededCallback.model_validate(payload.get("data"))
        confirmed = PaymentSucceeded(
            order_id=data.order_id, provider_payment_id=data.payment_id, amount_fen=data.amount_fen
        )
    except ValidationError as exc:
        raise Unprocessable(f"payment callback data is not valid: {exc.errors()[0]['msg']}") from None
    event_id = str(uuid.uuid5(_CALLBACKS, request.headers["webhook-id"]))
    await request.app.state.bus.publish(new_event(confirmed, subject=data.order_id, id_=event_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
