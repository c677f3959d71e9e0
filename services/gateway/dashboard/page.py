"""The community dashboard: `/dashboard` (or `/dashboard/<community id>`), a page for a community's
leaders, property managers and operators in plain HTML and one small script that draws its charts as
inline SVG (no build step, nothing fetched from elsewhere). It logs in through /api/v1/auth like the
room page and reads /api/v1/insights, where matching decides who may see what."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from services.gateway.room.page import CSP, HEADERS
from shared.errors import NotFound
from shared.fields import EntityId

STATIC = Path(__file__).parent / "static"
ASSETS = {"dashboard.js": "text/javascript; charset=utf-8", "dashboard.css": "text/css; charset=utf-8"}

router = APIRouter(include_in_schema=False)


def _page() -> FileResponse:
    return FileResponse(
        STATIC / "dashboard.html",
        media_type="text/html; charset=utf-8",
        headers={**HEADERS, "content-security-policy": CSP},
    )


@router.get("/dashboard")
async def page() -> FileResponse:
    return _page()


@router.get("/dashboard/assets/{asset}")
async def asset(asset: str) -> FileResponse:
    if asset not in ASSETS:
        raise NotFound(f"no /dashboard/assets/{asset}")
    return FileResponse(STATIC / asset, media_type=ASSETS[asset], headers=HEADERS)


@router.get("/dashboard/{community_id}")
async def community_page(community_id: EntityId) -> FileResponse:
    return _page()  # the script reads the community from the path
