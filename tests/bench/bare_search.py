"""The directory-search baseline: a bare FastAPI app with one GET endpoint running the same indexed
queries Linli's search runs, with the same driver (aiosqlite), on the same database file.

`python -m tests.bench.bare_search DATABASE_FILE PORT` serves it the way `shared.serve` serves a
Linli service (uvicorn, uvloop, httptools, log level warning, access log off). Per request: the
page query (listings by community and state, offerings by provider and status, papers, a term
and a slot probe per offering), then the page's endorsements and next slots, answered as JSON.
No authentication, no ORM, no pydantic models for rows, no segmentation (the load generator
sends the words already cut, `terms=a,b`), one hop: that is the point of a baseline.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, Query

FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a UTC datetime in SQLite
PAGE = """
SELECT o.id, o.name, o.category, o.description, o.price_model, o.price_fen, o.slot_minutes, o.rating_avg,
       o.rating_count, o.schedule, p.id, p.name, p.kind
FROM offering o JOIN listing l ON l.provider_id = o.provider_id JOIN provider p ON p.id = o.provider_id
WHERE l.community_id = ? AND l.state = 'listed' AND o.status = 'active'
  AND (o.regulated_domain = '' OR EXISTS (SELECT 1 FROM qualification q WHERE q.provider_id = o.provider_id
       AND q.domain = o.regulated_domain AND q.status = 'verified' AND q.valid_until >= ?))
  {filters}
ORDER BY o.rating_avg DESC, o.rating_count DESC, o.id LIMIT ? OFFSET ?
"""
TERM = "AND EXISTS (SELECT 1 FROM offeringterm t WHERE t.term = ? AND t.offering_id = o.id)"
SLOT = "AND EXISTS (SELECT 1 FROM offeringslot s WHERE s.offering_id = o.id AND s.starts_at >= ? AND s.starts_at < ?)"
ENDORSEMENTS = """
SELECT e.id, e.provider_id, e.leader_id, e.note FROM endorsement e
JOIN listing l ON l.provider_id = e.provider_id AND l.community_id = e.community_id AND l.state = 'listed'
WHERE e.community_id = ? AND e.withdrawn_at IS NULL AND e.provider_id IN ({marks}) ORDER BY e.created_at, e.id
"""
NEXT_SLOTS = "SELECT offering_id, min(starts_at) FROM offeringslot WHERE offering_id IN ({marks}) AND starts_at >= ? "
NEXT_SLOTS += "GROUP BY offering_id"


def stored(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(FORMAT)


def create_app(path: str) -> FastAPI:
    state: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        import aiosqlite

        state["db"] = conn = await aiosqlite.connect(path, timeout=30, isolation_level=None)
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", "busy_timeout=30000"):
            await conn.execute(f"PRAGMA {pragma}")
        yield
        await conn.close()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/search")
    async def search(
        community_id: str,
        category: str | None = None,
        terms: str | None = None,
        min_rating: float | None = None,
        available_from: datetime | None = None,
        available_to: datetime | None = None,
        limit: int = Query(default=20, ge=1, le=100),
        offset: int = Query(default=0, ge=0),
    ) -> dict[str, Any]:
        db = state["db"]
        now = datetime.now(UTC)
        filters, args = [], [community_id, now.date().isoformat()]
        if category is not None:
            filters.append("AND o.category = ?")
            args.append(category)
        if min_rating is not None:
            filters.append("AND o.rating_avg >= ?")
            args.append(min_rating)
        for term in terms.split(",") if terms else []:
            filters.append(TERM)
            args.append(term)
        if available_from is not None and available_to is not None:
            filters.append(SLOT)
            args += [stored(available_from), stored(available_to)]
        sql = PAGE.format(filters=" ".join(filters))
        rows = list(await db.execute_fetchall(sql, [*args, limit + 1, offset]))
        more, rows = len(rows) > limit, rows[:limit]
        offering_ids, provider_ids = [r[0] for r in rows], sorted({r[10] for r in rows})
        notes: dict[str, list[dict[str, str]]] = {}
        slots: dict[str, str] = {}
        if rows:
            marks = ",".join("?" * len(provider_ids))
            for e in await db.execute_fetchall(ENDORSEMENTS.format(marks=marks), [community_id, *provider_ids]):
                notes.setdefault(e[1], []).append({"endorsement_id": e[0], "leader_id": e[2], "note": e[3]})
            marks = ",".join("?" * len(offering_ids))
            start = stored(available_from or now)
            slots = dict(await db.execute_fetchall(NEXT_SLOTS.format(marks=marks), [*offering_ids, start]))
        items = [
            {
                "offering_id": r[0],
                "name": r[1],
                "category": r[2],
                "description": r[3],
                "price_model": r[4],
                "price_fen": r[5],
                "slot_minutes": r[6],
                "rating_avg": r[7],
                "rating_count": r[8],
                "next_slot_at": slots.get(r[0]),
                "provider": {"id": r[10], "name": r[11], "kind": r[12]},
                "endorsements": notes.get(r[10], []),
                "reach": {"action": "book" if r[9] else "inquire", "href": f"/api/v1/bookings?offering_id={r[0]}"},
            }
            for r in rows
        ]
        return {"items": items, "next_offset": offset + limit if more else None}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def main(path: str, port: int) -> None:
    uvicorn.run(
        create_app(path),
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
