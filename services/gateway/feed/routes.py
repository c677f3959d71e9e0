from fastapi import APIRouter, Request

from services.gateway.feed import service
from services.gateway.upstream.deps import UpstreamsDep
from shared.auth import CurrentPrincipal
from shared.fields import EntityId

router = APIRouter(prefix="/api/v1", tags=["feed"])


@router.get(
    "/feed",
    summary="Home feed: upcoming sessions, open deals, recommendations (partial if a service is down)",
)
async def home_feed(
    request: Request, community_id: EntityId, principal: CurrentPrincipal, upstreams: UpstreamsDep
) -> object:
    principal.require_member(community_id)
    token = request.headers["authorization"][7:]
    return await service.home_feed(upstreams, token=token, community_id=community_id)
