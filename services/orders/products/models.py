from sqlmodel import JSON, Column, Field

from services.orders.base import OrdersModel


class KnownProduct(OrdersModel, table=True):
    """Read model of catalog's products (from `catalog.product.created`): what a deal may sell."""

    id: str = Field(primary_key=True)
    community_id: str = Field(index=True)
    name: str
    unit: str
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    images: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # the first: cover
