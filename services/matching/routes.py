from typing import Annotated

from fastapi import APIRouter, Query

from services.matching.interests import service as interests
from services.matching.interests.models import InterestPublic
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
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[Recommendation]:
    return await recommendations.recommend(session, principal=principal, community_id=community_id, limit=limit)


@router.get("/profiles/me", summary="My interest profile in plain words")
async def my_profile(session: SessionDep, principal: CurrentPrincipal, community_id: EntityId) -> list[InterestPublic]:
    return await interests.profile_of(session, principal=principal, community_id=community_id)
