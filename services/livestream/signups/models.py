from datetime import datetime

from sqlmodel import Field

from services.livestream.base import LivestreamModel
from shared.models import UTCDateTime


class KnownEvent(LivestreamModel, table=True):
    """Read model of community's offline events (`community.event.*`): what an event card shows, with
    the seats left as sign-ups come and go."""

    id: str = Field(primary_key=True)
    community_id: str
    title: str
    kind: str
    place: str
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    capacity: int
    seats_taken: int = 0
    status: str = "published"  # published | closed | cancelled


class KnownRegistration(LivestreamModel, table=True):
    """Read model of sign-ups (`community.event.registered` and after): a session's sign-ups are those
    for the events it showed, made while it ran."""

    id: str = Field(primary_key=True)
    event_id: str = Field(index=True)
    user_id: str
    seats: int
    status: str
    at: datetime = Field(sa_type=UTCDateTime)
