"""Who changed which field when (HSDS keeps a metadata table; so does Linli): every update of a
provider or an offering goes through `apply`, which writes one row per field it changed."""

from datetime import date, datetime
from typing import Any, Literal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.directory.models import Change, Offering, Provider
from shared.models import utcnow

Resource = Literal["provider", "offering"]


async def apply(
    session: AsyncSession, row: Provider | Offering, changes: dict[str, Any], *, resource: Resource, actor_id: str
) -> list[str]:
    """Set the fields that differ, log each, and return their names."""
    changed = []
    for field, new in changes.items():
        old = getattr(row, field)
        if old == new:
            continue
        setattr(row, field, new)
        session.add(
            Change(
                resource=resource,
                resource_id=row.id,
                field=field,
                old_value=_plain(old),
                new_value=_plain(new),
                changed_by=actor_id,
            )
        )
        changed.append(field)
    if changed:
        row.updated_at = utcnow()
        session.add(row)
    return changed


async def history(
    session: AsyncSession, *, resource: Resource, resource_id: str, limit: int, offset: int
) -> list[Change]:
    query = (
        select(Change)
        .where(Change.resource == resource, Change.resource_id == resource_id)
        .order_by(col(Change.id))
        .offset(offset)
        .limit(limit)
    )
    return list((await session.exec(query)).all())


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value
