"""The partner API's bookings and availability: forwarded to orders as the partner principal of
the key's provider (a one-minute token the gateway mints), so orders checks again that a booking
or an offering is that provider's. The gateway pins the provider: a key never names another.
Calls that change state must be signed (`SignedBody`)."""

from typing import Literal

from fastapi import APIRouter, Request, Response, status

from services.gateway.partners.auth import CurrentPartner, SignedBody
from services.gateway.partners.models import Partner
from services.gateway.upstream.clients import Upstreams
from services.gateway.upstream.deps import UpstreamsDep
from services.gateway.upstream.proxy import relay
from shared.auth import Principal
from shared.fields import EntityId

router = APIRouter(prefix="/partner/v1", tags=["partner API"])

BookingAction = Literal["confirm", "decline", "cancel", "complete", "reply"]
_SIGNED = (
    "Sign it the Standard Webhooks way with your key's whsec_ secret (webhook-id, webhook-timestamp, "
    "webhook-signature); a webhook-id is good for one call."
)


async def _call(
    upstreams: Upstreams, partner: Partner, method: str, path: str, *, params: object = None, body: bytes = b""
) -> Response:
    principal = Principal(user_id=f"partner:{partner.key_id}", kind="partner", provider_id=partner.provider_id)
    headers = {"content-type": "application/json"} if body else {}
    upstream = await upstreams.call(
        "orders", method, path, token=upstreams.token_for(principal), params=params, content=body, headers=headers
    )
    return relay(upstream)


@router.get("/me", summary="The provider your key acts for")
async def me(partner: CurrentPartner) -> dict[str, str]:
    return {"key_id": partner.key_id, "provider_id": partner.provider_id}


@router.get("/bookings", summary="Your provider's bookings (filters: status, offering_id; limit, offset)")
async def list_bookings(request: Request, partner: CurrentPartner, upstreams: UpstreamsDep) -> Response:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "provider_id"]
    params.append(("provider_id", partner.provider_id))
    return await _call(upstreams, partner, "GET", "/bookings", params=params)


@router.get("/bookings/{booking_id}", summary="One of your provider's bookings")
async def get_booking(booking_id: EntityId, partner: CurrentPartner, upstreams: UpstreamsDep) -> Response:
    return await _call(upstreams, partner, "GET", f"/bookings/{booking_id}")


@router.post(
    "/bookings/{booking_id}/{action}",
    summary="Confirm, decline ({reason}), cancel ({reason}), complete a booking, or reply ({text}) to its review",
    description=_SIGNED,
)
async def act_on_booking(
    booking_id: EntityId, action: BookingAction, body: SignedBody, partner: CurrentPartner, upstreams: UpstreamsDep
) -> Response:
    return await _call(upstreams, partner, "POST", f"/bookings/{booking_id}/{action}", body=body)


@router.get("/slots", summary="An offering's slots with the places left (offering_id; from, to)")
async def list_slots(request: Request, partner: CurrentPartner, upstreams: UpstreamsDep) -> Response:
    return await _call(upstreams, partner, "GET", "/slots", params=request.query_params.multi_items())


@router.post(
    "/offerings/{offering_id}/slots",
    status_code=status.HTTP_201_CREATED,
    summary="Publish a slot of your offering, with its capacity",
    description=_SIGNED,
)
async def publish_slot(
    offering_id: EntityId, body: SignedBody, partner: CurrentPartner, upstreams: UpstreamsDep
) -> Response:
    return await _call(upstreams, partner, "POST", f"/offerings/{offering_id}/slots", body=body)


@router.delete(
    "/offerings/{offering_id}/slots/{slot_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Withdraw a published slot nobody has booked",
    description=_SIGNED,
)
async def withdraw_slot(
    offering_id: EntityId, slot_id: EntityId, body: SignedBody, partner: CurrentPartner, upstreams: UpstreamsDep
) -> Response:
    return await _call(upstreams, partner, "DELETE", f"/offerings/{offering_id}/slots/{slot_id}", body=body)
