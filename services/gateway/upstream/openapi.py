"""The client API's documentation: the gateway's own routes plus the services' resources as the
apps reach them (`/api/v1/<resource>…`), merged from the services' OpenAPI documents on request,
so the docs never drift from the code. Internal, admin and health routes are left out."""

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from services.gateway.upstream.deps import UpstreamsDep
from services.gateway.upstream.proxy import RESOURCES
from shared.logging import get_logger

log = get_logger(__name__)
router = APIRouter(include_in_schema=False)


@router.get("/openapi.json")
async def openapi(request: Request, upstreams: UpstreamsDep) -> dict[str, Any]:
    document = request.app.openapi()
    merged = {**document, "paths": {p: v for p, v in document["paths"].items() if _is_client_api(p)}}
    components = merged.setdefault("components", {}).setdefault("schemas", {})
    services = sorted(set(RESOURCES.values()))
    fetched = await asyncio.gather(
        *(upstreams.call(s, "GET", "/openapi.json") for s in services), return_exceptions=True
    )
    missing = []
    for service, response in zip(services, fetched, strict=True):
        if isinstance(response, BaseException) or response.status_code != 200:
            missing.append(service)
            continue
        spec = response.json()
        for path, operations in spec.get("paths", {}).items():
            if RESOURCES.get(path.strip("/").split("/", 1)[0]) == service:
                merged["paths"]["/api/v1" + path] = operations
        for name, schema in spec.get("components", {}).get("schemas", {}).items():
            components.setdefault(name, schema)
    if missing:
        log.warning("API docs are missing services that did not answer", services=missing)
        merged["info"] = {**merged["info"], "x-missing-services": missing}
    return merged


@router.get("/docs")
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="Linli API")


def _is_client_api(path: str) -> bool:
    """The gateway's own client routes, the partner API and webhooks; not its generic proxy, health or
    admin routes."""
    return path.startswith(("/api/v1/", "/partner/v1/", "/webhooks/")) and not path.startswith("/api/v1/{resource}")
