from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Field

from services.livestream.base import LivestreamModel
from shared.models import UTCDateTime, new_id, utcnow

CARD, KEYWORD = "card", "keyword"
PROVIDER, LEADER = "provider", "leader"


class Lead(LivestreamModel, table=True):
    """A viewer asked to be connected (留言牵线); one per viewer and card or keyword in a session."""

    id: str = Field(default_factory=new_id, primary_key=True)
    session_id: str = Field(foreign_key="livesession.id", index=True)
    community_id: str
    viewer_id: str
    source: str  # card | keyword
    card_id: str | None = None
    keyword: str | None = None
    provider_id: str | None = None
    offering_id: str | None = None
    category: str | None = None
    route_to: str  # provider | leader
    route_to_id: str
    consent: bool
    note: str = ""
    dedupe_key: str = Field(unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LeadPublic(BaseModel):
    """What the host sees: who asked for what and whether they agreed to be contacted (never a phone)."""

    id: str
    viewer_id: str
    viewer_name: str
    source: str
    card_id: str | None
    keyword: str | None
    provider_id: str | None
    offering_id: str | None
    route_to: str
    consent: bool
    note: str
    created_at: datetime
