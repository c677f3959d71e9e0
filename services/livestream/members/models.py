from datetime import datetime

from sqlmodel import Field

from services.livestream.base import LivestreamModel
from shared.models import UTCDateTime


class KnownMember(LivestreamModel, table=True):
    """Read model of community's members (`community.member.joined`/`.renamed`): the name neighbours know
    them by (群昵称), shown with their chat, questions and testimonials."""

    community_id: str = Field(primary_key=True)
    user_id: str = Field(primary_key=True)
    display_name: str
    named_at: datetime = Field(sa_type=UTCDateTime)
