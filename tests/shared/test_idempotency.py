"""Idempotency keys against a real database: abandoned and expired keys, pruning."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import BaseModel
from sqlalchemy import update
from starlette.requests import Request

from services.orders.models import metadata as orders_metadata
from shared import idempotency, migrations
from shared.db import Database
from shared.errors import Conflict, Unprocessable
from shared.idempotency import ABANDONED, KEEP, idempotency_keys
from shared.models import utcnow
from tests.databases import Databases


class Body(BaseModel):
    quantity: int


class Placed(BaseModel):
    id: str


def post(path: str = "/orders") -> Request:
    return Request({"type": "http", "method": "POST", "path": path, "query_string": b"", "headers": []})


@pytest.fixture
async def db(databases: Databases) -> Database:
    database = Database(await databases.new("orders"))
    await migrations.upgrade(database, "orders", orders_metadata)
    return database


async def run(db: Database, key: str, body: Body, placed: str = "o1") -> idempotency.Result[Placed]:
    async def operation() -> Placed:
        return Placed(id=placed)

    async with db.session() as session:
        return await idempotency.once(
            db, session, http=post(), caller="u1", key=key, body=body, status_code=201, operation=operation
        )


async def age(db: Database, key: str, by: timedelta) -> None:
    async with db.session() as session:
        await session.execute(
            update(idempotency_keys).where(idempotency_keys.c.key == key).values(created_at=utcnow() - by)
        )
        await session.commit()


async def test_a_request_abandoned_in_flight_can_be_retried_after_a_while(db: Database) -> None:
    # The first request took the key, then its process died before finishing.
    await idempotency._claim(
        db, scope="u1 POST /orders", key="k", fingerprint=idempotency.fingerprint(Body(quantity=1))
    )
    with pytest.raises(Conflict):
        await run(db, "k", Body(quantity=1))
    await age(db, "k", ABANDONED + timedelta(seconds=1))
    assert (await run(db, "k", Body(quantity=1))).value == Placed(id="o1")


async def test_a_key_is_kept_a_day_then_free_again(db: Database) -> None:
    await run(db, "k", Body(quantity=1))
    with pytest.raises(Unprocessable):
        await run(db, "k", Body(quantity=2))
    await age(db, "k", KEEP - timedelta(minutes=1))
    replay = await run(db, "k", Body(quantity=1), placed="o2")
    assert replay.value is None and replay.response.body == b'{"id":"o1"}'
    await age(db, "k", KEEP + timedelta(minutes=1))
    assert (await run(db, "k", Body(quantity=2), placed="o3")).value == Placed(id="o3")


async def test_expired_keys_are_pruned(db: Database) -> None:
    await run(db, "old", Body(quantity=1))
    await run(db, "new", Body(quantity=1))
    await age(db, "old", KEEP + timedelta(minutes=1))
    assert await idempotency.prune(db, now=utcnow()) == 1
    assert await idempotency.prune(db, now=utcnow()) == 0
