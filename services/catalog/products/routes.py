from fastapi import APIRouter, status

from services.catalog.products import service
from services.catalog.products.models import ProductCreate, ProductPublic
from shared.auth import CurrentPrincipal
from shared.fields import EntityId
from shared.pagination import Limit, Offset
from shared.service import SessionDep

router = APIRouter(prefix="/products", tags=["products"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProductPublic)
async def create_product(body: ProductCreate, session: SessionDep, principal: CurrentPrincipal) -> object:
    product = await service.create_product(session, principal=principal, data=body)
    await session.commit()
    return product


@router.get("", response_model=list[ProductPublic])
async def list_products(
    session: SessionDep,
    principal: CurrentPrincipal,
    community_id: EntityId,
    limit: Limit = 20,
    offset: Offset = 0,
) -> object:
    return await service.list_products(
        session, principal=principal, community_id=community_id, limit=limit, offset=offset
    )


@router.get("/{product_id}", response_model=ProductPublic)
async def get_product(product_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    return await service.get_product(session, principal=principal, product_id=product_id)
