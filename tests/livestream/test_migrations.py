"""Livestream's migrations carry sessions scheduled before the live room forward, with the room's
defaults (community-only, no slow mode, no words filtered)."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from services.livestream.models import metadata
from shared import migrations
from shared.db import Database, create_engine
from tests.databases import Databases


def first_revision() -> str:
    script = ScriptDirectory.from_config(migrations.alembic_config("livestream", metadata))
    return next(
        r.revision for r in script.walk_revisions() if "livestream" in r.branch_labels and r.down_revision is None
    )


async def test_a_session_from_before_the_room_upgrades_intact(databases: Databases) -> None:
    db = Database(await databases.new("livestream"))
    engine = create_engine(db.url, foreign_keys=False)

    def to_first(connection: Connection) -> None:
        cfg = migrations.alembic_config("livestream", metadata)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, first_revision())
        connection.execute(
            text(
                "INSERT INTO livesession (id, community_id, host_id, title, kind, planned_start, topics, status, "
                "created_at) VALUES ('s1', 'c1', 'h1', '辅食课', 'expert_talk', '2099-01-01 00:00:00+00:00', "
                "'[\"parenting\"]', 'scheduled', '2026-01-01 00:00:00+00:00')"
            )
        )

    async with engine.begin() as conn:
        await conn.run_sync(to_first)
    await engine.dispose()

    await migrations.upgrade(db, "livestream", metadata)

    async with db.engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT title, community_only, peak_viewers, slow_mode_seconds, blocked_words, lead_keywords "
                    "FROM livesession"
                )
            )
        ).one()
    assert row.title == "辅食课" and bool(row.community_only) is True
    assert (row.peak_viewers, row.slow_mode_seconds) == (0, 0)
    assert row.blocked_words in ("[]", []) and row.lead_keywords in ("[]", [])
    await db.dispose()
