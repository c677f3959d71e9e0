"""A deal's share link and poster: any member who sees a deal may send it on; orders placed from the
link name the sharer as their ref, so who brought whom can be traced (OrderPlaced.referred_by)."""

import io
from urllib.parse import urlencode

import segno
from sqlmodel.ext.asyncio.session import AsyncSession

from services.orders.deals.models import DRAFT, DealShare
from services.orders.deals.service import get_deal, public
from services.orders.members import service as members
from services.orders.products.models import KnownProduct
from shared.auth import Principal
from shared.errors import Conflict


async def share(session: AsyncSession, *, principal: Principal, deal_id: str, public_url: str) -> DealShare:
    deal = await get_deal(session, principal=principal, deal_id=deal_id)
    if deal.status == DRAFT:
        raise Conflict(f"deal {deal_id} is a draft; publish it before sharing it")
    [view] = await public(session, [deal])
    product = await session.get(KnownProduct, deal.product_id)
    url = f"{public_url}/d/{deal.id}?{urlencode({'ref': principal.user_id})}"
    return DealShare(
        url=url,
        title=deal.product_name,
        price_fen=deal.price_fen,
        current_price_fen=view.current_price_fen,
        opens_at=deal.opens_at,
        closes_at=deal.closes_at,
        image=product.images[0] if product and product.images else None,
        leader_name=await members.name_if_known(session, community_id=deal.community_id, user_id=deal.created_by),
        community_name=await members.community_name(session, deal.community_id),
        qr_svg=qr_svg(url),
    )


def qr_svg(text: str) -> str:
    """`text` as a QR code, a standalone SVG document (medium error correction survives a printed poster's wear)."""
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(
        out, kind="svg", scale=4, xmldecl=False, svgclass=None, lineclass=None
    )
    return out.getvalue().decode()
