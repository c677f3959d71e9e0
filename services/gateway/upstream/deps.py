from typing import Annotated

from fastapi import Depends, Request

from services.gateway.upstream.clients import Upstreams


def get_upstreams(request: Request) -> Upstreams:
    return request.app.state.upstreams  # type: ignore[no-any-return]


UpstreamsDep = Annotated[Upstreams, Depends(get_upstreams)]
