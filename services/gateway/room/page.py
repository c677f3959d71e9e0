"""The room's web page: `/room?session=<id>`, a viewer's and host's console in plain HTML and one
small script (no build step, nothing fetched from elsewhere). It logs in through /api/v1/auth,
joins the room through the gateway's WebSocket and acts through /api/v1 like any app."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from shared.errors import NotFound

STATIC = Path(__file__).parent / "static"
# session.js (login and /api/v1 calls) serves the dashboard page too.
ASSETS = {
    "room.js": "text/javascript; charset=utf-8",
    "session.js": "text/javascript; charset=utf-8",
    "room.css": "text/css; charset=utf-8",
}
# The page runs only its own script and talks only to this origin (API and WebSocket); deal photos
# come from wherever the catalogue keeps them (https).
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {"cache-control": "no-cache", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}

router = APIRouter(include_in_schema=False)


@router.get("/room")
async def page() -> FileResponse:
    return FileResponse(
        STATIC / "room.html",
        media_type="text/html; charset=utf-8",
        headers={**HEADERS, "content-security-policy": CSP},
    )


@router.get("/room/{asset}")
async def asset(asset: str) -> FileResponse:
    if asset not in ASSETS:
        raise NotFound(f"no /room/{asset}")
    return FileResponse(STATIC / asset, media_type=ASSETS[asset], headers=HEADERS)
