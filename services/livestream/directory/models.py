from datetime import date, datetime

from sqlmodel import Field

from services.livestream.base import LivestreamModel
from shared.models import UTCDateTime


class KnownProvider(LivestreamModel, table=True):
    """Read model of catalog's providers (`catalog.provider.registered`/`.updated`): their names."""

    id: str = Field(primary_key=True)
    name: str
    kind: str
    as_of: datetime = Field(sa_type=UTCDateTime)


class KnownOffering(LivestreamModel, table=True):
    """Read model of catalog's offerings (`catalog.offering.*` snapshots): what a service card shows."""

    id: str = Field(primary_key=True)
    provider_id: str = Field(index=True)
    name: str
    category: str
    price_model: str
    price_fen: int | None
    status: str
    as_of: datetime = Field(sa_type=UTCDateTime)


class KnownListing(LivestreamModel, table=True):
    """Read model of catalog's listings: a provider's vetting state in a community (on air only while listed)."""

    provider_id: str = Field(primary_key=True)
    community_id: str = Field(primary_key=True)
    state: str
    as_of: datetime = Field(sa_type=UTCDateTime)


class KnownQualification(LivestreamModel, table=True):
    """Read model of catalog's qualifications: verified papers make the credential badge."""

    id: str = Field(primary_key=True)
    provider_id: str = Field(index=True)
    domain: str
    valid_until: date
    status: str  # submitted | verified | rejected | expired
    as_of: datetime = Field(sa_type=UTCDateTime)


class KnownEndorsement(LivestreamModel, table=True):
    """Read model of catalog's endorsements: a leader vouches for a provider in their community."""

    id: str = Field(primary_key=True)
    provider_id: str = Field(index=True)
    community_id: str
    leader_id: str
    note: str
    withdrawn: bool = False
    at: datetime = Field(sa_type=UTCDateTime)
