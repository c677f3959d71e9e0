"""Pickup rules: a paid order gets a code; the leader or the point's staff hand the goods over when
the code is typed or scanned at the right point, once; a hand-over can be undone for a short while."""

import csv
import io
from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.commission import service as commission
from services.orders.deals.models import Deal
from services.orders.members import service as members
from services.orders.orders.models import PAID, PICKED_UP, Order
from services.orders.orders.rows import lock_order
from services.orders.pickup.codes import from_input, new_code
from services.orders.pickup.models import (
    PickingLine,
    PickingList,
    PickupPoint,
    PickupPointCreate,
    PickupRequest,
    PickupResult,
)
from shared.auth import LEADER, Principal
from shared.bus import emit
from shared.errors import Conflict, Forbidden, NotFound, Unprocessable
from shared.events.schemas.orders import OrderPickedUp, OrderPickupUndone
from shared.models import utcnow


async def create_point(session: AsyncSession, *, principal: Principal, data: PickupPointCreate) -> PickupPoint:
    principal.require_role(data.community_id, LEADER)
    point = PickupPoint(**data.model_dump())
    session.add(point)
    return point


async def list_points(session: AsyncSession, *, principal: Principal, community_id: str) -> list[PickupPoint]:
    principal.require_member(community_id)
    return list((await session.exec(select(PickupPoint).where(PickupPoint.community_id == community_id))).all())


async def check_points(session: AsyncSession, *, community_ids: list[str], point_ids: list[str]) -> None:
    """A deal may only name pickup points of the communities it serves."""
    if not point_ids:
        return
    points = (await session.exec(select(PickupPoint).where(col(PickupPoint.id).in_(point_ids)))).all()
    foreign = set(point_ids) - {p.id for p in points if p.community_id in community_ids}
    if foreign:
        raise Unprocessable(f"not pickup points of the deal's communities {community_ids}: {sorted(foreign)}")


def choose_point(*, offered: list[str], chosen: str | None) -> str | None:
    if not offered:
        if chosen is not None:
            raise Unprocessable("this deal has no pickup points to choose from")
        return None
    if chosen is None:
        if len(offered) == 1:
            return offered[0]
        raise Unprocessable("choose a pickup point for this deal", pickup_point_ids=offered)
    if chosen not in offered:
        raise Unprocessable("this deal is not collected at that pickup point", pickup_point_ids=offered)
    return chosen


def give_code(order: Order) -> None:
    """Called when an order is paid."""
    order.pickup_code = new_code()


async def hand_over(session: AsyncSession, *, principal: Principal, request: PickupRequest) -> list[PickupResult]:
    point = await _point_for_staff(session, principal=principal, point_id=request.pickup_point_id)
    results = []
    for typed in request.codes:
        code = from_input(typed)
        # The point's own community's orders, and those of neighbouring communities collected here (a deal
        # serving several communities); a code of another point of the community is a wrong point.
        here = (col(Order.community_id) == point.community_id) | (col(Order.pickup_point_id) == point.id)
        matches = (
            await session.exec(
                select(Order)
                .where(Order.pickup_code == code, here)
                .with_for_update()  # two counters scanning the same code: one hands over, one sees it done
            )
        ).all()
        order = next((o for o in matches if o.pickup_point_id == point.id), None)
        if order is None:
            results.append(PickupResult(code=code, outcome="wrong_point" if matches else "unknown_code"))
            continue
        result = PickupResult(code=code, outcome="picked_up", order_id=order.id, quantity=order.quantity)
        if order.status == PICKED_UP:
            result.outcome = "already_picked_up"
        elif order.status != PAID:
            result.outcome = "not_paid"
        else:
            order.status, order.picked_up_at, order.picked_up_by = PICKED_UP, utcnow(), principal.user_id
            session.add(order)
            await commission.credit(session, order=order, deal=await _deal(session, order))
            await emit(
                session,
                OrderPickedUp(
                    order_id=order.id, deal_id=order.deal_id, buyer_id=order.buyer_id, pickup_point_id=point.id
                ),
                subject=order.id,
                community_id=order.community_id,
                actor_id=principal.user_id,
            )
        results.append(result)
    return results


async def undo(session: AsyncSession, *, principal: Principal, order_id: str, window: timedelta) -> Order:
    order = await session.get(Order, order_id)
    if order is None:
        raise NotFound(f"order {order_id} does not exist")
    if order.pickup_point_id is None:
        principal.require_role(order.community_id, LEADER)
    else:  # the point's leader or staff, also for a neighbouring community's order collected there
        await _point_for_staff(session, principal=principal, point_id=order.pickup_point_id)
    order = await lock_order(session, order_id)
    if order.status != PICKED_UP or order.picked_up_at is None:
        raise Conflict(f"order {order_id} has not been picked up")
    if utcnow() - order.picked_up_at > window:
        seconds = int(window.total_seconds())
        limit = f"{seconds // 60} minutes" if seconds >= 120 else f"{seconds} seconds"
        raise Conflict(f"a hand-over can be undone within {limit} only")
    order.status, order.picked_up_at, order.picked_up_by = PAID, None, None
    session.add(order)
    await commission.reverse(session, order=order, deal=await _deal(session, order), reason="pickup_undone")
    await emit(
        session,
        OrderPickupUndone(order_id=order.id, deal_id=order.deal_id, buyer_id=order.buyer_id),
        subject=order.id,
        community_id=order.community_id,
        actor_id=principal.user_id,
    )
    return order


async def picking_list(session: AsyncSession, *, principal: Principal, deal_id: str, point_id: str) -> PickingList:
    """The paid orders of a deal to collect at a point, oldest first."""
    point = await _point_for_staff(session, principal=principal, point_id=point_id)
    deal = await session.get(Deal, deal_id)
    if deal is None or point.community_id not in deal.community_ids:
        raise NotFound(f"deal {deal_id} does not exist")
    orders = (
        await session.exec(
            select(Order)
            .where(
                Order.deal_id == deal_id,
                Order.pickup_point_id == point_id,
                col(Order.status).in_([PAID, PICKED_UP]),
            )
            .order_by(col(Order.paid_at))
        )
    ).all()
    names = await members.names(session, {(o.community_id, o.buyer_id) for o in orders})
    lines = [
        PickingLine.model_validate({**o.model_dump(), "buyer_name": names[o.community_id, o.buyer_id]}) for o in orders
    ]
    return PickingList(
        deal_id=deal.id,
        product_name=deal.product_name,
        pickup_point_id=point.id,
        pickup_point_name=point.name,
        total_units=sum(line.quantity for line in lines),
        units_to_hand_over=sum(line.quantity for line in lines if line.status == PAID),
        lines=lines,
    )


def picking_list_csv(picking: PickingList) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["order_id", "buyer_id", "buyer_name", "quantity", "status", "paid_at", "picked_up_at"])
    for line in picking.lines:
        writer.writerow(
            [
                line.order_id,
                line.buyer_id,
                line.buyer_name,
                line.quantity,
                line.status,
                line.paid_at.isoformat() if line.paid_at else "",
                line.picked_up_at.isoformat() if line.picked_up_at else "",
            ]
        )
    return out.getvalue()


async def _deal(session: AsyncSession, order: Order) -> Deal:
    deal = await session.get(Deal, order.deal_id)
    assert deal is not None  # an order's deal is a foreign key
    return deal


async def _point_for_staff(session: AsyncSession, *, principal: Principal, point_id: str) -> PickupPoint:
    point = await session.get(PickupPoint, point_id)
    if point is None:
        raise NotFound(f"pickup point {point_id} does not exist")
    if principal.user_id not in point.staff_ids and LEADER not in principal.roles_in(point.community_id):
        raise Forbidden("only the leader or this pickup point's staff hand over orders here")
    return point
