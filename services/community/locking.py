"""A row read afresh under its lock (SELECT … FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE
already excludes other writers): what a change that counts or changes state reads first, so two
requests at once never both see the old state."""

from typing import Any, TypeVar

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.errors import NotFound

T = TypeVar("T")


async def locked(session: AsyncSession, model: type[T], id_: str, *, label: str) -> T:
    key: Any = model.id  # type: ignore[attr-defined]
    query = select(model).where(key == id_).with_for_update().execution_options(populate_existing=True)
    row = (await session.exec(query)).first()
    if row is None:
        raise NotFound(f"{label} {id_} does not exist")
    return row
