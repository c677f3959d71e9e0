from datetime import datetime, timedelta

from fastapi import APIRouter

from services.orders.commission import service
from services.orders.commission.models import Earnings
from shared.auth import CurrentPrincipal
from shared.errors import Unprocessable
from shared.fields import EntityId
from shared.models import utcnow
from shared.service import SessionDep

router = APIRouter(tags=["commission"])


@router.get("/commissions", summary="My commission in a community over a period (default: the last 30 days)")
async def earnings(
    session: SessionDep,
    principal: CurrentPrincipal,
    community_id: EntityId,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Earnings:
    if any(t is not None and t.tzinfo is None for t in (since, until)):
        raise Unprocessable("since and until need a timezone")
    end = until or utcnow()
    return await service.earnings(
        session, principal=principal, community_id=community_id, since=since or end - timedelta(days=30), until=end
    )
