from fastapi import APIRouter

from services.matching.demand import service as demand
from services.matching.demand.models import DemandPublic
from services.matching.demand.rules import DemandRules
from services.matching.deps import SettingsDep
from shared.auth import CurrentPrincipal
from shared.fields import EntityId
from shared.models import utcnow
from shared.service import SessionDep

router = APIRouter(tags=["matching"])


@router.get("/demand", summary="What residents of the community ask for in the current window (leaders)")
async def community_demand(
    session: SessionDep, principal: CurrentPrincipal, community_id: EntityId, settings: SettingsDep
) -> list[DemandPublic]:
    return await demand.demand_of(
        session, principal=principal, community_id=community_id, rules=DemandRules.from_settings(settings), now=utcnow()
    )
