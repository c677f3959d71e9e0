from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from services.gateway.identity import service
from services.gateway.identity.models import OtpRequest, RefreshRequest, TokenPair, TokenRequest
from services.gateway.identity.sms import SmsSender
from services.gateway.settings import Settings
from services.gateway.upstream.deps import UpstreamsDep
from shared.errors import Unauthorized
from shared.service import SessionDep

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(_settings)]


@router.post("/otp", status_code=status.HTTP_202_ACCEPTED, summary="Send a one-time login code by SMS")
async def request_code(
    body: OtpRequest, request: Request, session: SessionDep, settings: SettingsDep
) -> dict[str, str]:
    text = await service.issue_code(session, settings=settings, phone=body.phone)
    await session.commit()
    sms: SmsSender = request.app.state.sms
    await sms.send(phone=body.phone, text=text)
    return {"status": "sent", "phone": body.phone}


@router.post("/token", summary="Exchange phone + code for an access token and a refresh token")
async def login(body: TokenRequest, session: SessionDep, settings: SettingsDep, upstreams: UpstreamsDep) -> TokenPair:
    user = await service.verify_code(session, settings=settings, phone=body.phone, code=body.code)
    if user is None:
        await session.commit()  # the failed attempt counts
        raise Unauthorized("wrong code")
    await session.flush()
    tokens = await service.issue_tokens(session, settings=settings, upstreams=upstreams, user=user)
    await session.commit()
    return tokens


@router.post("/refresh", summary="Rotate a refresh token; the new access token has current roles")
async def refresh(
    body: RefreshRequest, session: SessionDep, settings: SettingsDep, upstreams: UpstreamsDep
) -> TokenPair:
    user, family = await service.redeem_refresh_token(session, settings=settings, token=body.refresh_token)
    tokens = await service.issue_tokens(session, settings=settings, upstreams=upstreams, user=user, family=family)
    await session.commit()
    return tokens
