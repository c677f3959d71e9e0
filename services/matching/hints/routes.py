from fastapi import APIRouter

from services.matching.deps import LangDep, SettingsDep
from services.matching.hints import service as hints
from services.matching.hints.models import LiveAudience, LiveHint
from shared.auth import CurrentPrincipal
from shared.service import ReaderDep

router = APIRouter(tags=["matching"])


@router.post(
    "/hints/live",
    summary="Cards ranked by what the people in a live room are into (the gateway asks for the session's host)",
)
async def live_hint(
    session: ReaderDep, principal: CurrentPrincipal, audience: LiveAudience, settings: SettingsDep, lang: LangDep
) -> list[LiveHint]:
    return await hints.live_hint(
        session, principal=principal, audience=audience, half_life_days=settings.interest_half_life_days, lang=lang
    )
