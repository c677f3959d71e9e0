from datetime import datetime

from sqlmodel import JSON, Column, Field

from services.catalog.base import CatalogModel
from shared.fields import EntityId, Name, Tags
from shared.models import UTCDateTime, new_id, utcnow


class ProductBase(CatalogModel):
    community_id: EntityId = Field(index=True)
    name: Name
    unit: str = Field(min_length=1, max_length=16, description="e.g. 袋, 斤, box")
    description: str = Field(default="", max_length=2000)
    tags: Tags = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class ProductCreate(ProductBase):
    pass


class Product(ProductBase, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    created_by: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProductPublic(ProductBase):
    id: str
    created_by: str
    created_at: datetime
