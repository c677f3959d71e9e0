"""Orders' migrations carry real data forward: a database filled at the first revision upgrades
to today's schema with its rows intact and every reference whole."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from services.orders.models import metadata
from shared import migrations
from shared.db import Database, create_engine
from tests.databases import Databases


def first_revision() -> str:
    script = ScriptDirectory.from_config(migrations.alembic_config("orders", metadata))
    return next(r.revision for r in script.walk_revisions() if "orders" in r.branch_labels and r.down_revision is None)


async def test_an_old_database_with_orders_upgrades_intact(databases: Databases) -> None:
    db = Database(await databases.new("orders"))
    engine = create_engine(db.url, foreign_keys=False)

    def to_first(connection: Connection) -> None:
        cfg = migrations.alembic_config("orders", metadata)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, first_revision())
        connection.execute(
            text(
                "INSERT INTO deal (id, community_id, product_id, product_name, tags, price_fen, stock, sold, "
                "per_person_limit, status, closes_at, created_by, created_at) VALUES ('d1', 'c1', 'p1', '米粉', "
                "'[]', 100, 10, 3, 5, 'open', '2099-01-01 00:00:00+00:00', 'u1', '2026-01-01 00:00:00+00:00')"
            )
        )
        for order_id, status in (("o1", "paid"), ("o2", "pending_payment")):
            connection.execute(
                text(
                    'INSERT INTO "order" (id, deal_id, community_id, buyer_id, quantity, unit_price_fen, amount_fen, '
                    "status, created_at) "
                    "VALUES (:id, 'd1', 'c1', 'b1', 1, 100, 100, :status, '2026-01-01 00:00:00+00:00')"
                ),
                {"id": order_id, "status": status},
            )

    async with engine.begin() as conn:
        await conn.run_sync(to_first)
    await engine.dispose()

    await migrations.upgrade(db, "orders", metadata)

    async with db.engine.connect() as conn:
        deal = (await conn.execute(text("SELECT sold, pickup_point_ids, opens_at FROM deal"))).one()
        orders = (await conn.execute(text('SELECT id, status, reserved_until FROM "order" ORDER BY id'))).all()
        served = (await conn.execute(text("SELECT deal_id, community_id FROM dealcommunity"))).all()
    assert deal.sold == 1, "sold is recomputed from paid orders"
    assert deal.opens_at is not None and deal.pickup_point_ids in ("[]", [])
    assert [(o.id, o.status) for o in orders] == [("o1", "paid"), ("o2", "pending_payment")]
    assert all(o.reserved_until is not None for o in orders)
    assert [tuple(row) for row in served] == [("d1", "c1")], "a deal serves its own community"
    await db.dispose()
