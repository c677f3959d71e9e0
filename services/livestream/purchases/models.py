from datetime import datetime

from sqlmodel import JSON, Column, Field

from services.livestream.base import LivestreamModel
from shared.models import UTCDateTime


class KnownProduct(LivestreamModel, table=True):
    """Read model of catalog's products (`catalog.product.created`): a deal card's photo."""

    id: str = Field(primary_key=True)
    community_id: str
    name: str
    images: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class KnownDeal(LivestreamModel, table=True):
    """Read model of orders' deals (`orders.deal.*`, `orders.order.paid`/`.refunded`): what a deal card
    shows, with live stock (units paid for; sold out the moment orders says so)."""

    id: str = Field(primary_key=True)
    community_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    product_id: str = Field(index=True)
    product_name: str
    price_fen: int
    stock: int
    per_person_limit: int | None = None  # unknown for deals published before orders' events carried it
    opens_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    sold: int = 0
    sold_out: bool = False
    closed: bool = False


class KnownOrder(LivestreamModel, table=True):
    """Read model of orders' paid orders: verified purchases (testimonials, who may answer a product's
    questions) and the orders a session brought."""

    id: str = Field(primary_key=True)
    deal_id: str = Field(index=True)
    buyer_id: str = Field(index=True)
    community_id: str | None
    product_id: str = Field(index=True)
    product_name: str
    quantity: int
    amount_fen: int
    paid_at: datetime = Field(sa_type=UTCDateTime)
    picked_up_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    refunded: bool = False
