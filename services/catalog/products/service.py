"""Product rules: only a leader of a community adds products to it; members read them."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.products.models import Product, ProductCreate
from shared.access import get_for_member
from shared.auth import LEADER, Principal
from shared.bus import emit
from shared.events.schemas.catalog import ProductCreated


async def create_product(session: AsyncSession, *, principal: Principal, data: ProductCreate) -> Product:
    principal.require_role(data.community_id, LEADER)
    product = Product(**data.model_dump(), created_by=principal.user_id)
    product.tags = sorted(set(product.tags))
    session.add(product)
    await emit(
        session,
        ProductCreated(
            product_id=product.id, name=product.name, unit=product.unit, tags=product.tags, images=product.images
        ),
        subject=product.id,
        community_id=product.community_id,
        actor_id=principal.user_id,
    )
    return product


async def get_product(session: AsyncSession, *, principal: Principal, product_id: str) -> Product:
    return await get_for_member(session, Product, product_id, principal=principal, label="product")


async def list_products(
    session: AsyncSession, *, principal: Principal, community_id: str, limit: int, offset: int
) -> list[Product]:
    principal.require_member(community_id)
    query = (
        select(Product)
        .where(Product.community_id == community_id)
        .order_by(col(Product.created_at).desc())
        .offset(offset)
        .limit(limit)
    )
    return list((await session.exec(query)).all())
