from datetime import date, datetime

from sqlmodel import Field

from services.orders.base import OrdersModel
from shared.models import UTCDateTime, new_id, utcnow


class LedgerEntry(OrdersModel, table=True):
    """A leader's commission: one entry per picked-up order, and a reversal when that is undone
    or refunded. Entries are never edited, so the ledger is its own history."""

    id: str = Field(default_factory=new_id, primary_key=True)
    leader_id: str = Field(index=True)
    community_id: str = Field(index=True)
    deal_id: str
    order_id: str = Field(index=True)
    amount_fen: int  # negative for a reversal
    reason: str  # picked_up | pickup_undone | refunded
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class DayEarnings(OrdersModel):
    day: date
    amount_fen: int


class Earnings(OrdersModel):
    community_id: str
    since: datetime
    until: datetime
    total_fen: int
    by_day: list[DayEarnings]
    entries: list[LedgerEntry]
