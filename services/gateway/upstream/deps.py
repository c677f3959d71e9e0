from typing import Annotated

from fastapi import Depends, Request

from services.gateway.upstream.clients import Upstreams


async def get_upstreams(request: Request) -> Upstreams:  # async: no thread-pool hop per request
    return request.app.state.upstreams  # type: ignore[no-any-return]


UpstreamsDep = Annotated[Upstreams, Depends(get_upstreams)]
