"""`Idempotency-Key` for POST endpoints, following draft-ietf-httpapi-idempotency-key-header.

- A missing key is a 400. The key is scoped to the caller and the endpoint, kept 24 hours.
- The same key with the same request returns the first result, success or error, unchanged
  (with `Idempotent-Replayed: true`); with another request it is a 422. A transient refusal (a
  `Problem` marked so: what this service learns from events has not arrived yet) is not kept.
- A retry while the first request is still being processed is a 409, or waits for it and gets its
  result: the key is claimed in the same transaction as the operation's effect and its result, so
  a concurrent duplicate either meets it in the same batch (409) or blocks on its row until it
  commits, then replays it. Concurrent duplicates never both run, and a crash loses the claim with
  the effect, so nothing is ever left "in flight".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, bindparam, delete, select, tuple_, update
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import Database, upsert
from shared.errors import BadRequest, Conflict, Problem, Unprocessable, problem_response
from shared.models import UTCDateTime, utcnow

KEEP = timedelta(hours=24)

_metadata = MetaData()
idempotency_keys = Table(
    "idempotency_keys",
    _metadata,
    Column("scope", String(200), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status_code", Integer, nullable=True),  # NULL until the result is recorded, in the same transaction
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


@dataclass(frozen=True)
class Claim:
    """One request's use of a key: (caller, endpoint) scope, the key, and what the request was."""

    scope: str
    key: str
    fingerprint: str

    @classmethod
    def of(cls, http: Request, *, caller: str, key: str, body: BaseModel) -> Claim:
        # "The same request" is the same validated body, so key order and spacing do not matter.
        digest = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
        return cls(scope=f"{caller} {http.method} {http.url.path}", key=key, fingerprint=digest)


async def claim(session: AsyncSession, claims: Sequence[Claim]) -> list[JSONResponse | Problem | None]:
    """Take each claim's key in the caller's transaction. None: the key is new, run the request and
    `record` its result before committing. Otherwise the answer to give instead: the first result
    replayed, or the problem to raise (422 for another request under the key, 409 for a duplicate
    in the same batch)."""
    now = utcnow()
    ids = [(c.scope, c.key) for c in claims]
    pair = tuple_(idempotency_keys.c.scope, idempotency_keys.c.key)
    await session.execute(delete(idempotency_keys).where(pair.in_(ids), idempotency_keys.c.created_at < now - KEEP))
    first = {(c.scope, c.key): c for c in reversed(claims)}  # the earliest claim of each key
    insert = upsert(session, idempotency_keys)
    rows = [{"scope": c.scope, "key": c.key, "fingerprint": c.fingerprint, "created_at": now} for c in first.values()]
    inserted = await session.execute(insert.values(rows).on_conflict_do_nothing().returning(*pair.clauses))
    taken: set[tuple[str, str]] = {(scope, key) for scope, key in inserted.all()}
    known = {
        (row.scope, row.key): row
        for row in (await session.execute(select(idempotency_keys).where(pair.in_(set(ids) - taken)))).all()
    }
    answers: list[JSONResponse | Problem | None] = []
    for c in claims:
        ours = first[(c.scope, c.key)] is c
        if (c.scope, c.key) in taken:
            answers.append(None if ours else Conflict(_IN_PROGRESS))
        else:
            answers.append(_replay(c, known[(c.scope, c.key)]))
    return answers


async def record(session: AsyncSession, results: Sequence[tuple[Claim, int, Any]]) -> None:
    """Store (claim, status, body) results of claimed keys in the caller's transaction: a problem
    document is recognised by its status (≥ 400)."""
    if not results:
        return
    await session.execute(
        update(idempotency_keys)
        .where(idempotency_keys.c.scope == bindparam("b_scope"), idempotency_keys.c.key == bindparam("b_key"))
        .values(status_code=bindparam("b_status"), body=bindparam("b_body")),
        [
            {"b_scope": c.scope, "b_key": c.key, "b_status": status, "b_body": json.dumps(body)}
            for c, status, body in results
        ],
    )


async def once(
    session: AsyncSession, http: Request, key: Claim, operation: Callable[[], Awaitable[BaseModel]], *, status: int
) -> JSONResponse:
    """One request under its key, for endpoints that act alone (not in batches): the operation's
    result (`status`), or the first result under the key replayed; raises the problem that refused
    it. A refused operation's writes are rolled back to a savepoint; the key keeps its answer."""
    [answer] = await claim(session, [key])
    if isinstance(answer, Problem):
        raise answer
    if answer is not None:
        return answer
    try:
        async with session.begin_nested():
            result = await operation()
    except Problem as problem:
        if problem.transient:  # nothing began: the claim goes, and the same key may be retried
            await session.rollback()
            raise
        await record(session, [(key, problem.status, problem.document(http.url.path))])
        await session.commit()
        raise
    body = result.model_dump(mode="json")
    await record(session, [(key, status, body)])
    await session.commit()
    return JSONResponse(body, status_code=status)


_IN_PROGRESS = "a request with this Idempotency-Key is in progress; retry later"


def _replay(claim: Claim, row: Any) -> JSONResponse | Problem:
    if row.fingerprint != claim.fingerprint:
        return Unprocessable("this Idempotency-Key was used for a different request; use a new key")
    body = json.loads(row.body)
    replayed = {"Idempotent-Replayed": "true"}
    if row.status_code >= 400:
        return problem_response(body, headers=replayed)
    return JSONResponse(body, status_code=row.status_code, headers=replayed)


async def prune(db: Database, *, now: datetime) -> int:
    async with db.session() as session:
        result = await session.execute(delete(idempotency_keys).where(idempotency_keys.c.created_at < now - KEEP))
        await session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
