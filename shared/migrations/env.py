"""Alembic environment shared by every service; the connection and metadata come from the caller
(`shared.migrations.upgrade` / `revision`), so there is no ini file and no URL here."""

from typing import Any

from alembic import context

from shared.models import UTCDateTime


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Migrations must not import application code: our column types render as plain SQLAlchemy.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=config.attributes["metadata"],
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
