"""The calendar-feed baseline: a bare FastAPI app serving a community's feed from community's own
database file, without a gateway, a token, a membership check or a feed lookup.

`python -m tests.bench.bare_calendar DATABASE_URL PORT` serves it the way `shared.serve` serves a Linli
service (uvicorn, uvloop, httptools, log level warning, access log off), with the same engine set-up
(`shared.db.Database`) and the same query as Linli's feed. Two endpoints:

  /render/{community_id}  renders every row's VEVENT with icalendar on each request (the same
                          function Linli renders with when an event changes: `calendar.vevent`).
  /stored/{community_id}  joins the VEVENTs Linli stored with each event, read as Linli's feed reads
                          them (two columns).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from fastapi import FastAPI, Response
from sqlalchemy import ColumnElement
from sqlmodel import col, or_, select

from services.community.events import calendar
from services.community.events.models import CLOSED, HELD, PUBLISHED, OfflineEvent
from shared.db import Database
from shared.models import utcnow


def create_app(url: str) -> FastAPI:
    state: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        state["db"] = Database(url)
        yield
        await state["db"].dispose()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)

    def upcoming(community_id: str) -> list[ColumnElement[bool]]:
        return [
            col(OfflineEvent.community_id) == community_id,
            col(OfflineEvent.status).in_([PUBLISHED, CLOSED, HELD]),
            or_(col(OfflineEvent.until).is_(None), col(OfflineEvent.until) > utcnow()),
        ]

    order = (col(OfflineEvent.starts_at), col(OfflineEvent.id))

    @app.get("/render/{community_id}")
    async def render(community_id: str) -> Response:
        async with state["db"].reader() as session:
            query = select(OfflineEvent).where(*upcoming(community_id)).order_by(*order)
            events = (await session.exec(query)).all()
        document = calendar.document([calendar.vevent(e) for e in events], {e.timezone for e in events}, name=NAME)
        return Response(document, media_type=calendar.MEDIA_TYPE)

    @app.get("/stored/{community_id}")
    async def stored(community_id: str) -> Response:
        async with state["db"].reader() as session:
            query = select(OfflineEvent.ics, OfflineEvent.timezone).where(*upcoming(community_id)).order_by(*order)
            rows = (await session.exec(query)).all()
        document = calendar.document((ics for ics, _ in rows), {tz for _, tz in rows}, name=NAME)
        return Response(document, media_type=calendar.MEDIA_TYPE)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


NAME = "日历小区"  # the bench's community: the feed's name, without reading it


def main(url: str, port: int) -> None:
    uvicorn.run(
        create_app(url),
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
