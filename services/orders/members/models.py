from datetime import datetime

from sqlmodel import Field

from services.orders.base import OrdersModel
from shared.models import UTCDateTime


class KnownCommunity(OrdersModel, table=True):
    """Read model of community's communities (from `community.community.created`): names for share posters."""

    id: str = Field(primary_key=True)
    name: str


class KnownMember(OrdersModel, table=True):
    """Read model of community's members (from `community.member.joined` and `.renamed`): who belongs
    where (whose share links count) and the name neighbours know them by there (接龙, picking lists)."""

    community_id: str = Field(primary_key=True)
    user_id: str = Field(primary_key=True, index=True)
    display_name: str
    named_at: datetime = Field(sa_type=UTCDateTime)  # the naming event's time: an older event never wins
