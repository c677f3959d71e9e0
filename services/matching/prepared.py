"""Statements built once and run many times. On the paths every event and every recommendation
takes, building a statement (its clauses, its cache key) costs as much as running it, so those
statements take their values as bound parameters and are built on first use; and they run on the
tables themselves, as Core statements, without the ORM's bulk inserts or its per-row loading."""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Table
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

S = TypeVar("S")


def per_dialect(build: Callable[[AsyncSession], S]) -> Callable[[AsyncSession], S]:
    """`build(session)` once per SQL dialect (an upsert is spelt per dialect), the same statement after."""
    built: dict[str, S] = {}

    def statement(session: AsyncSession) -> S:
        dialect = session.get_bind().dialect.name
        if dialect not in built:
            built[dialect] = build(session)
        return built[dialect]

    return statement


def table_of(model: type[SQLModel]) -> Table:
    """A model's table, for Core statements (SQLModel leaves `__table__` untyped)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table
