"""Fresh databases for tests: temp SQLite files, or PostgreSQL databases when
LINLI_TEST_POSTGRES_URL is set (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test; CI sets it)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("LINLI_TEST_POSTGRES_URL", "")


class Databases:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.created: list[str] = []

    @property
    def backend(self) -> str:
        return "postgresql" if POSTGRES_URL else "sqlite"

    async def new(self, name: str) -> str:
        if not POSTGRES_URL:
            return f"sqlite+aiosqlite:///{self.tmp / (name + '-' + uuid.uuid4().hex[:6] + '.db')}"
        database = f"linli_test_{name}_{uuid.uuid4().hex[:8]}"
        await self._admin(f'CREATE DATABASE "{database}"')
        self.created.append(database)
        return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)

    async def drop_all(self) -> None:
        for database in self.created:
            await self._admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self.created.clear()

    async def _admin(self, sql: str) -> None:
        url = make_url(POSTGRES_URL)
        conn = await asyncpg.connect(
            host=url.host, port=url.port or 5432, user=url.username, password=url.password, database=url.database
        )
        try:
            await conn.execute(sql)
        finally:
            await conn.close()
