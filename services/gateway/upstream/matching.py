"""Client paths that matching answers under another service's resource, composed here so services stay
apart: a need's matches (`/needs` is community's) and the live room's hint for its host (`/sessions` is
livestream's). Registered before the proxy's catch-all."""

from fastapi import APIRouter, Request, Response

from services.gateway.upstream.deps import UpstreamsDep
from services.gateway.upstream.proxy import relay
from shared.auth import CurrentPrincipal
from shared.fields import EntityId

router = APIRouter(prefix="/api/v1", tags=["matching"])


@router.get(
    "/needs/{need_id}/matches",
    summary="Providers and talents whose services answer a posted need (its poster and the community's leaders)",
)
async def need_matches(
    need_id: EntityId, request: Request, principal: CurrentPrincipal, upstreams: UpstreamsDep
) -> Response:
    token = request.headers["authorization"][7:]
    return relay(await upstreams.call("matching", "GET", f"/needs/{need_id}/matches", token=token))


@router.get(
    "/sessions/{session_id}/hint",
    summary="The session's cards ranked by what the people in the room now are into (host, leaders, moderators)",
)
async def live_hint(
    session_id: EntityId, request: Request, principal: CurrentPrincipal, upstreams: UpstreamsDep
) -> Response:
    # Livestream decides who may ask (as the caller) and who is in the room; matching, which knows
    # neither hosts nor rooms, ranks the cards for the gateway itself, never for the caller's token.
    token = request.headers["authorization"][7:]
    room = await upstreams.call("livestream", "GET", f"/sessions/{session_id}/audience", token=token)
    if room.status_code != 200:
        return relay(room)
    audience = room.json()
    ranked = await upstreams.call(
        "matching",
        "POST",
        "/hints/live",
        params={"lang": lang} if (lang := request.query_params.get("lang")) else None,
        headers={h: v for h in ("accept-language",) if (v := request.headers.get(h))},
        json={k: audience[k] for k in ("community_id", "viewer_ids", "candidates")},
    )
    return relay(ranked)
