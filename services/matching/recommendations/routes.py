from typing import Annotated

from fastapi import APIRouter, Query

from services.matching.deps import LangDep, SettingsDep
from services.matching.recommendations import service as recommendations
from services.matching.recommendations.models import Recommendation
from shared.auth import CurrentPrincipal
from shared.fields import EntityId
from shared.service import SessionDep

router = APIRouter(tags=["matching"])


@router.get("/recommendations", summary="What fits me in this community, each with a reason")
async def recommend(
    session: SessionDep,
    principal: CurrentPrincipal,
    community_id: EntityId,
    settings: SettingsDep,
    lang: LangDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[Recommendation]:
    return await recommendations.recommend(
        session,
        principal=principal,
        community_id=community_id,
        limit=limit,
        half_life_days=settings.interest_half_life_days,
        lang=lang,
    )
