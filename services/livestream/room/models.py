from datetime import datetime

from sqlmodel import Field

from services.livestream.base import LivestreamModel
from shared.models import UTCDateTime


class RoomLease(LivestreamModel, table=True):
    """Which instance is a room's sequencer, until when, and the sequence numbers handed out so far
    (a new sequencer starts above `seq_reserved`, so numbers only ever increase)."""

    session_id: str = Field(primary_key=True, foreign_key="livesession.id")
    owner: str | None = None
    lease_until: datetime = Field(sa_type=UTCDateTime)
    seq_reserved: int = 0
