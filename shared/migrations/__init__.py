"""Alembic, set up once for every service.

One environment (`env.py`, `script.py.mako` here) and two version branches per database: "bus"
(`shared/bus/migrations`: outbox, inbox, dead letters) and the service's own
(`services/<name>/migrations`). `upgrade` brings a database to all heads; `shared.serve` runs it
before every start, under a PostgreSQL advisory lock so that replicas starting together migrate once.

    python -m shared.migrations revision orders "add refunds"   # autogenerate a migration
    python -m shared.migrations upgrade orders                  # apply, using the service's settings
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from shared.db import Database, create_engine

ROOT = Path(__file__).resolve().parents[1].parent
HERE = Path(__file__).resolve().parent
BUS_VERSIONS = ROOT / "shared" / "bus" / "migrations"


def service_versions(service: str) -> Path:
    return ROOT / "services" / service / "migrations"


def alembic_config(service: str, metadata: MetaData) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("version_locations", f"{BUS_VERSIONS} {service_versions(service)}")
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["metadata"] = metadata
    return cfg


async def upgrade(db: Database, service: str, metadata: MetaData) -> None:
    cfg = alembic_config(service, metadata)

    def run(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            # Several instances starting at once: one migrates, the others wait and find nothing to do.
            # (crc32, not hash(): the key must be the same in every process.)
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({zlib.crc32(service.encode())})")
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")
        if connection.dialect.name == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left rows with dangling references: {broken[:5]}")

    # Foreign keys off on SQLite while migrating (checked above before commit); see create_engine.
    engine = create_engine(db.url, foreign_keys=False)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(run)
    finally:
        await engine.dispose()


async def revision(service: str, metadata: MetaData, message: str) -> None:
    """Autogenerate the next migration of `service` against a scratch database at today's heads."""
    cfg = alembic_config(service, metadata)
    versions = service_versions(service)
    versions.mkdir(parents=True, exist_ok=True)
    labels = {label for rev in ScriptDirectory.from_config(cfg).walk_revisions() for label in rev.branch_labels}
    has_branch = service in labels
    with tempfile.TemporaryDirectory() as scratch:
        db = Database(f"sqlite+aiosqlite:///{scratch}/scratch.db")
        await upgrade(db, service, metadata)

        def run(connection: Connection) -> None:
            cfg.attributes["connection"] = connection
            command.revision(
                cfg,
                message=message,
                autogenerate=True,
                head=f"{service}@head" if has_branch else "base",
                branch_label=None if has_branch else service,
                version_path=str(versions),
            )

        async with db.engine.begin() as conn:
            await conn.run_sync(run)
        await db.dispose()


def _service_metadata(service: str) -> MetaData:
    import importlib

    return importlib.import_module(f"services.{service}.models").metadata  # type: ignore[no-any-return]


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[0] not in ("revision", "upgrade"):
        raise SystemExit(__doc__)
    action, service = argv[0], argv[1]
    metadata = _service_metadata(service)
    if action == "revision":
        asyncio.run(revision(service, metadata, argv[2] if len(argv) > 2 else "change"))
        for fix in (["check", "--fix", "-q"], ["format", "-q"]):
            subprocess.run([sys.executable, "-m", "ruff", *fix, str(service_versions(service))], check=False)
    else:
        import importlib

        settings = importlib.import_module(f"services.{service}.settings").Settings()
        db = Database(settings.database_url)
        asyncio.run(upgrade(db, service, metadata))
