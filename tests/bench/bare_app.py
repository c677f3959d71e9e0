"""The flash-sale baseline: a bare FastAPI app with one POST endpoint doing one INSERT.

`python -m tests.bench.bare_app VARIANT DATABASE_URL PORT` serves it the way `shared.serve` serves
a Linli service (uvicorn, uvloop, httptools, log level warning, access log off). The endpoint
validates a JSON body with a pydantic model (as Linli's order endpoint does), inserts one row and
answers 201 with the row as JSON. No authentication, no idempotency, no events, no second hop:
that is the point of a baseline. Variants, so the baseline is never a weak one:

  aiosqlite   one aiosqlite connection with shared/db.py's pragmas (WAL, foreign keys on,
              synchronous=NORMAL, busy_timeout); the INSERT runs in autocommit (its own transaction).
  sqlalchemy  `shared.db.Database` (Linli's own engine set-up: on SQLite one pooled connection and
              BEGIN IMMEDIATE; on PostgreSQL asyncpg with pool 10 + overflow 10): a session, one
              Core INSERT, commit.
  asyncpg     an asyncpg pool of 20 connections (as many as SQLAlchemy's 10 + 10): `pool.execute(INSERT)`.
"""

from __future__ import annotations

import contextlib
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, status
from pydantic import BaseModel, Field
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert
from sqlalchemy.engine import make_url

from shared.db import Database, is_sqlite

VARIANTS = {"sqlite": ("aiosqlite", "sqlalchemy"), "postgresql": ("asyncpg", "sqlalchemy")}

metadata = MetaData()
bare_order = Table(
    "bare_order",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("deal_id", String(32), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
CREATE = (
    "CREATE TABLE IF NOT EXISTS bare_order (id VARCHAR(32) PRIMARY KEY, deal_id VARCHAR(32) NOT NULL, "
    "quantity INTEGER NOT NULL, created_at {timestamp} NOT NULL)"
)


class OrderIn(BaseModel):
    deal_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    quantity: int = Field(gt=0, le=1000)


class OrderOut(BaseModel):
    id: str
    deal_id: str
    quantity: int
    created_at: datetime


Insert = Callable[[str, str, int, datetime], Awaitable[None]]


@contextlib.asynccontextmanager
async def _aiosqlite(url: str) -> AsyncIterator[Insert]:
    import aiosqlite

    # isolation_level=None: autocommit, the one INSERT is its own transaction.
    conn = await aiosqlite.connect(make_url(url).database or "", timeout=30, isolation_level=None)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", "busy_timeout=30000"):
        await conn.execute(f"PRAGMA {pragma}")
    await conn.execute(CREATE.format(timestamp="TIMESTAMP"))

    async def do(id_: str, deal_id: str, quantity: int, created_at: datetime) -> None:
        await conn.execute(
            "INSERT INTO bare_order (id, deal_id, quantity, created_at) VALUES (?, ?, ?, ?)",
            (id_, deal_id, quantity, created_at.isoformat()),
        )

    try:
        yield do
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def _asyncpg(url: str) -> AsyncIterator[Insert]:
    import asyncpg

    u = make_url(url)
    pool = await asyncpg.create_pool(
        host=u.host, port=u.port or 5432, user=u.username, password=u.password, database=u.database, max_size=20
    )
    await pool.execute(CREATE.format(timestamp="TIMESTAMPTZ"))

    async def do(id_: str, deal_id: str, quantity: int, created_at: datetime) -> None:
        await pool.execute(
            "INSERT INTO bare_order (id, deal_id, quantity, created_at) VALUES ($1, $2, $3, $4)",
            id_,
            deal_id,
            quantity,
            created_at,
        )

    try:
        yield do
    finally:
        await pool.close()


@contextlib.asynccontextmanager
async def _sqlalchemy(url: str) -> AsyncIterator[Insert]:
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.exec_driver_sql(CREATE.format(timestamp="TIMESTAMP" if is_sqlite(url) else "TIMESTAMPTZ"))

    async def do(id_: str, deal_id: str, quantity: int, created_at: datetime) -> None:
        async with db.session() as session:
            await session.execute(
                insert(bare_order).values(id=id_, deal_id=deal_id, quantity=quantity, created_at=created_at)
            )
            await session.commit()

    try:
        yield do
    finally:
        await db.dispose()


OPENERS: dict[str, Callable[[str], contextlib.AbstractAsyncContextManager[Insert]]] = {
    "aiosqlite": _aiosqlite,
    "asyncpg": _asyncpg,
    "sqlalchemy": _sqlalchemy,
}


def create_app(variant: str, url: str) -> FastAPI:
    state: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with OPENERS[variant](url) as do:
            state["insert"] = do
            yield

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)

    @app.post("/orders", status_code=status.HTTP_201_CREATED)
    async def place(body: OrderIn) -> OrderOut:
        order = OrderOut(
            id=uuid.uuid4().hex, deal_id=body.deal_id, quantity=body.quantity, created_at=datetime.now(UTC)
        )
        await state["insert"](order.id, order.deal_id, order.quantity, order.created_at)
        return order

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def main(variant: str, url: str, port: int) -> None:
    if variant not in OPENERS:
        raise SystemExit(f"unknown variant {variant!r}; one of {', '.join(OPENERS)}")
    uvicorn.run(
        create_app(variant, url),
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
