"""The client API's pass-through part: `/api/v1/<resource>/…` goes to the service that owns the
resource, as the calling user (the service checks the token again and owns the authorisation)."""

from typing import Annotated

import httpx
from fastapi import APIRouter, Path, Request, Response

from services.gateway.upstream.clients import Upstreams
from services.gateway.upstream.deps import UpstreamsDep
from shared.errors import NotFound, Unauthorized

# First path segment under /api/v1 → owning service.
RESOURCES = {
    "communities": "community",
    "community-events": "community",
    "needs": "community",
    "swaps": "community",
    "board-posts": "community",
    "products": "catalog",
    "providers": "catalog",
    "offerings": "catalog",
    "qualifications": "catalog",
    "listings": "catalog",
    "complaints": "catalog",
    "endorsements": "catalog",
    "directory": "catalog",
    "deals": "orders",
    "orders": "orders",
    "pickup-points": "orders",
    "pickups": "orders",
    "commissions": "orders",
    "after-sales": "orders",
    "bookings": "orders",
    "inquiries": "orders",
    "slots": "orders",
    "event-fees": "orders",
    "sessions": "livestream",
    "recommendations": "matching",
    "profiles": "matching",
    "demand": "matching",
    "insights": "matching",
}
_FORWARDED_REQUEST_HEADERS = ("content-type", "idempotency-key", "accept-language")
_FORWARDED_RESPONSE_HEADERS = ("content-type", "content-disposition", "retry-after", "location", "idempotent-replayed")

router = APIRouter(prefix="/api/v1", tags=["resources"])


@router.get(
    "/calendar-feeds/{token}.ics",
    summary="A community's calendar at a member's secret URL (what a phone's calendar subscribes to)",
)
async def calendar_feed(
    token: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{16,64}$")], upstreams: UpstreamsDep
) -> Response:
    # A calendar app sends no Authorization header: the secret in the path is the credential, and
    # community checks it. Only this one path is forwarded without the caller's token.
    return relay(await upstreams.call("community", "GET", f"/calendar-feeds/{token}.ics"))


async def forward(request: Request) -> Response:
    """`/api/v1/<resource>/…` as the caller, to the service that owns the resource."""
    resource = request.path_params["resource"]
    service = RESOURCES.get(resource)
    if service is None:
        raise NotFound(f"no resource /api/v1/{resource}")
    authorization = request.headers.get("authorization", "")
    if not authorization.lower().startswith("bearer "):
        raise Unauthorized("Send an access token: Authorization: Bearer <token>.")
    rest = request.path_params.get("rest", "")
    upstreams: Upstreams = request.app.state.upstreams
    upstream = await upstreams.call(
        service,
        request.method,
        f"/{resource}/{rest}" if rest else f"/{resource}",
        token=authorization[7:],
        params=request.query_params,
        content=await request.body(),
        headers={h: v for h in _FORWARDED_REQUEST_HEADERS if (v := request.headers.get(h))},
    )
    return relay(upstream)


# Plain Starlette routes, last of all: the pass-through takes no parameters FastAPI could check, and
# its routing and dependency machinery cost more CPU per call (~0.25 ms) than the call itself.
for path in ("/api/v1/{resource}/{rest:path}", "/api/v1/{resource}"):
    router.add_route(path, forward, methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)


def relay(upstream: httpx.Response) -> Response:
    """A service's answer, as the gateway's: status, body and the headers a client needs."""
    headers = {h: v for h in _FORWARDED_RESPONSE_HEADERS if (v := upstream.headers.get(h))}
    return Response(content=upstream.content, status_code=upstream.status_code, headers=headers)
