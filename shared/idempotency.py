"""`Idempotency-Key` for POST endpoints, following draft-ietf-httpapi-idempotency-key-header.

- A missing key is a 400. The key is scoped to the caller and the endpoint, kept 24 hours.
- The same key with the same request returns the first result, success or error, unchanged
  (with `Idempotent-Replayed: true`); with another request it is a 422.
- A retry while the first request is still being processed is a 409. Concurrent duplicates
  race for one row: exactly one runs.

The first result is stored in the same transaction as the operation's effect, so an order and
the record that it was created under this key commit together.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import Database
from shared.errors import BadRequest, Conflict, Problem, Unprocessable, problem_response
from shared.models import UTCDateTime, utcnow

KEEP = timedelta(hours=24)
# A request still "in flight" after this long died with its process; a retry may take over.
ABANDONED = timedelta(seconds=60)

_metadata = MetaData()
idempotency_keys = Table(
    "idempotency_keys",
    _metadata,
    Column("scope", String(200), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status_code", Integer, nullable=True),  # NULL while in flight
    Column("body", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False, index=True),
)


def include_idempotency_table(metadata: MetaData) -> None:
    idempotency_keys.to_metadata(metadata)


async def _key(  # async: FastAPI runs plain-def dependencies in a thread pool
    value: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Required. A unique value per operation (e.g. a UUID), so a retried request never "
            "acts twice. Scoped to you and this endpoint; kept 24 hours. The same key with the same body "
            "returns the first result; with another body, 422; while the first is in progress, 409.",
        ),
    ] = None,
) -> str:
    if value is None:
        raise BadRequest('this request needs an Idempotency-Key header, e.g. Idempotency-Key: "<uuid>"')
    key = value.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':  # a structured-field string, as the draft writes it
        key = key[1:-1]
    if not key or len(key) > 255 or not key.isprintable():
        raise BadRequest("the Idempotency-Key must be 1 to 255 printable characters")
    return key


IdempotencyKey = Annotated[str, Depends(_key)]

T = TypeVar("T", bound=BaseModel)


@dataclass
class Result(Generic[T]):
    response: JSONResponse
    value: T | None  # the operation's result when it ran now; None on a replay


async def once(
    db: Database,
    session: AsyncSession,
    *,
    http: Request,
    caller: str,
    key: str,
    body: BaseModel,
    status_code: int,
    operation: Callable[[], Awaitable[T]],
) -> Result[T]:
    """Run `operation` (which stages its effect in `session`) once per (caller, endpoint, key)."""
    scope = f"{caller} {http.method} {http.url.path}"
    replay = await _claim(db, scope=scope, key=key, fingerprint=fingerprint(body))
    if replay is not None:
        return Result(replay, None)
    try:
        value = await operation()
    except Problem as problem:
        await session.rollback()
        async with db.session() as failed:
            document = problem.document(http.url.path)
            await _store(failed, scope=scope, key=key, status_code=problem.status, body=document)
            await failed.commit()
        raise
    except BaseException:
        await session.rollback()
        await _release(db, scope=scope, key=key)  # unexpected: let a retry run it again
        raise
    result = value.model_dump(mode="json")
    await _store(session, scope=scope, key=key, status_code=status_code, body=result)
    await session.commit()
    return Result(JSONResponse(result, status_code=status_code), value)


def fingerprint(body: BaseModel) -> str:
    """What "the same request" means: the same validated body (so key order and spacing do not matter)."""
    return hashlib.sha256(body.model_dump_json().encode()).hexdigest()


async def _claim(db: Database, *, scope: str, key: str, fingerprint: str) -> JSONResponse | None:
    """Take the key for this request (None), or return the first result to replay."""
    now = utcnow()
    where = (idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)
    async with db.session() as session:
        row = (await session.execute(select(idempotency_keys).where(*where))).mappings().first()
        if row is not None and (
            row["created_at"] < now - KEEP or (row["status_code"] is None and row["created_at"] < now - ABANDONED)
        ):
            await session.execute(delete(idempotency_keys).where(*where))
            row = None
        if row is None:
            await session.execute(
                insert(idempotency_keys).values(scope=scope, key=key, fingerprint=fingerprint, created_at=now)
            )
            try:
                await session.commit()
            except IntegrityError:
                raise Conflict("a request with this Idempotency-Key is in progress; retry later") from None
            return None
    if row["fingerprint"] != fingerprint:
        raise Unprocessable("this Idempotency-Key was used for a different request; use a new key")
    if row["status_code"] is None:
        raise Conflict("a request with this Idempotency-Key is in progress; retry later")
    body = json.loads(row["body"])
    if row["status_code"] >= 400:
        return problem_response(body, headers={"Idempotent-Replayed": "true"})
    return JSONResponse(body, status_code=row["status_code"], headers={"Idempotent-Replayed": "true"})


async def _store(session: AsyncSession, *, scope: str, key: str, status_code: int, body: Any) -> None:
    """Record the first result; a problem document is recognised by its status (≥ 400)."""
    await session.execute(
        update(idempotency_keys)
        .where(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)
        .values(status_code=status_code, body=json.dumps(body))
    )


async def _release(db: Database, *, scope: str, key: str) -> None:
    async with db.session() as session:
        await session.execute(
            delete(idempotency_keys).where(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)
        )
        await session.commit()


async def prune(db: Database, *, now: datetime) -> int:
    async with db.session() as session:
        result = await session.execute(delete(idempotency_keys).where(idempotency_keys.c.created_at < now - KEEP))
        await session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
