"""Matching's purchases become interactions, counted for popularity and co-occurrence, on upgrade."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from services.matching.models import metadata
from shared import migrations
from shared.db import Database, create_engine
from tests.databases import Databases

BEFORE_INTERACTIONS = "81808b0e20a9"


async def test_purchases_carry_forward(databases: Databases) -> None:
    db = Database(await databases.new("matching"))
    engine = create_engine(db.url, foreign_keys=False)

    def to_before(connection: Connection) -> None:
        cfg = migrations.alembic_config("matching", metadata)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, BEFORE_INTERACTIONS)
        for user_id, deal_id in (("u1", "d1"), ("u1", "d2"), ("u2", "d1")):
            connection.execute(
                text(
                    "INSERT INTO purchase (user_id, community_id, deal_id, bought_at) "
                    "VALUES (:u, 'c1', :d, '2026-01-01 00:00:00+00:00')"
                ),
                {"u": user_id, "d": deal_id},
            )

    async with engine.begin() as conn:
        await conn.run_sync(to_before)
    await engine.dispose()

    await migrations.upgrade(db, "matching", metadata)

    async with db.engine.connect() as conn:
        taken = (await conn.execute(text("SELECT user_id, item FROM interaction ORDER BY user_id, item"))).all()
        stats = dict((await conn.execute(text("SELECT item, takers FROM itemstat"))).all())
        pairs = (await conn.execute(text("SELECT item, other, together FROM cooccurrence ORDER BY item"))).all()
    assert [tuple(t) for t in taken] == [("u1", "deal:d1"), ("u1", "deal:d2"), ("u2", "deal:d1")]
    assert stats == {"deal:d1": 2, "deal:d2": 1}
    assert [tuple(p) for p in pairs] == [("deal:d1", "deal:d2", 1), ("deal:d2", "deal:d1", 1)]
    await db.dispose()
