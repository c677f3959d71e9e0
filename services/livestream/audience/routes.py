from fastapi import APIRouter, Request

from services.livestream.audience import service as audiences
from services.livestream.audience.service import Audience
from shared.auth import CurrentPrincipal
from shared.service import ReaderDep

router = APIRouter(prefix="/sessions", tags=["sessions"])


@router.get(
    "/{session_id}/audience",
    summary="Who is in the room now and the session's service, event and deal cards (host, leaders, moderators)",
)
async def audience(session_id: str, request: Request, session: ReaderDep, principal: CurrentPrincipal) -> Audience:
    return await audiences.audience(session, request.app.state.bus.nc, principal=principal, session_id=session_id)
