from datetime import date

from pydantic import Field

from shared.events.envelope import EventData, event_type


@event_type("catalog.product.created")
class ProductCreated(EventData):
    """A leader added a product to the catalogue; its tags feed interest matching."""

    product_id: str
    name: str
    unit: str
    tags: list[str]
    images: list[str] = []  # added later: photo URLs, the first is the cover (older events: none)


# The service directory: providers, their offerings, qualifications, vetting per community, endorsements.


@event_type("catalog.provider.registered")
class ProviderRegistered(EventData):
    """An organisation or a resident talent (能人) registered as a provider of services."""

    provider_id: str
    kind: str  # organisation | talent
    name: str


@event_type("catalog.provider.updated")
class ProviderUpdated(EventData):
    """A provider's details changed; `changed` names the fields (the change log has who and what)."""

    provider_id: str
    name: str
    changed: list[str]


class OfferingSnapshot(EventData):
    """An offering as bookings need it: price, slots (RFC 5545 recurrence), capacity, cancellation terms."""

    offering_id: str
    provider_id: str
    name: str
    category: str
    price_model: str  # fixed | hourly | quote | free
    price_fen: int | None
    schedule: str | None
    slot_minutes: int = Field(ge=0)
    capacity: int = Field(ge=0)
    status: str  # active | temporarily_closed | inactive | defunct
    description: str = ""  # what the provider says of it (matched against residents' needs)
    free_cancellation_hours: int = Field(ge=0)
    late_cancellation_fee_fen: int | None
    late_cancellation_fee_percent: int | None


@event_type("catalog.offering.created")
class OfferingCreated(OfferingSnapshot):
    """A provider described a service it offers (HSDS service)."""


@event_type("catalog.offering.updated")
class OfferingUpdated(OfferingSnapshot):
    """An offering changed (or was assured by a leader or operator); `changed` names the fields."""

    changed: list[str]


class ListingMoved(EventData):
    """A provider's listing in a community moved along the vetting workflow."""

    listing_id: str
    provider_id: str
    community_id: str
    from_state: str | None
    reason: str


@event_type("catalog.listing.applied")
class ListingApplied(ListingMoved):
    """A provider applied to be listed in a community; its leader vets it."""


@event_type("catalog.listing.under_review")
class ListingUnderReview(ListingMoved):
    """A listing is under review: by the leader, or again because complaints or low ratings passed their
    thresholds."""


@event_type("catalog.listing.trial")
class ListingOnTrial(ListingMoved):
    """The leader is trying the provider's service before listing it."""


@event_type("catalog.listing.listed")
class ListingListed(ListingMoved):
    """A provider is listed in a community: residents find and book it."""


@event_type("catalog.listing.suspended")
class ListingSuspended(ListingMoved):
    """A listing is suspended (by a leader, an operator, or expired papers): it takes no new bookings."""


@event_type("catalog.listing.terminated")
class ListingTerminated(ListingMoved):
    """A listing ended for good (declined or ended by a leader or an operator, or withdrawn by the provider)."""


@event_type("catalog.complaint.filed")
class ComplaintFiled(EventData):
    """A resident complained about a listed provider in their community (who is not said);
    `open_complaints` counts the listing's open complaints, this one included."""

    complaint_id: str
    listing_id: str
    provider_id: str
    community_id: str
    open_complaints: int = Field(ge=1)


class QualificationFact(EventData):
    qualification_id: str
    provider_id: str
    domain: str  # health | finance | education
    valid_until: date


@event_type("catalog.qualification.submitted")
class QualificationSubmitted(QualificationFact):
    """A provider filed papers (a licence, a certificate) for a regulated domain; an operator checks them."""


@event_type("catalog.qualification.verified")
class QualificationVerified(QualificationFact):
    """An operator verified a provider's papers."""


@event_type("catalog.qualification.rejected")
class QualificationRejected(QualificationFact):
    """An operator rejected a provider's papers."""


@event_type("catalog.qualification.expired")
class QualificationExpired(QualificationFact):
    """A provider's verified papers ran out; its listings that needed them are suspended."""


@event_type("catalog.endorsement.added")
class EndorsementAdded(EventData):
    """A leader endorsed a listed provider for their community, in their own words."""

    endorsement_id: str
    provider_id: str
    community_id: str
    leader_id: str
    note: str


@event_type("catalog.endorsement.withdrawn")
class EndorsementWithdrawn(EventData):
    """A leader's endorsement was withdrawn."""

    endorsement_id: str
    provider_id: str
    community_id: str
    leader_id: str


@event_type("catalog.search.unanswered")
class SearchUnanswered(EventData):
    """A member searched their community's directory and found nothing: a sign of demand the directory
    does not meet. Announced at most once per person, community and search a day."""

    community_id: str
    user_id: str
    category: str | None = None  # the category searched in, if any
    q: str | None = None  # the words searched for, if any
