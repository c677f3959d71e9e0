from datetime import datetime

from sqlmodel import JSON, Column, Field

from services.catalog.base import CatalogModel
from shared.fields import EntityId, ImageUrl, Name, Tags
from shared.models import UTCDateTime, new_id, utcnow


class ProductBase(CatalogModel):
    community_id: EntityId = Field(index=True)
    name: Name
    unit: str = Field(min_length=1, max_length=16, description="e.g. 袋, 斤, box")
    description: str = Field(default="", max_length=2000)
    images: list[ImageUrl] = Field(default_factory=list, max_length=9, sa_column=Column(JSON, nullable=False))
    origin: str = Field(default="", max_length=80, description="e.g. 云南元谋, 本地农场")
    shelf_life_days: int | None = Field(default=None, gt=0, le=3650)
    storage_notes: str = Field(default="", max_length=200, description="e.g. 冷藏 0–4℃, 避光")
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
