from datetime import datetime

from sqlmodel import Field

from services.orders.base import OrdersModel
from shared.models import UTCDateTime


class KnownOffering(OrdersModel, table=True):
    """Read model of catalog's offerings (`catalog.offering.created`/`.updated` snapshots): what a
    booking needs of one — its slots (RFC 5545 schedule, length, capacity), price and cancellation terms."""

    id: str = Field(primary_key=True)
    provider_id: str = Field(index=True)
    name: str
    category: str
    price_model: str  # fixed | hourly | quote | free
    price_fen: int | None
    schedule: str | None
    slot_minutes: int
    capacity: int
    status: str  # active | temporarily_closed | inactive | defunct
    free_cancellation_hours: int
    late_cancellation_fee_fen: int | None
    late_cancellation_fee_percent: int | None
    as_of: datetime = Field(sa_type=UTCDateTime)  # the snapshot event's time: an older one never wins


class KnownListing(OrdersModel, table=True):
    """Read model of catalog's listings: a provider's vetting state in a community (bookable while listed)."""

    provider_id: str = Field(primary_key=True)
    community_id: str = Field(primary_key=True)
    state: str  # listed | under_review | suspended | terminated
    as_of: datetime = Field(sa_type=UTCDateTime)
