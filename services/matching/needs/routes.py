from fastapi import APIRouter

from services.matching.needs import service as needs
from services.matching.needs.models import NeedMatch
from shared.auth import CurrentPrincipal
from shared.fields import EntityId
from shared.service import SessionDep

router = APIRouter(tags=["matching"])


@router.get(
    "/needs/{need_id}/matches", summary="Providers and talents whose services answer a need (its poster, leaders)"
)
async def need_matches(session: SessionDep, principal: CurrentPrincipal, need_id: EntityId) -> list[NeedMatch]:
    found = await needs.matches_of(session, principal=principal, need_id=need_id)
    await session.commit()  # the offerings' words cut for this match are kept for the next
    return found
