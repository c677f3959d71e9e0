from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, Request, Response, status

from services.orders.orders.models import OrderPublic
from services.orders.pickup import service
from services.orders.pickup.models import (
    PickingList,
    PickupPointCreate,
    PickupPointPublic,
    PickupRequest,
    PickupResult,
)
from shared.auth import CurrentPrincipal
from shared.fields import EntityId
from shared.service import SessionDep

router = APIRouter(tags=["pickup"])


@router.post("/pickup-points", status_code=status.HTTP_201_CREATED, response_model=PickupPointPublic)
async def create_point(body: PickupPointCreate, session: SessionDep, principal: CurrentPrincipal) -> object:
    point = await service.create_point(session, principal=principal, data=body)
    await session.commit()
    return point


@router.get("/pickup-points", response_model=list[PickupPointPublic], summary="Pickup points of a community")
async def list_points(session: SessionDep, principal: CurrentPrincipal, community_id: EntityId) -> object:
    return await service.list_points(session, principal=principal, community_id=community_id)


@router.post("/pickups", summary="Hand over orders: codes typed or scanned at a pickup point (one household at once)")
async def hand_over(body: PickupRequest, session: SessionDep, principal: CurrentPrincipal) -> list[PickupResult]:
    results = await service.hand_over(session, principal=principal, request=body)
    await session.commit()
    return results


@router.get(
    "/deals/{deal_id}/picking-list",
    summary="What to hand to whom at a pickup point (JSON, or CSV with format=csv)",
    response_model=PickingList,
)
async def picking_list(
    deal_id: str,
    pickup_point_id: EntityId,
    session: SessionDep,
    principal: CurrentPrincipal,
    format: Literal["json", "csv"] = "json",
) -> object:
    picking = await service.picking_list(session, principal=principal, deal_id=deal_id, point_id=pickup_point_id)
    if format == "json":
        return picking
    filename = f"picking-{deal_id[:8]}-{pickup_point_id[:8]}.csv"
    return Response(
        service.picking_list_csv(picking),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/pickups/{order_id}/undo", summary="Undo a hand-over, shortly after it")
async def undo(order_id: str, request: Request, session: SessionDep, principal: CurrentPrincipal) -> OrderPublic:
    window = timedelta(seconds=request.app.state.settings.pickup_undo_seconds)
    order = await service.undo(session, principal=principal, order_id=order_id, window=window)
    await session.commit()
    return OrderPublic.of(order, viewer=principal.user_id)
