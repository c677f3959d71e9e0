"""Search and browse for residents: the active offerings of providers listed in their community,
by category, words (segmented as the offerings' texts were), minimum rating and availability (a
stored slot in a window), in a stable order (best rated first, then by id), a page at a time.

One indexed query per page: listings by (community, state, provider), offerings by (provider,
status), a term and a slot probe per offering by primary key, papers by provider. Then two small
queries for the page's endorsements and next slots.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import ColumnElement, exists, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from services.catalog.directory import endorsements, schedule
from services.catalog.directory.access import LISTED
from services.catalog.directory.models import (
    Endorsement,
    Listing,
    Offering,
    OfferingSlot,
    OfferingTerm,
    Provider,
    ProviderPublic,
    Qualification,
)
from services.catalog.directory.papers import VERIFIED
from services.catalog.directory.taxonomy import Category, label_of
from shared import segmenter
from shared.auth import Principal
from shared.errors import Unprocessable
from shared.models import utcnow

MAX_WINDOW = timedelta(days=31)
# Where a resident books a slot or asks about a service: bookings and inquiries are orders'
# resources behind the gateway. Never a phone number.
BOOK, INQUIRE = "/api/v1/bookings?offering_id={id}", "/api/v1/inquiries?offering_id={id}"


class SearchQuery(BaseModel):
    community_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    category: Category | None = None
    q: str | None = Field(default=None, min_length=1, max_length=50, description="Words, e.g. 上门保洁, 钢琴")
    min_rating: float | None = Field(default=None, ge=0, le=5)
    available_from: datetime | None = Field(default=None, description="With available_to: has a slot in the window")
    available_to: datetime | None = None
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=10_000)

    @model_validator(mode="after")
    def _window(self) -> "SearchQuery":
        start, end = self.available_from, self.available_to
        if (start is None) != (end is None):
            raise ValueError("give both available_from and available_to, or neither")
        if start is not None and end is not None:
            if start.tzinfo is None or end.tzinfo is None:
                raise ValueError("availability times need a time zone (e.g. 2026-12-01T09:00:00+08:00)")
            if not start < end <= start + MAX_WINDOW:
                raise ValueError(f"the availability window is from before to, at most {MAX_WINDOW.days} days")
            if end > utcnow() + schedule.HORIZON:
                raise ValueError(f"availability is known for the next {schedule.HORIZON.days} days")
        return self


class Reach(BaseModel):
    """How to reach the provider through Linli: book a slot, or send an inquiry."""

    action: Literal["book", "inquire"]
    href: str


class EndorsementNote(BaseModel):
    endorsement_id: str
    leader_id: str
    note: str
    created_at: datetime


class DirectoryEntry(BaseModel):
    offering_id: str
    name: str
    category: str
    category_label: str
    description: str
    price_model: str
    price_fen: int | None
    slot_minutes: int
    service_area: str
    min_age: int | None
    max_age: int | None
    accessibility: str
    free_cancellation_hours: int
    rating_avg: float
    rating_count: int
    assured_at: datetime | None
    next_slot_at: datetime | None = Field(description="The first slot from now (or in the asked window)")
    provider: ProviderPublic
    endorsements: list[EndorsementNote] = Field(description="The community's leaders vouching for the provider")
    reach: Reach


class SearchPage(BaseModel):
    items: list[DirectoryEntry]
    next_offset: int | None = Field(description="Offset of the next page; null on the last page")


async def search(session: AsyncSession, *, principal: Principal, query: SearchQuery) -> SearchPage:
    principal.require_member(query.community_id)
    now = utcnow()
    stmt = (
        cards(slots_from=query.available_from or now)
        .join(Listing, col(Listing.provider_id) == col(Offering.provider_id))
        .where(col(Listing.community_id) == query.community_id, col(Listing.state) == LISTED, *visible(now))
    )
    if query.category is not None:
        stmt = stmt.where(col(Offering.category) == query.category)
    if query.min_rating is not None:
        stmt = stmt.where(col(Offering.rating_avg) >= query.min_rating)
    if query.q is not None:
        terms = sorted(await segmenter.terms(query.q))[: segmenter.MAX_QUERY_TERMS]
        if not terms:
            raise Unprocessable("q has no words to search for")
        stmt = stmt.where(*(_has_term(term) for term in terms))
    if query.available_from is not None and query.available_to is not None:
        stmt = stmt.where(
            exists().where(
                col(OfferingSlot.offering_id) == col(Offering.id),
                col(OfferingSlot.starts_at) >= query.available_from,
                col(OfferingSlot.starts_at) < query.available_to,
            )
        )
    stmt = stmt.order_by(col(Offering.rating_avg).desc(), col(Offering.rating_count).desc(), col(Offering.id))
    rows = list((await session.exec(stmt.offset(query.offset).limit(query.limit + 1))).all())
    more = len(rows) > query.limit
    items = await entries(session, rows[: query.limit], community_id=query.community_id)
    return SearchPage(items=items, next_offset=query.offset + query.limit if more else None)


def cards(*, slots_from: datetime) -> Select[Offering, Provider, Any]:
    """Offerings with their provider and their first slot from `slots_from`, to filter and order."""
    next_slot = (
        select(func.min(OfferingSlot.starts_at))
        .where(col(OfferingSlot.offering_id) == col(Offering.id), col(OfferingSlot.starts_at) >= slots_from)
        .scalar_subquery()
    )
    return select(Offering, Provider, next_slot).join(Provider, col(Provider.id) == col(Offering.provider_id))


def visible(now: datetime) -> list[ColumnElement[bool]]:
    """Offerings residents may find: active, and with papers if their category is regulated."""
    papers_ok = exists().where(
        col(Qualification.provider_id) == col(Offering.provider_id),
        col(Qualification.domain) == col(Offering.regulated_domain),
        col(Qualification.status) == VERIFIED,
        col(Qualification.valid_until) >= now.date(),
    )
    return [col(Offering.status) == "active", (col(Offering.regulated_domain) == "") | papers_ok]


def reach_of(offering: Offering) -> Reach:
    if offering.schedule is not None and offering.price_model != "quote":
        return Reach(action="book", href=BOOK.format(id=offering.id))
    return Reach(action="inquire", href=INQUIRE.format(id=offering.id))


async def entries(session: AsyncSession, rows: Sequence[Any], *, community_id: str) -> list[DirectoryEntry]:
    """Directory entries of `cards` rows, with the community's endorsements of their providers."""
    if not rows:
        return []
    notes: dict[str, list[Endorsement]] = {}
    provider_ids = sorted({provider.id for _, provider, _ in rows})
    for endorsement in await endorsements.active(session, community_id=community_id, provider_ids=provider_ids):
        notes.setdefault(endorsement.provider_id, []).append(endorsement)
    return [
        DirectoryEntry(
            **offering.model_dump(exclude={"id"}),
            offering_id=offering.id,
            category_label=label_of(offering.category),
            next_slot_at=next_slot,
            provider=ProviderPublic.model_validate(provider, from_attributes=True),
            endorsements=[
                EndorsementNote(endorsement_id=e.id, leader_id=e.leader_id, note=e.note, created_at=e.created_at)
                for e in notes.get(provider.id, [])
            ],
            reach=reach_of(offering),
        )
        for offering, provider, next_slot in rows
    ]


def _has_term(term: str) -> ColumnElement[bool]:
    return exists().where(col(OfferingTerm.term) == term, col(OfferingTerm.offering_id) == col(Offering.id))
