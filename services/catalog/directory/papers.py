"""Regulated categories (health, finance, education) need papers: a qualification for the domain
that an operator verified and that has not expired."""

from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.directory.models import Offering, Qualification
from shared.errors import Unprocessable

VERIFIED = "verified"


async def domains_covered(session: AsyncSession, provider_id: str, *, today: date) -> set[str]:
    rows = await session.exec(
        select(Qualification.domain).where(
            Qualification.provider_id == provider_id,
            Qualification.status == VERIFIED,
            col(Qualification.valid_until) >= today,
        )
    )
    return set(rows.all())


async def domains_needed(session: AsyncSession, provider_id: str) -> set[str]:
    rows = await session.exec(
        select(Offering.regulated_domain).where(
            Offering.provider_id == provider_id, Offering.regulated_domain != "", Offering.status != "defunct"
        )
    )
    return set(rows.all())


async def missing(session: AsyncSession, provider_id: str, *, today: date, needed: set[str] | None = None) -> set[str]:
    """Domains the provider's offerings (or `needed`) are in without papers."""
    needed = await domains_needed(session, provider_id) if needed is None else needed
    return needed - await domains_covered(session, provider_id, today=today) if needed else set()


async def require(session: AsyncSession, provider_id: str, *, today: date, needed: set[str] | None = None) -> None:
    if lacking := await missing(session, provider_id, today=today, needed=needed):
        raise Unprocessable(
            f"regulated categories ({', '.join(sorted(lacking))}) need a qualification verified by an operator"
            " and still valid",
            missing_domains=sorted(lacking),
        )
