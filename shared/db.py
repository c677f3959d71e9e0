"""One async engine per service, from one URL: SQLite (WAL, foreign keys on) or PostgreSQL.

The schema is created only by Alembic migrations (`shared.migrations`), never by `create_all`.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.logging import get_logger

log = get_logger(__name__)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def upsert(session: AsyncSession, table: Any) -> Any:
    """`INSERT … ON CONFLICT` for the session's database. The dialect's module is imported on first
    use, so a SQLite deployment never loads PostgreSQL's (a few MB in every process)."""
    dialect = session.get_bind().dialect.name
    return importlib.import_module(f"sqlalchemy.dialects.{dialect}").insert(table)


def create_engine(url: str, *, foreign_keys: bool = True) -> AsyncEngine:
    """`foreign_keys=False` is for migrations only: SQLite alters a table by copying and dropping it,
    which the rows referencing it must survive (the migration checks them at the end)."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # One connection per process: SQLite has one writer anyway, and queueing for the connection
        # in asyncio is far cheaper than SQLite's busy handler sleeping between lock attempts.
        engine = create_async_engine(url, connect_args={"timeout": 30}, pool_size=1, max_overflow=0, pool_timeout=60)
        event.listen(engine.sync_engine, "connect", functools.partial(_sqlite_pragmas, foreign_keys=foreign_keys))
        # SQLite allows one writer: BEGIN IMMEDIATE takes the write lock at the start of a
        # transaction, so concurrent read-modify-write transactions queue instead of failing.
        # Read-only sessions (`Database.reader()`) begin deferred and never wait for the writer.
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, foreign_keys: bool) -> None:
    # Let SQLAlchemy (not the driver) issue BEGIN, so the "begin" listener above is in charge.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


READ_ONLY = "linli_read_only"


class Database:
    """The engine and its session factory; `session()` is one unit of work."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._readers = async_sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}), class_=AsyncSession, expire_on_commit=False
        )

    def session(self) -> AsyncSession:
        return self._sessions()

    def reader(self) -> AsyncSession:
        """A session for reads only: on SQLite it does not take the write lock."""
        return self._readers()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        await self.engine.dispose()


_AFTER_COMMIT = "linli_after_commit"
_running: set[asyncio.Task[None]] = set()


def after_commit(session: AsyncSession, action: Callable[[], Awaitable[None]]) -> None:
    """Run `action` once this transaction commits, and never if it rolls back: how a change tells
    the outside world (a refund to the payment provider) without holding locks across the call."""
    session.sync_session.info.setdefault(_AFTER_COMMIT, []).append(action)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for action in session.info.pop(_AFTER_COMMIT, ()):
        task = asyncio.get_running_loop().create_task(action())
        _running.add(task)
        task.add_done_callback(_finished)


def _finished(task: asyncio.Task[None]) -> None:
    _running.discard(task)
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("after-commit action failed", error=repr(error))


@event.listens_for(Session, "after_rollback")
def _forget_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)
