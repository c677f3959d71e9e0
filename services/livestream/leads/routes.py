from fastapi import APIRouter

from services.livestream.leads import service
from services.livestream.leads.models import LeadPublic
from shared.auth import CurrentPrincipal
from shared.service import ReaderDep

router = APIRouter(prefix="/sessions/{session_id}/leads", tags=["leads"])


@router.get("", response_model=list[LeadPublic], summary="Who asked to be connected (host, moderators)")
async def list_leads(session_id: str, session: ReaderDep, principal: CurrentPrincipal) -> object:
    return await service.list_leads(session, principal=principal, session_id=session_id)
