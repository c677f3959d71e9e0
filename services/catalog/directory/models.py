"""The directory's tables and API models, after Open Referral HSDS where it fits: a provider
(HSDS organization) offers services (`Offering`) in the communities it is listed in (`Listing`,
which also carries the vetting state); HSDS's `metadata` table is the change log."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import StringConstraints, model_validator
from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlmodel import Column, Field

from services.catalog.base import CatalogModel
from services.catalog.directory import schedule
from services.catalog.directory.taxonomy import Category, Domain
from shared.fields import EntityId, Name
from shared.models import UTCDateTime, new_id, utcnow

Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 -]{4,19}$")]
Website = Annotated[str, StringConstraints(pattern=r"^https://[^\s]{1,300}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]

ProviderKind = Literal["organisation", "talent"]
PriceModel = Literal["fixed", "hourly", "quote", "free"]
OfferingStatus = Literal["active", "temporarily_closed", "inactive", "defunct"]
QualificationStatus = Literal["pending", "verified", "rejected", "expired"]
ListingState = Literal["applied", "under_review", "trial", "listed", "suspended", "terminated"]


# --------------------------------------------------------------------------------------------
# Providers


class ProviderBase(CatalogModel):
    kind: ProviderKind = Field(
        sa_type=String, description="organisation (a cleaning company, a clinic) or talent (能人: a resident's skill)"
    )
    name: Name
    description: str = Field(default="", max_length=1000)
    contact_phone: Phone = Field(description="For Linli and the leaders who vet the provider; never shown to residents")
    website: Website | None = None
    home_community_id: EntityId | None = Field(default=None, description="A talent's own community")


class ProviderCreate(ProviderBase):
    pass


class ProviderUpdate(CatalogModel):
    name: Name | None = None
    description: str | None = Field(default=None, max_length=1000)
    contact_phone: Phone | None = None
    website: Website | None = None


class Provider(ProviderBase, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    owner_id: str = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProviderPublic(CatalogModel):
    """What residents see: no phone, no owner."""

    id: str
    kind: str
    name: str
    description: str
    website: str | None
    home_community_id: str | None


class ProviderPrivate(ProviderPublic):
    """What the provider, operators and the leaders vetting it see."""

    owner_id: str
    contact_phone: str
    created_at: datetime
    updated_at: datetime


# --------------------------------------------------------------------------------------------
# Offerings (HSDS service)


class OfferingFields(CatalogModel):
    name: Name
    category: Category = Field(sa_type=String)
    description: str = Field(default="", max_length=2000)
    price_model: PriceModel = Field(sa_type=String)
    price_fen: int | None = Field(
        default=None, ge=0, le=100_000_000, description="In fen (分): per visit (fixed) or per hour (hourly)"
    )
    schedule: str | None = Field(
        default=None,
        max_length=1000,
        description="Slots as iCalendar recurrence (RFC 5545): DTSTART with a time zone, RRULE lines, "
        "optional EXDATE/RDATE, e.g. 'DTSTART;TZID=Asia/Shanghai:20261201T090000\\nRRULE:FREQ=WEEKLY;BYDAY=SA'. "
        "None: by inquiry",
    )
    slot_minutes: int = Field(default=60, ge=5, le=1440)
    capacity: int = Field(default=1, ge=1, le=1000, description="Bookings one slot takes")
    status: OfferingStatus = Field(default="active", sa_type=String)
    service_area: str = Field(default="", max_length=200, description="e.g. 阳光花园及周边 3 公里")
    min_age: int | None = Field(default=None, ge=0, le=120, description="Eligibility: youngest who may use it")
    max_age: int | None = Field(default=None, ge=0, le=120)
    accessibility: str = Field(default="", max_length=500, description="e.g. 可上门, 轮椅可达")
    free_cancellation_hours: int = Field(default=24, ge=0, le=720, description="Free until this long before a slot")
    late_cancellation_fee_fen: int | None = Field(default=None, ge=0, le=100_000_000)
    late_cancellation_fee_percent: int | None = Field(default=None, ge=0, le=100)

    @model_validator(mode="after")
    def _consistent(self) -> "OfferingFields":
        check_offering(self.model_dump())
        return self


def check_offering(fields: dict[str, Any], *, schedule_too: bool = True) -> None:
    """Rules across fields (ValueError), also applied to an update merged onto the stored offering
    (whose schedule, validated when written, is checked again only if the update changes it)."""
    priced = fields["price_model"] in ("fixed", "hourly")
    if priced and not fields["price_fen"]:
        raise ValueError(f"a {fields['price_model']} price needs price_fen above 0")
    if not priced and fields["price_fen"] not in (None, 0):
        raise ValueError(f"a {fields['price_model']} offering has no price_fen")
    if fields["min_age"] is not None and fields["max_age"] is not None and fields["min_age"] > fields["max_age"]:
        raise ValueError("min_age is above max_age")
    if fields["late_cancellation_fee_fen"] is not None and fields["late_cancellation_fee_percent"] is not None:
        raise ValueError("a late cancellation fee is in fen or in percent, not both")
    if schedule_too and fields["schedule"] is not None:
        schedule.parse(fields["schedule"], now=utcnow())


class OfferingCreate(OfferingFields):
    provider_id: EntityId


class OfferingUpdate(CatalogModel):
    """Fields to change; null clears the optional ones."""

    name: Name | None = None
    category: Category | None = None
    description: str | None = Field(default=None, max_length=2000)
    price_model: PriceModel | None = None
    price_fen: int | None = Field(default=None, ge=0, le=100_000_000)
    schedule: str | None = Field(default=None, max_length=1000)
    slot_minutes: int | None = Field(default=None, ge=5, le=1440)
    capacity: int | None = Field(default=None, ge=1, le=1000)
    status: OfferingStatus | None = None
    service_area: str | None = Field(default=None, max_length=200)
    min_age: int | None = Field(default=None, ge=0, le=120)
    max_age: int | None = Field(default=None, ge=0, le=120)
    accessibility: str | None = Field(default=None, max_length=500)
    free_cancellation_hours: int | None = Field(default=None, ge=0, le=720)
    late_cancellation_fee_fen: int | None = Field(default=None, ge=0, le=100_000_000)
    late_cancellation_fee_percent: int | None = Field(default=None, ge=0, le=100)


class Offering(OfferingFields, table=True):
    __table_args__ = (Index("ix_offering_provider_status", "provider_id", "status"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    provider_id: str = Field(foreign_key="provider.id")
    regulated_domain: str = ""  # "" or the domain whose verified papers the provider needs
    rating_avg: float = 0.0  # of its reviews; 0 until the first
    rating_count: int = 0
    assured_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # HSDS assured_date
    assured_by: str | None = None
    slots_until: datetime | None = Field(default=None, sa_type=UTCDateTime)  # slots stored up to here
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OfferingPublic(CatalogModel):
    id: str
    provider_id: str
    name: str
    category: str
    category_label: str
    description: str
    price_model: str
    price_fen: int | None
    schedule: str | None
    slot_minutes: int
    capacity: int
    status: str
    service_area: str
    min_age: int | None
    max_age: int | None
    accessibility: str
    free_cancellation_hours: int
    late_cancellation_fee_fen: int | None
    late_cancellation_fee_percent: int | None
    rating_avg: float
    rating_count: int
    assured_at: datetime | None = Field(description="When a leader or operator last checked it (HSDS assured_date)")
    assured_by: str | None
    updated_at: datetime


class OfferingTerm(CatalogModel, table=True):
    """A search term of an offering's name, description, category and provider name."""

    term: str = Field(primary_key=True)
    offering_id: str = Field(primary_key=True, foreign_key="offering.id")


class OfferingSlot(CatalogModel, table=True):
    """A start of a slot from the offering's schedule, stored for the next horizon."""

    offering_id: str = Field(primary_key=True, foreign_key="offering.id")
    starts_at: datetime = Field(primary_key=True, sa_type=UTCDateTime)


# --------------------------------------------------------------------------------------------
# Change log (HSDS metadata)


class Change(CatalogModel, table=True):
    __table_args__ = (Index("ix_change_resource", "resource", "resource_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    resource: str  # provider | offering
    resource_id: str
    field: str
    old_value: Any = Field(default=None, sa_column=Column(JSON))
    new_value: Any = Field(default=None, sa_column=Column(JSON))
    changed_by: str
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ChangePublic(CatalogModel):
    field: str
    old_value: Any
    new_value: Any
    changed_by: str
    changed_at: datetime


# --------------------------------------------------------------------------------------------
# Qualifications


class QualificationCreate(CatalogModel):
    domain: Domain = Field(
        sa_type=String, description="The regulated domain the papers allow: health, finance, education"
    )
    kind: Text = Field(max_length=40, description="e.g. 医疗机构执业许可证, 教师资格证")
    number: Text = Field(max_length=64)
    issuer: Text = Field(max_length=80, description="e.g. 浦东新区卫生健康委员会")
    valid_until: date

    @model_validator(mode="after")
    def _not_expired(self) -> "QualificationCreate":
        if self.valid_until < utcnow().date():
            raise ValueError("valid_until is in the past: these papers have expired")
        return self


class Qualification(QualificationCreate, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    provider_id: str = Field(foreign_key="provider.id", index=True)
    status: str = "pending"
    uploaded_by: str
    decided_by: str | None = None
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class QualificationPublic(CatalogModel):
    id: str
    provider_id: str
    domain: str
    kind: str
    number: str
    issuer: str
    valid_until: date
    status: QualificationStatus
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime


class Decision(CatalogModel):
    verified: bool
    note: str = Field(default="", max_length=500)


# --------------------------------------------------------------------------------------------
# Listings: a provider in a community, and its vetting


class ListingCreate(CatalogModel):
    provider_id: EntityId
    community_id: EntityId
    message: str = Field(default="", max_length=500, description="To the leader: why, what you offer here")


class Listing(CatalogModel, table=True):
    __table_args__ = (
        UniqueConstraint("provider_id", "community_id", name="uq_listing_provider_community"),
        Index("ix_listing_community_state_provider", "community_id", "state", "provider_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True)
    provider_id: str = Field(foreign_key="provider.id")
    community_id: str
    state: str = "applied"
    trial_note: str | None = None
    trial_note_by: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ListingPublic(CatalogModel):
    id: str
    provider_id: str
    community_id: str
    state: ListingState
    trial_note: str | None
    trial_note_by: str | None
    created_at: datetime
    updated_at: datetime


class TransitionRequest(CatalogModel):
    to: ListingState
    reason: Text


class TrialNote(CatalogModel):
    note: str = Field(min_length=1, max_length=1000, description="How the leader's own try of the service went")


class ListingTransition(CatalogModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    listing_id: str = Field(foreign_key="listing.id", index=True)
    from_state: str | None
    to_state: str
    actor_id: str | None  # None: Linli itself (complaints, expired papers)
    actor_role: str  # provider | leader | operator | system
    reason: str
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TransitionPublic(CatalogModel):
    from_state: str | None
    to_state: str
    actor_id: str | None
    actor_role: str
    reason: str
    at: datetime


class ComplaintCreate(CatalogModel):
    reason: Text


class Complaint(CatalogModel, table=True):
    __table_args__ = (Index("ix_complaint_listing_status", "listing_id", "status"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    listing_id: str = Field(foreign_key="listing.id")
    community_id: str
    resident_id: str
    reason: str
    status: str = "open"  # open | resolved
    resolved_by: str | None = None
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ComplaintPublic(CatalogModel):
    id: str
    listing_id: str
    community_id: str
    resident_id: str
    reason: str
    status: str
    resolved_by: str | None
    resolved_at: datetime | None
    resolution: str | None
    created_at: datetime


class Resolution(CatalogModel):
    note: Text


# --------------------------------------------------------------------------------------------
# Reviews, from orders' bookings


class Review(CatalogModel, table=True):
    """A resident's review of a completed booking, as orders announced it: one per booking (so a
    redelivered or replayed event never counts twice), and never who wrote it."""

    __table_args__ = (Index("ix_review_offering_reviewed", "offering_id", "reviewed_at", "booking_id"),)

    booking_id: str = Field(primary_key=True)
    offering_id: str = Field(foreign_key="offering.id")
    provider_id: str
    community_id: str
    rating: int
    text: str
    reviewed_at: datetime = Field(sa_type=UTCDateTime)
    reply: str | None = None  # the provider's one reply
    replied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReviewPublic(CatalogModel):
    rating: int
    text: str
    reviewed_at: datetime
    reply: str | None
    replied_at: datetime | None


# --------------------------------------------------------------------------------------------
# Endorsements


class EndorsementCreate(CatalogModel):
    provider_id: EntityId
    community_id: EntityId
    note: str = Field(min_length=1, max_length=200, description="The leader's own words, e.g. 我家用了三年, 靠谱")


class Endorsement(CatalogModel, table=True):
    __table_args__ = (Index("ix_endorsement_community_provider", "community_id", "provider_id"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    provider_id: str = Field(foreign_key="provider.id")
    community_id: str
    leader_id: str
    note: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_by: str | None = None


class EndorsementPublic(CatalogModel):
    id: str
    provider_id: str
    community_id: str
    leader_id: str
    note: str
    created_at: datetime
    withdrawn_at: datetime | None


# --------------------------------------------------------------------------------------------
# Communities known from community's events


class KnownCommunity(CatalogModel, table=True):
    id: str = Field(primary_key=True)
    name: str
