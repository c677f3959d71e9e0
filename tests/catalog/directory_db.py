"""The directory's rules called directly against a real catalog database (the `db` fixture of
tests/catalog/conftest.py): a provider listed in COMMUNITY through the service functions, and
what the database then holds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from services.catalog.directory import offerings, providers, qualifications, vetting
from services.catalog.directory.models import (
    Decision,
    Listing,
    ListingCreate,
    ListingTransition,
    OfferingCreate,
    ProviderCreate,
    QualificationCreate,
    TransitionRequest,
)
from shared.auth import LEADER, Principal
from shared.bus.tables import outbox
from shared.db import Database
from shared.models import new_id, utcnow
from tests import factories

COMMUNITY = new_id()
OWNER = Principal(user_id=new_id())
LEADER_OF = Principal(user_id=new_id(), roles={COMMUNITY: [LEADER]})
OPERATOR = Principal(user_id=new_id(), operator=True)


@dataclass(frozen=True)
class Listed:
    provider_id: str
    offering_id: str
    listing_id: str
    papers: list[str]  # qualification ids, in the order of `papers_days`


async def listed_provider(db: Database, *, papers_days: Sequence[int] = (), **offering: Any) -> Listed:
    """A provider with one offering (factories.offering_body with `offering`), verified health papers
    valid for each of `papers_days`, applied, reviewed, tried and listed in COMMUNITY."""
    async with db.session() as s:
        provider = await providers.register(
            s, principal=OWNER, data=ProviderCreate(kind="organisation", name="安心服务站", contact_phone="+862112345")
        )
        body = factories.offering_body(provider.id, **offering)
        created = await offerings.create(s, principal=OWNER, data=OfferingCreate.model_validate(body))
        papers = []
        for days in papers_days:
            data = QualificationCreate(
                domain="health",
                kind="护士执业证书",
                number=f"N-{days}",
                issuer="卫健委",
                valid_until=(utcnow() + timedelta(days=days)).date(),
            )
            q = await qualifications.submit(s, principal=OWNER, provider_id=provider.id, data=data)
            await qualifications.decide(s, principal=OPERATOR, qualification_id=q.id, decision=Decision(verified=True))
            papers.append(q.id)
        listing = await vetting.apply(
            s, principal=OWNER, data=ListingCreate(provider_id=provider.id, community_id=COMMUNITY)
        )
        for to in ("under_review", "trial"):
            await vetting.transition(
                s, principal=LEADER_OF, listing_id=listing.id, request=TransitionRequest(to=to, reason="审核")
            )
        await vetting.write_trial_note(s, principal=LEADER_OF, listing_id=listing.id, note="服务专业")
        await vetting.transition(
            s, principal=LEADER_OF, listing_id=listing.id, request=TransitionRequest(to="listed", reason="好")
        )
        await s.commit()
    return Listed(provider_id=provider.id, offering_id=created.id, listing_id=listing.id, papers=papers)


async def state_of(db: Database, listing_id: str) -> str:
    async with db.session() as s:
        listing = await s.get(Listing, listing_id)
        assert listing is not None
        return listing.state


async def last_move(db: Database, listing_id: str) -> ListingTransition:
    async with db.session() as s:
        query = (
            select(ListingTransition)
            .where(ListingTransition.listing_id == listing_id)
            .order_by(col(ListingTransition.id).desc())
        )
        last = (await s.exec(query)).first()
    assert last is not None
    return last


async def published(db: Database, type_: str) -> int:
    """How many events of `type_` the outbox holds."""
    async with db.session() as s:
        return int((await s.execute(select(func.count()).where(outbox.c.type == type_))).scalar_one())
