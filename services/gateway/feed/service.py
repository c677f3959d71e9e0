"""The home feed: upcoming sessions, open deals and recommendations, fetched from three services in
parallel. A service that is down or slow costs its section, never the whole feed."""

import asyncio
from typing import Any

from services.gateway.upstream.clients import UpstreamProblem, Upstreams
from shared.errors import ServiceUnavailable
from shared.logging import get_logger

log = get_logger(__name__)

SECTIONS = {
    "sessions": ("livestream", "/sessions"),
    "deals": ("orders", "/deals"),
    "recommendations": ("matching", "/recommendations"),
}


async def home_feed(upstreams: Upstreams, *, token: str, community_id: str) -> dict[str, Any]:
    async def section(service: str, path: str) -> Any:
        response = await upstreams.call(
            service,
            "GET",
            path,
            token=token,
            params={"community_id": community_id},
            timeout=upstreams.settings.feed_section_timeout,
        )
        if response.status_code >= 500:
            raise ServiceUnavailable(f"{service} answered {response.status_code}")
        return response

    results = await asyncio.gather(*(section(s, p) for s, p in SECTIONS.values()), return_exceptions=True)
    feed: dict[str, Any] = {"community_id": community_id, "unavailable": []}
    for name, result in zip(SECTIONS, results, strict=True):
        if isinstance(result, BaseException):
            log.warning("feed section unavailable", section=name, error=repr(result))
            feed[name] = None
            feed["unavailable"].append(name)
        elif result.status_code != 200:
            # The caller's own problem (not a member, bad id): the same answer from every section.
            raise UpstreamProblem(result.json())
        else:
            feed[name] = result.json()
    return feed
