"""After-sales: within a window after pickup a buyer reports a problem; the leader refunds all or
part (back through the payment port, the commission reversed in proportion) or rejects with a reason."""

from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.aftersales.models import AfterSale, AfterSaleCreate, Approval, Rejection
from services.orders.commission import service as commission
from services.orders.deals.models import Deal
from services.orders.orders.models import PICKED_UP, Order
from services.orders.orders.rows import lock_order
from shared.auth import LEADER, Principal
from shared.bus import emit
from shared.errors import Conflict, Forbidden, NotFound, Unprocessable
from shared.events.schemas.orders import AfterSaleDecided, AfterSaleRequested, OrderRefunded
from shared.models import utcnow


async def request(
    session: AsyncSession, *, principal: Principal, data: AfterSaleCreate, window: timedelta
) -> AfterSale:
    order = await lock_order(session, data.order_id)
    if order.buyer_id != principal.user_id:
        raise Forbidden("only the buyer opens an after-sales request")
    if order.status != PICKED_UP or order.picked_up_at is None:
        raise Conflict("after-sales opens once the order is picked up")
    if utcnow() - order.picked_up_at > window:
        raise Conflict(f"after-sales is open for {window.days} days after pickup")
    existing = (await session.exec(select(AfterSale).where(AfterSale.order_id == order.id))).first()
    if existing is not None:
        raise Conflict("this order already has an after-sales request", after_sale_id=existing.id)
    case = AfterSale(**data.model_dump(), community_id=order.community_id, buyer_id=order.buyer_id)
    session.add(case)
    await emit(
        session,
        AfterSaleRequested(after_sale_id=case.id, order_id=order.id, buyer_id=order.buyer_id, reason=case.reason),
        subject=case.id,
        community_id=case.community_id,
        actor_id=principal.user_id,
    )
    return case


async def approve(session: AsyncSession, *, principal: Principal, case_id: str, data: Approval) -> AfterSale:
    case, order, deal = await _open_case(session, principal=principal, case_id=case_id)
    if data.refund_fen > order.amount_fen:
        raise Unprocessable(f"the refund is more than the {order.amount_fen} fen paid")
    case.status, case.refund_fen, case.decision_note = "approved", data.refund_fen, data.note
    _decided(case, principal)
    await commission.reverse(session, order=order, deal=deal, reason="refunded", amount_fen=data.refund_fen)
    await emit(
        session,
        OrderRefunded(
            order_id=order.id,
            deal_id=deal.id,
            buyer_id=order.buyer_id,
            amount_fen=data.refund_fen,
            reason="after-sales",
        ),
        subject=order.id,
        community_id=order.community_id,
        actor_id=principal.user_id,
    )
    await _announce(session, case, principal)
    return case


async def reject(session: AsyncSession, *, principal: Principal, case_id: str, data: Rejection) -> AfterSale:
    case, _order, _deal = await _open_case(session, principal=principal, case_id=case_id)
    case.status, case.decision_note = "rejected", data.note
    _decided(case, principal)
    await _announce(session, case, principal)
    return case


async def list_cases(session: AsyncSession, *, principal: Principal, community_id: str) -> list[AfterSale]:
    principal.require_member(community_id)
    query = select(AfterSale).where(AfterSale.community_id == community_id).order_by(col(AfterSale.created_at))
    if LEADER not in principal.roles_in(community_id):
        query = query.where(AfterSale.buyer_id == principal.user_id)  # residents see their own
    return list((await session.exec(query)).all())


async def _open_case(session: AsyncSession, *, principal: Principal, case_id: str) -> tuple[AfterSale, Order, Deal]:
    case = await session.get(AfterSale, case_id)
    if case is None:
        raise NotFound(f"after-sales request {case_id} does not exist")
    principal.require_role(case.community_id, LEADER)
    order = await lock_order(session, case.order_id)
    if case.status != "open":
        raise Conflict(f"this request was already {case.status}")
    deal = await session.get(Deal, order.deal_id)
    assert deal is not None
    return case, order, deal


def _decided(case: AfterSale, principal: Principal) -> None:
    case.decided_by, case.decided_at = principal.user_id, utcnow()


async def _announce(session: AsyncSession, case: AfterSale, principal: Principal) -> None:
    session.add(case)
    await emit(
        session,
        AfterSaleDecided(
            after_sale_id=case.id, order_id=case.order_id, outcome=case.status, refund_fen=case.refund_fen
        ),
        subject=case.id,
        community_id=case.community_id,
        actor_id=principal.user_id,
    )
