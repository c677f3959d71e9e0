"""The bus's own tables, present in every service's database: the outbox (events committed with
the state change that caused them, waiting for the relay), the inbox (ids of events already
applied, so a redelivery is a no-op) and the dead letters (events that could not be applied).

They are created by the "bus" Alembic branch (`shared/bus/migrations`), and each service adds
them to its metadata (`include_bus_tables`) so autogenerate sees the whole schema.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, Text

from shared.models import UTCDateTime

_metadata = MetaData()

outbox = Table(
    "bus_outbox",
    _metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("type", String(128), nullable=False),
    Column("correlation_id", String(128), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("published_at", UTCDateTime, nullable=True, index=True),
)

inbox = Table(
    "bus_inbox",
    _metadata,
    Column("event_id", String(64), primary_key=True),
    Column("type", String(128), nullable=False),
    Column("processed_at", UTCDateTime, nullable=False),
)

dead_letters = Table(
    "bus_dead_letters",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=True, index=True),
    Column("type", String(128), nullable=True),
    Column("stream", String(64), nullable=False),
    Column("stream_seq", Integer, nullable=True),
    Column("payload", Text, nullable=False),
    Column("error", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # dead | replayed | rejected
    Column("created_at", UTCDateTime, nullable=False),
    Column("replayed_at", UTCDateTime, nullable=True),
)

BUS_TABLES = (outbox, inbox, dead_letters)


def include_bus_tables(metadata: MetaData) -> None:
    for table in BUS_TABLES:
        table.to_metadata(metadata)
