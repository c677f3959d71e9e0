"""Idempotency keys against a real database: claims in the caller's transaction, replays, batches,
concurrent duplicates, expiry and pruning."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import update
from starlette.requests import Request

from services.orders.models import metadata as orders_metadata
from shared import idempotency, migrations
from shared.db import Database
from shared.errors import Conflict, NotFound, NotFoundYet, Problem, Unprocessable
from shared.idempotency import KEEP, Claim, idempotency_keys
from shared.models import utcnow
from tests.databases import Databases


class Body(BaseModel):
    quantity: int


def claim_of(key: str, quantity: int = 1, caller: str = "u1") -> Claim:
    http = Request({"type": "http", "method": "POST", "path": "/orders", "query_string": b"", "headers": []})
    return Claim.of(http, caller=caller, key=key, body=Body(quantity=quantity))


@pytest.fixture
async def db(databases: Databases) -> Database:
    database = Database(await databases.new("orders"))
    await migrations.upgrade(database, "orders", orders_metadata)
    return database


async def run(db: Database, *claims: Claim, placed: str = "o1") -> list[JSONResponse | Problem | None]:
    """Claim, "run" every claim that is new (its result: {"id": placed}), record, commit."""
    async with db.session() as session:
        answers = await idempotency.claim(session, claims)
        ran = [(c, 201, {"id": placed}) for c, answer in zip(claims, answers, strict=True) if answer is None]
        await idempotency.record(session, ran)
        await session.commit()
    return answers


def replayed(answer: JSONResponse | Problem | None) -> dict[str, str]:
    assert isinstance(answer, JSONResponse) and answer.headers["idempotent-replayed"] == "true"
    return dict(json.loads(answer.body))


async def age(db: Database, key: str, by: timedelta) -> None:
    async with db.session() as session:
        await session.execute(
            update(idempotency_keys).where(idempotency_keys.c.key == key).values(created_at=utcnow() - by)
        )
        await session.commit()


async def test_the_same_request_replays_the_first_result_and_another_request_is_refused(db: Database) -> None:
    assert await run(db, claim_of("k")) == [None]
    [again] = await run(db, claim_of("k"), placed="o2")
    assert replayed(again) == {"id": "o1"}
    [other] = await run(db, claim_of("k", quantity=2))
    assert isinstance(other, Unprocessable)
    [someone_else] = await run(db, claim_of("k", caller="u2"), placed="o3")
    assert someone_else is None  # keys are scoped to the caller


async def test_a_duplicate_in_the_same_batch_is_in_progress(db: Database) -> None:
    first, duplicate, other = await run(db, claim_of("k"), claim_of("k"), claim_of("j"))
    assert first is None and other is None
    assert isinstance(duplicate, Conflict)


async def test_a_concurrent_duplicate_waits_for_the_first_and_replays_it(db: Database) -> None:
    async with db.session() as first:
        assert await idempotency.claim(first, [claim_of("k")]) == [None]
        second = asyncio.create_task(run(db, claim_of("k"), placed="o2"))
        await asyncio.sleep(0.3)
        assert not second.done()  # blocked behind the first transaction
        await idempotency.record(first, [(claim_of("k"), 201, {"id": "o1"})])
        await first.commit()
    [answer] = await second
    assert replayed(answer) == {"id": "o1"}


async def test_a_claim_rolled_back_with_its_effect_leaves_the_key_free(db: Database) -> None:
    async with db.session() as session:
        assert await idempotency.claim(session, [claim_of("k")]) == [None]
        await session.rollback()  # the operation failed: nothing of it, nor of its key, stays
    assert await run(db, claim_of("k")) == [None]


async def test_a_refusal_is_kept_under_its_key_unless_it_is_transient(db: Database) -> None:
    request = Request({"type": "http", "method": "POST", "path": "/event-fees", "query_string": b"", "headers": []})
    outcomes = iter([NotFoundYet("not heard of yet"), NotFound("not yours"), Body(quantity=1)])

    async def operation() -> BaseModel:
        outcome = next(outcomes)
        if isinstance(outcome, Problem):
            raise outcome
        return outcome

    async def attempt(key: str) -> JSONResponse | Problem:
        async with db.session() as session:
            try:
                return await idempotency.once(session, request, claim_of(key), operation, status=201)
            except Problem as problem:
                return problem

    assert isinstance(await attempt("k"), NotFoundYet)  # transient: not kept, so the key may be retried
    assert isinstance(await attempt("k"), NotFound)  # this one is kept: the same key gets it again
    kept = await attempt("k")
    assert isinstance(kept, JSONResponse) and kept.status_code == 404 and kept.headers["idempotent-replayed"] == "true"


async def test_a_key_is_kept_a_day_then_free_again(db: Database) -> None:
    await run(db, claim_of("k"))
    await age(db, "k", KEEP - timedelta(minutes=1))
    assert replayed((await run(db, claim_of("k"), placed="o2"))[0]) == {"id": "o1"}
    await age(db, "k", KEEP + timedelta(minutes=1))
    assert await run(db, claim_of("k", quantity=2), placed="o3") == [None]


async def test_expired_keys_are_pruned(db: Database) -> None:
    await run(db, claim_of("old"))
    await run(db, claim_of("new"))
    await age(db, "old", KEEP + timedelta(minutes=1))
    assert await idempotency.prune(db, now=utcnow()) == 1
    assert await idempotency.prune(db, now=utcnow()) == 0
