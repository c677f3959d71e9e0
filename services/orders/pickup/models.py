from datetime import datetime
from typing import Literal

from sqlmodel import JSON, Column, Field

from services.orders.base import OrdersModel
from shared.fields import EntityId, Name
from shared.models import UTCDateTime, new_id, utcnow


class PickupPointCreate(OrdersModel):
    community_id: EntityId
    name: Name = Field(description="e.g. 3号楼门口, 小区南门便利店")
    address: str = Field(default="", max_length=200)
    staff_ids: list[EntityId] = Field(default_factory=list, max_length=20, description="Who may hand out orders here")


class PickupPoint(OrdersModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    community_id: str = Field(index=True)
    name: str
    address: str = ""
    staff_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PickupPointPublic(OrdersModel):
    id: str
    community_id: str
    name: str
    address: str
    staff_ids: list[str]


class PickupRequest(OrdersModel):
    """Codes typed or scanned at one point: one, or all of one household's at once."""

    pickup_point_id: EntityId
    codes: list[str] = Field(min_length=1, max_length=20)


Outcome = Literal["picked_up", "unknown_code", "wrong_point", "already_picked_up", "not_paid"]


class PickupResult(OrdersModel):
    code: str
    outcome: Outcome
    order_id: str | None = None
    quantity: int | None = None
    product_name: str | None = None


class PickingLine(OrdersModel):
    """One buyer's order on a picking list: what to hand to whom at a point."""

    order_id: str = Field(validation_alias="id")
    buyer_id: str
    buyer_name: str = Field(description="The buyer's name in their community (群昵称)")
    quantity: int
    status: Literal["paid", "picked_up"]
    paid_at: datetime | None
    picked_up_at: datetime | None


class PickingList(OrdersModel):
    deal_id: str
    product_name: str
    pickup_point_id: str
    pickup_point_name: str
    total_units: int
    units_to_hand_over: int
    lines: list[PickingLine]
